/**
 * Downloads a model's files into WebLLM's caches before the engine starts, so the person sees bytes, percent and
 * time left for every file (WebLLM itself reports only on shards, and only once the library is running), can
 * cancel at any point, and resumes file by file: whatever is already cached is skipped.
 */
import { CACHE_NAMES, CHAT_CONFIG, TENSOR_CACHE, modelFiles, readChatConfig, readTensorCache, type CacheScope, type ModelFile } from '../../lib/llm/files.ts';
import { eta, type LoadProgress } from '../../lib/llm/progress.ts';
import type { ResolvedModel } from '../../lib/llm/registry.ts';
import { RadReportXError } from '../../lib/errors.ts';
import { looksLikeHtml } from '../../lib/llm/verify-files.ts';
import { cachedText, isCached, putFile } from './cache.ts';

/** Parallel downloads: enough to fill a connection, few enough not to starve the page. WebLLM uses 4. */
const PARALLEL = 3;
const REPORT_EVERY_MS = 150;

function notFound(url: string, status: number, kind?: ModelFile['kind']): RadReportXError {
  if (kind === 'library') {
    return new RadReportXError(
      'ModelNotAvailable',
      `The model library ${url.split('/').pop()} is not on this site (HTTP ${status}).`,
      'Put the prebuilt WebLLM v0_2_86 library under public/models/lib/ (see public/models/README.md), or import a model folder that contains it.',
    );
  }
  return new RadReportXError(
    'ModelNotAvailable',
    `The model file ${url} could not be downloaded (HTTP ${status}).`,
    status === 404
      ? 'The site does not serve this model: put its folder under public/models/ (see public/models/README.md), or import it from a folder on this computer.'
      : 'Check the connection and try again.',
  );
}

/**
 * A static host with an SPA fallback answers every path it does not have with the site's own index.html and
 * HTTP 200. That page is not a model file: say the files are missing, and where they go.
 */
function notOnServer(url: string): RadReportXError {
  const path = new URL(url).pathname;
  return new RadReportXError(
    'ModelNotAvailable',
    `The model files are not on this server: asked for ${path}, the site answered with its own web page (index.html), as sites do for files they do not have.`,
    `Put the model folder at public/models/ in the project before building (see public/models/README.md), or copy it into the same path of the deployed site (${path.replace(/[^/]*$/, '')}), or use "Import from a folder…" on this card.`,
  );
}

async function fetchOk(url: string, signal: AbortSignal, kind?: ModelFile['kind']): Promise<Response> {
  const res = await fetch(url, { signal, cache: 'no-store' });
  if (!res.ok || !res.body) throw notFound(url, res.status, kind);
  // No model file is HTML; the content type says so without reading the body.
  if (/^text\/html\b/i.test(res.headers.get('content-type') ?? '')) {
    void res.body.cancel().catch(() => undefined);
    throw notOnServer(url);
  }
  return res;
}

/** A small manifest: from the cache, else downloaded and cached. */
async function manifest(scope: CacheScope, url: string, signal: AbortSignal): Promise<{ text: string; fetched: number }> {
  const cached = await cachedText(scope, url);
  if (cached !== undefined) return { text: cached, fetched: 0 };
  const text = await (await fetchOk(url, signal)).text();
  // Some hosts send the fallback page as text/plain or without a type: the manifest's first bytes tell.
  if (looksLikeHtml(new TextEncoder().encode(text.slice(0, 512)))) throw notOnServer(url);
  const bytes = new TextEncoder().encode(text);
  await putFile(scope, url, bytes, bytes.byteLength, 'application/json');
  return { text, fetched: bytes.byteLength };
}

export interface DownloadResult {
  files: ModelFile[];
  bytesDownloaded: number;
}

