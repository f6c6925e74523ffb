/**
 * The model files in Cache Storage, under the cache names and URLs WebLLM reads (see src/lib/llm/files.ts):
 * what is cached, how much room it takes, writing one file, deleting a model.
 */
import { CACHE_NAMES, CHAT_CONFIG, TENSOR_CACHE, readTensorCache, type CacheScope, type TensorCacheFile } from '../../lib/llm/files.ts';
import type { ModelCacheStatus } from '../../lib/llm/protocol.ts';
import type { ResolvedModel } from '../../lib/llm/registry.ts';

const open = (scope: CacheScope) => caches.open(scope);

export async function cachedText(scope: CacheScope, url: string): Promise<string | undefined> {
  const res = await (await open(scope)).match(url);
  return res ? res.text() : undefined;
}

export async function isCached(scope: CacheScope, url: string): Promise<boolean> {
  return !!(await (await open(scope)).match(url));
}

/** Stores a body under `url`; `size` becomes content-length so sizes can be summed without reading the body. */
export async function putFile(scope: CacheScope, url: string, body: BodyInit, size?: number, type = 'application/octet-stream'): Promise<void> {
  const headers: Record<string, string> = { 'content-type': type };
  if (size !== undefined) headers['content-length'] = String(size);
  await (await open(scope)).put(new Request(url), new Response(body, { status: 200, headers }));
}

async function entrySize(cache: Cache, req: Request): Promise<number> {
  const res = await cache.match(req);
  if (!res) return 0;
  const len = Number(res.headers.get('content-length'));
  if (Number.isFinite(len) && len > 0) return len;
  // Chromium keeps cached blobs on disk, so asking a blob its size does not read it into memory.
  return (await res.blob()).size;
}

/** The cached tensor-cache.json of a model, if present and readable. */
export async function cachedManifest(model: ResolvedModel): Promise<TensorCacheFile | undefined> {
  const text = await cachedText(CACHE_NAMES.model, new URL(TENSOR_CACHE, model.weightsUrl).href);
  if (text === undefined) return undefined;
  try {
    return readTensorCache(text);
  } catch {
    return undefined;
  }
}

/**
 * Cache status from the cache contents. `cached` here is our own reading; the worker replaces it with WebLLM's
 * `hasModelInCache` so the answer is the one the engine will act on.
 */
export async function cacheStatus(model: ResolvedModel): Promise<ModelCacheStatus> {
  const manifest = await cachedManifest(model);
  const modelCache = await open(CACHE_NAMES.model);
  const keys = new Set((await modelCache.keys()).map((r) => r.url));
  const shardsTotal = manifest?.records.length ?? 0;
  const shardsCached = manifest ? manifest.records.filter((r) => keys.has(new URL(r.dataPath, model.weightsUrl).href)).length : 0;
  let bytes = 0;
  for (const scope of [CACHE_NAMES.model, CACHE_NAMES.config] as const) {
    const cache = await open(scope);
    for (const req of await cache.keys()) if (req.url.startsWith(model.weightsUrl)) bytes += await entrySize(cache, req);
  }
  const wasm = await open(CACHE_NAMES.wasm);
  const lib = await wasm.match(model.libraryUrl);
  if (lib) bytes += await entrySize(wasm, new Request(model.libraryUrl));
  return {
    modelId: model.entry.id,
    source: model.source,
    cached: !!manifest && shardsCached === shardsTotal,
    libraryCached: !!lib,
    bytes,
    shardsCached,
    shardsTotal,
  };
}

/**
 * Deletes every entry of the model: all keys under its folder URL in `webllm/model` and `webllm/config` (WebLLM's
 * own deleteModelAllInfoInCache leaves tensor-cache.json behind and re-downloads it first when it is missing), and
 * the library unless another model still cached uses the same one.
 */
export async function deleteModelFiles(model: ResolvedModel, others: readonly ResolvedModel[] = []): Promise<void> {
  for (const scope of [CACHE_NAMES.model, CACHE_NAMES.config] as const) {
    const cache = await open(scope);
    for (const req of await cache.keys()) if (req.url.startsWith(model.weightsUrl)) await cache.delete(req);
  }
  const shared = others.filter((o) => o.entry.id !== model.entry.id && o.libraryUrl === model.libraryUrl);
  const stillUsed = await Promise.all(shared.map((o) => isCached(CACHE_NAMES.config, new URL(CHAT_CONFIG, o.weightsUrl).href)));
  if (!stillUsed.some(Boolean)) await (await open(CACHE_NAMES.wasm)).delete(model.libraryUrl);
}
