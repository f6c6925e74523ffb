/**
 * The model registry (src/lib/models/registry.json): a strict loader, and the absolute URLs WebLLM needs.
 * WebLLM keys its caches by URL and throws on a relative model URL in `hasModelInCache`, so every URL leaves this
 * module absolute, built from the site's origin and base path, or from a mirror origin in deploy.config.json.
 */
import { parseGgufEntries, type GgufEntry } from './gguf-registry.ts';
import { RadReportXError, RegistryError } from '../errors.ts';
import { MODEL_PROFILES, type PromptProfileId } from '../prompts/profiles.ts';

export interface RegistryEntry {
  /** Also WebLLM's `model_id` and the key of its caches: letters, digits, `.`, `_`, `-`. */
  id: string;
  name: string;
  /** Base model family, e.g. `llama3.1-8b`. */
  base: string;
  /** Folder holding mlc-chat-config.json, tensor-cache.json, the shards and the tokenizer; ends with `/`. */
  weights: string;
  /** The WebLLM model library (.wasm) built for this base model and quantization. */
  library: string;
  quantization: string;
  /** WebGPU features the library needs (`shader-f16` for f16 quantizations). */
  requiredFeatures: string[];
  downloadMB: number;
  /** GPU memory the model needs once loaded, from WebLLM's prebuilt figures. */
  vramMB: number;
  contextWindow: number;
  promptProfile: PromptProfileId;
  /** Optional: one line shown under the name. */
  description?: string;
  /**
   * A stock model: one of WebLLM's own prebuilt models (its `prebuiltAppConfig`), not RadReportX, downloaded from
   * the origins its absolute URLs name, and only when deploy.config.json enables them (`stockModelOrigins`).
   * Zero-shot with the `json` profile; results name the model, never RadReportX.
   */
  stock?: true;
}

export interface Registry {
  libraryVersion: string;
  models: RegistryEntry[];
  /** GGUF models for the CPU engine (entry kind `gguf`, gguf-registry.ts). */
  gguf?: GgufEntry[];
}

const TOP_KEYS = new Set(['$comment', 'libraryVersion', 'models', 'gguf']);
const REQUIRED_KEYS = ['id', 'name', 'base', 'weights', 'library', 'quantization', 'requiredFeatures', 'downloadMB', 'vramMB', 'contextWindow', 'promptProfile'] as const;
const OPTIONAL_KEYS = ['description', 'stock'] as const;
const ENTRY_KEYS = new Set<string>([...REQUIRED_KEYS, ...OPTIONAL_KEYS]);
/** WebGPU feature names a model library may ask for (the ones WebLLM checks before loading). */
const KNOWN_FEATURES = new Set(['shader-f16', 'subgroups', 'timestamp-query', 'float32-filterable']);

const ID_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const QUANT_RE = /^q\d+f(16|32)_\d+$/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

