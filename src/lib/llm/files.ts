/**
 * The files of an MLC model folder and where WebLLM 0.2.86 looks for each one in the browser's Cache Storage.
 * Read from web-llm's lib/index.js (`reloadInternal`, `asyncLoadTokenizer`, tvmjs `fetchTensorCache`): with the
 * `cache` backend, mlc-chat-config.json lives in the cache named `webllm/config`, the tokenizer, tensor-cache.json
 * and every shard in `webllm/model`, and the model library in `webllm/wasm`, each keyed by its absolute URL.
 * Download and folder import both write exactly these entries, so WebLLM then loads without the network.
 */
import { ModelFolderError } from '../errors.ts';
import type { ResolvedModel } from './registry.ts';

export const CACHE_NAMES = { config: 'webllm/config', model: 'webllm/model', wasm: 'webllm/wasm' } as const;
export type CacheScope = (typeof CACHE_NAMES)[keyof typeof CACHE_NAMES];

export const CHAT_CONFIG = 'mlc-chat-config.json';
export const TENSOR_CACHE = 'tensor-cache.json';

/** The parts of mlc-chat-config.json this app reads. */
export interface ChatConfigFile {
  tokenizer_files: string[];
  context_window_size?: number;
}

export interface TensorCacheShard {
  dataPath: string;
  nbytes: number;
}

export interface TensorCacheFile {
  records: TensorCacheShard[];
}

/** Parses mlc-chat-config.json; throws a ModelFolderError naming what is wrong. */
export function readChatConfig(text: string): ChatConfigFile {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new ModelFolderError(`${CHAT_CONFIG} is not valid JSON.`);
  }
  const files = (v as { tokenizer_files?: unknown })?.tokenizer_files;
  if (!Array.isArray(files) || files.some((f) => typeof f !== 'string')) {
    throw new ModelFolderError(`${CHAT_CONFIG} has no "tokenizer_files" list: it is not an MLC chat config.`);
  }
  return v as ChatConfigFile;
}

/** Parses tensor-cache.json; throws a ModelFolderError naming what is wrong. */
export function readTensorCache(text: string): TensorCacheFile {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new ModelFolderError(`${TENSOR_CACHE} is not valid JSON.`);
  }
  const records = (v as { records?: unknown })?.records;
  if (!Array.isArray(records) || !records.length) throw new ModelFolderError(`${TENSOR_CACHE} lists no weight shards ("records").`);
  for (const [i, r] of records.entries()) {
    const rec = r as Partial<TensorCacheShard> | null;
    if (!rec || typeof rec.dataPath !== 'string' || !rec.dataPath || /(^|\/)\.\.(\/|$)/.test(rec.dataPath) || typeof rec.nbytes !== 'number' || rec.nbytes < 0) {
      throw new ModelFolderError(`${TENSOR_CACHE} record ${i} lacks a valid "dataPath" and "nbytes".`);
    }
  }
  return v as TensorCacheFile;
}

/** The tokenizer file WebLLM reads: tokenizer.json when listed, else tokenizer.model. */
export function tokenizerFile(config: ChatConfigFile): string {
  if (config.tokenizer_files.includes('tokenizer.json')) return 'tokenizer.json';
  if (config.tokenizer_files.includes('tokenizer.model')) return 'tokenizer.model';
  throw new ModelFolderError(`${CHAT_CONFIG} lists no tokenizer.json or tokenizer.model (it lists ${config.tokenizer_files.join(', ') || 'nothing'}).`);
}

/** One file of the model as WebLLM will ask for it. */
export interface ModelFile {
  /** Path inside the model folder (or the library's file name). */
  path: string;
  url: string;
  cache: CacheScope;
  /** Size in bytes when known before fetching (shards: from tensor-cache.json). */
  size?: number;
  kind: 'config' | 'tensor-cache' | 'tokenizer' | 'shard' | 'library';
}

/** The last path segment of a URL: the library's file name in a model folder. */
export function libraryFileName(libraryUrl: string): string {
  return new URL(libraryUrl).pathname.split('/').pop() ?? '';
}

/**
 * Every file WebLLM fetches for `model`, given its two manifests, in the order it fetches them.
 * The library comes last: it is not part of the weights folder.
 */
export function modelFiles(model: ResolvedModel, config: ChatConfigFile, tensors: TensorCacheFile): ModelFile[] {
  const at = (path: string) => new URL(path, model.weightsUrl).href;
  const tok = tokenizerFile(config);
  return [
    { path: CHAT_CONFIG, url: at(CHAT_CONFIG), cache: CACHE_NAMES.config, kind: 'config' },
    { path: tok, url: at(tok), cache: CACHE_NAMES.model, kind: 'tokenizer' },
    { path: TENSOR_CACHE, url: at(TENSOR_CACHE), cache: CACHE_NAMES.model, kind: 'tensor-cache' },
    ...tensors.records.map((r): ModelFile => ({ path: r.dataPath, url: at(r.dataPath), cache: CACHE_NAMES.model, size: r.nbytes, kind: 'shard' })),
    { path: libraryFileName(model.libraryUrl), url: model.libraryUrl, cache: CACHE_NAMES.wasm, kind: 'library' },
  ];
}

/** Total bytes of the shards: the bulk of a download. */
export function shardBytes(tensors: TensorCacheFile): number {
  return tensors.records.reduce((n, r) => n + r.nbytes, 0);
}

export interface FolderProblem {
  path: string;
  problem: 'missing' | 'size';
  expected?: number;
  actual?: number;
}

/**
 * Checks a chosen folder's files (path → size in bytes) against the manifests: every shard present with the size
 * tensor-cache.json gives, the tokenizer present. The library is optional here (the site serves it).
 */
export function checkFolder(sizes: ReadonlyMap<string, number>, config: ChatConfigFile, tensors: TensorCacheFile): FolderProblem[] {
  const problems: FolderProblem[] = [];
  const tok = tokenizerFile(config);
  if (!sizes.has(tok)) problems.push({ path: tok, problem: 'missing' });
  for (const r of tensors.records) {
    const actual = sizes.get(r.dataPath);
    if (actual === undefined) problems.push({ path: r.dataPath, problem: 'missing' });
    else if (actual !== r.nbytes) problems.push({ path: r.dataPath, problem: 'size', expected: r.nbytes, actual });
  }
  return problems;
}

/** One sentence per problem, the first few, for the import dialog. */
export function describeProblems(problems: FolderProblem[], limit = 5): string {
  const lines = problems.slice(0, limit).map((p) =>
    p.problem === 'missing' ? `${p.path} is missing` : `${p.path} has ${p.actual} bytes, but ${TENSOR_CACHE} says ${p.expected}`,
  );
  const more = problems.length > limit ? ` (and ${problems.length - limit} more)` : '';
  return `${lines.join('; ')}${more}.`;
}

/**
 * Strips the chosen folder's own name from paths (a directory picker gives `RadReportX-8B-q4f16_1/params_shard_0.bin`)
 * and finds the model folder inside it: the one holding mlc-chat-config.json, nearest the top.
 */
export function modelRoot(paths: readonly string[]): string | undefined {
  const roots = paths
    .filter((p) => p === CHAT_CONFIG || p.endsWith(`/${CHAT_CONFIG}`))
    .map((p) => p.slice(0, p.length - CHAT_CONFIG.length))
    .sort((a, b) => a.split('/').length - b.split('/').length || a.localeCompare(b));
  return roots[0];
}