/** Brings every file of `model` into the cache; `onProgress` gets the `downloading` phase. */
export async function downloadModel(model: ResolvedModel, outer: AbortSignal, onProgress: (p: LoadProgress) => void): Promise<DownloadResult> {
  // One failed file stops the others too, instead of letting them run on after the load has failed.
  const inner = new AbortController();
  const stop = () => inner.abort(outer.reason);
  if (outer.aborted) stop();
  else outer.addEventListener('abort', stop, { once: true });
  try {
    return await download(model, inner, onProgress);
  } finally {
    outer.removeEventListener('abort', stop);
  }
}

async function download(model: ResolvedModel, inner: AbortController, onProgress: (p: LoadProgress) => void): Promise<DownloadResult> {
  const signal = inner.signal;
  if (signal.aborted) throw signal.reason;
  onProgress({ phase: 'checking' });
  const config = await manifest(CACHE_NAMES.config, new URL(CHAT_CONFIG, model.weightsUrl).href, signal);
  const tensors = await manifest(CACHE_NAMES.model, new URL(TENSOR_CACHE, model.weightsUrl).href, signal);
  const files = modelFiles(model, readChatConfig(config.text), readTensorCache(tensors.text));
  const missing: ModelFile[] = [];
  for (const f of files) if (!(await isCached(f.cache, f.url))) missing.push(f);
  // The library first: it is small, and a site without it should fail in a second, not after gigabytes of weights.
  missing.sort((a, b) => Number(b.kind === 'library') - Number(a.kind === 'library'));

  // Sizes of the tokenizer and library are unknown until their responses arrive; they are small next to shards.
  let bytesTotal = missing.reduce((n, f) => n + (f.size ?? 0), 0);
  let bytesDone = 0;
  const started = performance.now();
  let lastReport = 0;
  let current = '';
  const report = (force = false) => {
    const now = performance.now();
    if (!force && now - lastReport < REPORT_EVERY_MS) return;
    lastReport = now;
    const elapsed = (now - started) / 1000;
    const fraction = bytesTotal ? bytesDone / bytesTotal : undefined;
    onProgress({ phase: 'downloading', bytesDone, bytesTotal, fraction, file: current, elapsedSeconds: elapsed, etaSeconds: fraction !== undefined ? eta(fraction, elapsed) : undefined });
  };

  const fetchOne = async (f: ModelFile) => {
    current = f.path;
    const res = await fetchOk(f.url, signal, f.kind);
    // content-length is the compressed size when the server compresses, so it only estimates files of unknown size.
    const length = res.headers.get('content-encoding') ? undefined : Number(res.headers.get('content-length')) || undefined;
    if (f.size === undefined && length) bytesTotal += length;
    let got = 0;
    let sizeError: RadReportXError | undefined;
    const counted = res.body!.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, ctl) {
          got += chunk.byteLength;
          bytesDone += chunk.byteLength;
          report();
          ctl.enqueue(chunk);
        },
        // A shard of the wrong size would load garbage onto the GPU: fail here, and the cache keeps nothing.
        flush(ctl) {
          if (f.size !== undefined && got !== f.size) {
            sizeError = new RadReportXError('ModelLoadFailed', `${f.path} is ${got} bytes on the server, but ${TENSOR_CACHE} says ${f.size}.`, 'The model folder on the server is incomplete or mixed up; rebuild or re-upload it.');
            ctl.error(sizeError);
          }
        },
      }),
    );
    try {
      // Cache.put is all or nothing: a cancelled or broken download leaves no half file behind.
      await putFile(f.cache, f.url, counted, f.size ?? length);
    } catch (e) {
      bytesDone -= got;
      throw sizeError ?? e;
    }
    report(true);
  };

  const queue = [...missing];
  const worker = async () => {
    for (let f = queue.shift(); f; f = queue.shift()) {
      if (signal.aborted) throw signal.reason;
      try {
        await fetchOne(f);
      } catch (e) {
        if (!signal.aborted) inner.abort(e);
        throw e;
      }
    }
  };
  if (missing.length) {
    report(true);
    await Promise.all(Array.from({ length: Math.min(PARALLEL, missing.length) }, worker));
  }
  return { files, bytesDownloaded: bytesDone + config.fetched + tensors.fetched };
}