function checkEntry(raw: unknown, index: number): RegistryEntry {
  const where = `models[${index}]`;
  if (!isRecord(raw)) throw new RegistryError(`${where} is not an object.`);
  const label = typeof raw.id === 'string' ? `${where} ("${raw.id}")` : where;
  for (const key of Object.keys(raw)) {
    if (!ENTRY_KEYS.has(key)) throw new RegistryError(`${label} has an unknown field "${key}". Known fields: ${[...ENTRY_KEYS].join(', ')}.`);
  }
  for (const key of REQUIRED_KEYS) {
    if (!(key in raw)) throw new RegistryError(`${label} lacks the field "${key}".`);
  }
  const str = (key: string) => {
    const v = raw[key];
    if (typeof v !== 'string' || !v.trim()) throw new RegistryError(`${label}: "${key}" must be a non-empty string.`);
    return v;
  };
  const positive = (key: string, integer = false) => {
    const v = raw[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v))) {
      throw new RegistryError(`${label}: "${key}" must be a positive ${integer ? 'whole ' : ''}number.`);
    }
    return v;
  };
  const id = str('id');
  if (!ID_RE.test(id)) throw new RegistryError(`${where}: "id" "${id}" may hold only letters, digits, ".", "_" and "-".`);
  const weights = str('weights');
  if (!weights.endsWith('/')) throw new RegistryError(`${label}: "weights" must be a folder URL ending with "/".`);
  const library = str('library');
  if (!/\.wasm$/.test(new URL(library, 'http://x/').pathname)) throw new RegistryError(`${label}: "library" must name a .wasm file.`);
  const quantization = str('quantization');
  if (!QUANT_RE.test(quantization)) throw new RegistryError(`${label}: "quantization" "${quantization}" is not an MLC quantization such as q4f16_1.`);
  // A library built for another quantization loads and then fails obscurely on the first tensor; catch it here.
  if (!library.includes(quantization)) throw new RegistryError(`${label}: the library "${library}" is not built for ${quantization}.`);
  const features = raw.requiredFeatures;
  if (!Array.isArray(features) || features.some((f) => typeof f !== 'string' || !KNOWN_FEATURES.has(f))) {
    throw new RegistryError(`${label}: "requiredFeatures" must be a list of WebGPU features (${[...KNOWN_FEATURES].join(', ')}).`);
  }
  if (quantization.includes('f16') && !features.includes('shader-f16')) {
    throw new RegistryError(`${label}: an f16 quantization needs "shader-f16" in "requiredFeatures".`);
  }
  const promptProfile = str('promptProfile');
  if (!(MODEL_PROFILES as readonly string[]).includes(promptProfile)) {
    throw new RegistryError(`${label}: "promptProfile" "${promptProfile}" is not a prompt profile a model answers (${MODEL_PROFILES.join(', ')}).`);
  }
  const entry: RegistryEntry = {
    id,
    name: str('name'),
    base: str('base'),
    weights,
    library,
    quantization,
    requiredFeatures: [...(features as string[])],
    downloadMB: positive('downloadMB'),
    vramMB: positive('vramMB'),
    contextWindow: positive('contextWindow', true),
    promptProfile: promptProfile as PromptProfileId,
  };
  if ('description' in raw) entry.description = str('description');
  if ('stock' in raw) {
    if (raw.stock !== true) throw new RegistryError(`${label}: "stock" must be true or absent.`);
    for (const key of ['weights', 'library'] as const) {
      if (!/^https:\/\//.test(entry[key])) throw new RegistryError(`${label}: a stock model's "${key}" must be an absolute https URL (where WebLLM publishes it).`);
    }
    // A general model asked our prompts zero-shot: only the schema-constrained json profile fits it.
    if (promptProfile !== 'json') throw new RegistryError(`${label}: a stock model answers the json prompt profile (zero-shot with its schema), not "${promptProfile}".`);
    if (/radreportx/i.test(entry.name) || /radreportx/i.test(entry.id)) throw new RegistryError(`${label}: a stock model is not RadReportX and must not be named so.`);
    entry.stock = true;
  }
  return entry;
}

/** Validates registry data; unknown keys are rejected with the field's name. */
export function parseRegistry(data: unknown): Registry {
  if (!isRecord(data)) throw new RegistryError('the file is not a JSON object.');
  for (const key of Object.keys(data)) {
    if (!TOP_KEYS.has(key)) throw new RegistryError(`unknown top-level field "${key}". Known fields: ${[...TOP_KEYS].join(', ')}.`);
  }
  if (typeof data.libraryVersion !== 'string' || !/^v\d+_\d+_\d+$/.test(data.libraryVersion)) {
    throw new RegistryError('"libraryVersion" must look like v0_2_86.');
  }
  if (!Array.isArray(data.models)) throw new RegistryError('"models" must be a list.');
  const models = data.models.map(checkEntry);
  const seen = new Set<string>();
  for (const m of models) {
    if (seen.has(m.id)) throw new RegistryError(`the id "${m.id}" appears twice.`);
    seen.add(m.id);
  }
  return { libraryVersion: data.libraryVersion, models, gguf: parseGgufEntries(data.gguf) };
}

export function findModel(registry: Registry, id: string): RegistryEntry {
  const m = registry.models.find((x) => x.id === id);
  if (!m) {
    throw new RadReportXError('ModelNotAvailable', `There is no model "${id}" in this site's registry.`, `Models here: ${registry.models.map((x) => x.id).join(', ') || '(none)'}.`);
  }
  return m;
}

