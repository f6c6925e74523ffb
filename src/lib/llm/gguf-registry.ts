/**
 * Registry entries of kind `gguf`: GGUF models for the CPU engine (wllama in the browser, node-llama-cpp in the
 * CLI), listed under `gguf` in src/lib/models/registry.json beside the WebLLM `models`. Validated as strictly.
 */
import { MODEL_PROFILES, type PromptProfileId } from '../prompts/profiles.ts';
import { RegistryError } from '../errors.ts';

/** llama.cpp's quantization types `build-model --format gguf` makes (tools/quantize/quantize.cpp names). */
export const GGUF_QUANTIZATIONS = ['Q4_K_M', 'Q5_K_M', 'Q6_K', 'Q8_0', 'F16'] as const;
export type GgufQuantization = (typeof GGUF_QUANTIZATIONS)[number];

export interface GgufEntry {
  kind: 'gguf';
  id: string;
  name: string;
  base: string;
  /** The .gguf file (or the first part of a split one), relative to the site's base URL unless absolute. */
  file: string;
  quantization: GgufQuantization;
  downloadMB: number;
  /** Memory the model needs loaded at `contextWindow` tokens (weights, KV cache, compute buffers). */
  ramMB: number;
  contextWindow: number;
  promptProfile: PromptProfileId;
  description?: string;
}

const REQUIRED = ['kind', 'id', 'name', 'base', 'file', 'quantization', 'downloadMB', 'ramMB', 'contextWindow', 'promptProfile'] as const;
const KEYS = new Set<string>([...REQUIRED, 'description']);
const ID_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function parseGgufEntries(list: unknown): GgufEntry[] {
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw new RegistryError('"gguf" must be a list.');
  const seen = new Set<string>();
  return list.map((raw, i) => {
    const where = `gguf[${i}]`;
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new RegistryError(`${where} is not an object.`);
    const r = raw as Record<string, unknown>;
    for (const k of Object.keys(r)) if (!KEYS.has(k)) throw new RegistryError(`${where} has an unknown field "${k}". Known fields: ${[...KEYS].join(', ')}.`);
    for (const k of REQUIRED) if (!(k in r)) throw new RegistryError(`${where} lacks the field "${k}".`);
    const str = (k: string) => {
      if (typeof r[k] !== 'string' || !(r[k] as string).trim()) throw new RegistryError(`${where}: "${k}" must be a non-empty string.`);
      return r[k] as string;
    };
    const positive = (k: string) => {
      if (typeof r[k] !== 'number' || !((r[k] as number) > 0)) throw new RegistryError(`${where}: "${k}" must be a positive number.`);
      return r[k] as number;
    };
    if (r.kind !== 'gguf') throw new RegistryError(`${where}: "kind" must be "gguf".`);
    const id = str('id');
    if (!ID_RE.test(id)) throw new RegistryError(`${where}: "id" "${id}" may hold only letters, digits, ".", "_" and "-".`);
    if (seen.has(id)) throw new RegistryError(`the gguf id "${id}" appears twice.`);
    seen.add(id);
    const file = str('file');
    if (!/\.gguf$/i.test(new URL(file, 'http://x/').pathname)) throw new RegistryError(`${where}: "file" must name a .gguf file.`);
    const quantization = str('quantization');
    if (!(GGUF_QUANTIZATIONS as readonly string[]).includes(quantization)) throw new RegistryError(`${where}: "quantization" must be one of ${GGUF_QUANTIZATIONS.join(', ')}.`);
    const promptProfile = str('promptProfile');
    if (!(MODEL_PROFILES as readonly string[]).includes(promptProfile)) throw new RegistryError(`${where}: "promptProfile" must be one of ${MODEL_PROFILES.join(', ')}.`);
    const contextWindow = positive('contextWindow');
    if (!Number.isInteger(contextWindow)) throw new RegistryError(`${where}: "contextWindow" must be a whole number.`);
    const entry: GgufEntry = {
      kind: 'gguf',
      id,
      name: str('name'),
      base: str('base'),
      file,
      quantization: quantization as GgufQuantization,
      downloadMB: positive('downloadMB'),
      ramMB: positive('ramMB'),
      contextWindow,
      promptProfile: promptProfile as PromptProfileId,
    };
    if ('description' in r) entry.description = str('description');
    return entry;
  });
}
