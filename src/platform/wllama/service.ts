/**
 * The worker side of the CPU engine: one wllama instance per worker, created on the first load (the wllama bundle
 * and its 10 MB WebAssembly are fetched only then, from this site), plus the `wllama` labeling engine that uses
 * whichever GGUF model is loaded. WebGPU is off for wllama (`n_gpu_layers: 0`): WebLLM is the GPU engine.
 */
import type { Wllama } from '@wllama/wllama';
import wasmUrl from '@wllama/wllama/esm/wasm/wllama.wasm?url';
import type { LabelEngine, LabelOptions } from '../../lib/engine.ts';
import { errorCode, errorMessage, RadReportXError } from '../../lib/errors.ts';
import { createGgufEngine, namesOnlySchema } from '../../lib/llm/gguf-engine.ts';
import type { GgufApi, GgufLoadOptions, LoadedGguf } from '../../lib/llm/gguf-protocol.ts';
import type { Outcome } from '../../lib/errors.ts';
import type { EngineInfo } from '../../lib/result.ts';
import { createWllamaRuntime } from './runtime.ts';
import { deleteStored, headerOf, importGguf, listStored, storedFiles } from './store.ts';

export const WLLAMA_ENGINE_ID = 'wllama';

interface Current {
  wllama: Wllama;
  engine: LabelEngine;
  loaded: LoadedGguf;
}

let current: Current | undefined;
let loading: Promise<unknown> | undefined;

export const WLLAMA_INFO: EngineInfo = {
  name: 'wllama',
  get version() {
    return current ? current.engine.info.version : '(no GGUF model loaded)';
  },
};

/** The `wllama` engine: the GGUF model loaded now, or a plain error asking to load one. */
export const wllamaEngine: LabelEngine = {
  info: WLLAMA_INFO,
  label(text: string, options?: LabelOptions) {
    if (!current) {
      return Promise.reject(new RadReportXError('ModelNotAvailable', 'No GGUF model is loaded for the CPU engine.', 'Open the Model tab, import a .gguf file and load it.'));
    }
    return current.engine.label(text, options);
  },
};

function fail<T>(e: unknown): Outcome<T> {
  return { ok: false, code: errorCode(e) ?? 'Failed', message: errorMessage(e), hint: (e as { hint?: string }).hint };
}

async function unload(): Promise<void> {
  const c = current;
  current = undefined;
  await c?.wllama.exit().catch(() => undefined);
}

async function load(name: string, options: GgufLoadOptions): Promise<LoadedGguf> {
  const files = await storedFiles(name).catch(() => {
    throw new RadReportXError('ModelNotAvailable', `The GGUF model "${name}" is not in this browser any more.`, 'Import it again.');
  });
  const header = await headerOf(files[0]);
  const t0 = performance.now();
  await unload();
  const { Wllama } = await import('./wllama-bundle.ts');
  // Assets from this site only: no CDN "compat" build, no model hub.
  const wllama = new Wllama({ default: new URL(wasmUrl, self.location.href).href }, { suppressNativeLog: true });
  wllama.setCompat(null);
  const contextSize = Math.min(options.contextSize ?? 4096, Number(header.meta['llama.context_length'] ?? 4096));
  try {
    await wllama.loadModel(files, { n_ctx: contextSize, n_threads: options.threads, n_gpu_layers: 0, seed: 42, n_parallel: 1 });
  } catch (e) {
    await wllama.exit().catch(() => undefined);
    throw new RadReportXError('ModelLoadFailed', `llama.cpp could not load "${name}": ${errorMessage(e)}`, 'Check the file is a complete GGUF model; close other tabs if memory ran out.');
  }
  const engine = createGgufEngine(createWllamaRuntime(wllama, header.highByteTokens), {
    engineName: 'wllama',
    modelId: name,
    profile: options.profile,
    schemaFor: options.answer === 'names' ? (r) => (r.schema ? namesOnlySchema(r.schema) : undefined) : undefined,
  });
  const loaded: LoadedGguf = {
    name,
    bytes: files.reduce((n, f) => n + f.size, 0),
    threads: wllama.getNumThreads(),
    multithread: wllama.isMultithread(),
    contextSize,
    answer: options.answer,
    profile: options.profile,
    loadSeconds: (performance.now() - t0) / 1000,
  };
  current = { wllama, engine, loaded };
  return loaded;
}

export function createGgufService(): GgufApi {
  return {
    ggufStored: listStored,
    async ggufImport(files, onProgress) {
      try {
        return { ok: true, value: await importGguf(files, onProgress) };
      } catch (e) {
        return fail(e);
      }
    },
    async ggufLoad(name, options) {
      if (loading) return { ok: false, code: 'Busy', message: 'A GGUF model is loading already.' };
      const p = load(name, options);
      loading = p;
      try {
        return { ok: true, value: await p };
      } catch (e) {
        return fail(e);
      } finally {
        loading = undefined;
      }
    },
    ggufLoaded: async () => current?.loaded,
    ggufUnload: unload,
    async ggufDelete(name) {
      if (current?.loaded.name === name) await unload();
      await deleteStored(name);
    },
  };
}