/** Where the site is served: `location.origin` and Vite's base path (`import.meta.env.BASE_URL`). */
export interface SiteLocation {
  origin: string;
  base: string;
}

/** `site` or one of deploy.config.json's mirror origins. */
export type WeightSource = 'site' | string;

export interface ResolvedModel {
  entry: RegistryEntry;
  source: WeightSource;
  /** Absolute folder URL, ending with `/`: WebLLM's `ModelRecord.model`. */
  weightsUrl: string;
  /** Absolute URL of the model library: WebLLM's `ModelRecord.model_lib`. */
  libraryUrl: string;
}

/** The site's own root as an absolute URL ending with `/`. */
export function siteRoot(site: SiteLocation): string {
  const base = site.base.startsWith('/') ? site.base : `/${site.base}`;
  return new URL(base.endsWith('/') ? base : `${base}/`, site.origin).href;
}

/**
 * Absolute URLs for one model. A mirror serves the same folder layout under its own root, so
 * `models/<id>/resolve/main/` on the site is `<mirror>/models/<id>/resolve/main/` there. The library always comes
 * from the site (or its absolute URL): it is small and tied to this WebLLM version.
 */
export function resolveModel(entry: RegistryEntry, site: SiteLocation, source: WeightSource = 'site', mirrors: readonly string[] = [], enabledOrigins?: readonly string[]): ResolvedModel {
  const root = siteRoot(site);
  if (enabledOrigins) {
    const blocked = blockedOrigins(entry, site, enabledOrigins);
    if (blocked.length) {
      throw new RadReportXError(
        'ModelNotAvailable',
        `${entry.name} downloads from ${blocked.map((o) => new URL(o).host).join(' and ')}, which this site does not allow.`,
        `The site's deployer can enable ${blocked.join(', ')} in deploy.config.json ("stockModelOrigins"); until then only self-hosted models load.`,
      );
    }
  }
  let weightsBase = root;
  if (source !== 'site') {
    if (!mirrors.includes(source)) throw new RegistryError(`"${source}" is not one of the mirrors in deploy.config.json (${mirrors.join(', ') || 'none'}).`);
    weightsBase = `${new URL(source).origin}/`;
  }
  return {
    entry,
    source,
    weightsUrl: new URL(entry.weights, weightsBase).href,
    libraryUrl: new URL(entry.library, root).href,
  };
}

/** The origins a model's files come from other than the site itself: for a stock model, its weights' and library's. */
export function modelOrigins(entry: RegistryEntry, site: SiteLocation): string[] {
  const root = siteRoot(site);
  const origins = [new URL(entry.weights, root).origin, new URL(entry.library, root).origin].filter((o) => o !== new URL(root).origin);
  return [...new Set(origins)];
}

/** The origins of `entry` that deploy.config.json does not enable (empty: it may be downloaded). */
export function blockedOrigins(entry: RegistryEntry, site: SiteLocation, enabled: readonly string[]): string[] {
  return modelOrigins(entry, site).filter((o) => !enabled.includes(o));
}

/** The subset of WebLLM's `ModelRecord` we fill in (structural, so this module imports nothing from WebLLM). */
export interface WebLlmModelRecord {
  model: string;
  model_id: string;
  model_lib: string;
  vram_required_MB: number;
  low_resource_required: boolean;
  required_features: string[];
  overrides: { context_window_size: number };
}

export interface WebLlmAppConfig {
  model_list: WebLlmModelRecord[];
  cacheBackend: 'cache';
}

export function modelRecord(m: ResolvedModel): WebLlmModelRecord {
  return {
    model: m.weightsUrl,
    model_id: m.entry.id,
    model_lib: m.libraryUrl,
    vram_required_MB: m.entry.vramMB,
    low_resource_required: false,
    required_features: [...m.entry.requiredFeatures],
    overrides: { context_window_size: m.entry.contextWindow },
  };
}

/** The Cache API backend: the one WebLLM tests most, and the one folder import writes into. */
export function appConfig(models: ResolvedModel[]): WebLlmAppConfig {
  return { model_list: models.map(modelRecord), cacheBackend: 'cache' };
}
