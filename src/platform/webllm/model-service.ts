/**
 * The worker side of the model API: one WebLLM MLCEngine per worker, created on the first load (the WebLLM
 * bundle is imported only then), plus the `webllm` labeling engine that delegates to whichever model is loaded.
 */
import type { MLCEngine } from '@mlc-ai/web-llm';
import type { LabelEngine, LabelOptions } from '../../lib/engine.ts';
import { RadReportXError, type Outcome } from '../../lib/errors.ts';
import { createLlmEngine } from '../../lib/llm/engine.ts';
import { fromWebLlm } from '../../lib/llm/progress.ts';
import type { ImportFile, LoadProgressCallback, LoadedModel, ModelApi, ModelCacheStatus } from '../../lib/llm/protocol.ts';
import { appConfig, type ResolvedModel, type WeightSource } from '../../lib/llm/registry.ts';
import { isAbort, mapWebLlmError } from '../../lib/llm/webllm-errors.ts';
import type { EngineInfo } from '../../lib/result.ts';
import { cacheStatus, deleteModelFiles } from './cache.ts';
import { downloadModel } from './download.ts';
import { importFolder } from './import-folder.ts';
import { shippedRegistry } from '../../lib/models/shipped.ts';
import { resolve } from './site.ts';

interface Current {
  model: ResolvedModel;
  engine: LabelEngine;
  loaded: LoadedModel;
}

let mlc: MLCEngine | undefined;
let current: Current | undefined;
let loading: AbortController | undefined;

const webllm = () => import('@mlc-ai/web-llm');

export const WEBLLM_ENGINE_ID = 'webllm';
/** Read afresh each time the worker lists its engines, so the picker names the model loaded now. */
export const WEBLLM_INFO: EngineInfo = {
  name: 'webllm',
  get version() {
    return current ? current.engine.info.version : '(no model loaded)';
  },
};

/** The `webllm` engine: whatever model is loaded now, or a plain error asking to load one. */
export const webLlmEngine: LabelEngine = {
  get info() {
    return current?.engine.info ?? { name: WEBLLM_INFO.name, version: WEBLLM_INFO.version };
  },
  label(text: string, options?: LabelOptions) {
    if (!current) return Promise.reject(new RadReportXError('ModelNotAvailable', 'No model is loaded.', 'Load RadReportX or a stock model on the Model tab first.'));
    return current.engine.label(text, options);
  },
};

/** For the engine slot's lazy load: succeed only once a model is loaded. */
export async function loadedWebLlmEngine(): Promise<LabelEngine> {
  if (!current) throw new RadReportXError('ModelNotAvailable', 'No model is loaded.', 'Load RadReportX or a stock model on the Model tab first.');
  return webLlmEngine;
}

function failure<T>(e: unknown, context: { modelName?: string; libraryUrl?: string } = {}): Outcome<T> {
  if (isAbort(e)) return { ok: false, code: 'Cancelled', message: 'Loading was cancelled. The files downloaded so far stay cached.' };
  const known = e instanceof RadReportXError ? e : mapWebLlmError(e, context);
  return { ok: false, code: known.code, message: known.message, hint: known.hint };
}

async function outcome<T>(f: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await f() };
  } catch (e) {
    return failure(e);
  }
}

async function engineFor(model: ResolvedModel, onProgress: LoadProgressCallback): Promise<MLCEngine> {
  const { MLCEngine } = await webllm();
  const config = appConfig([model]);
  const progress = (r: { progress: number; timeElapsed: number; text: string }) => onProgress(fromWebLlm(r));
  if (!mlc) mlc = new MLCEngine({ appConfig: config, initProgressCallback: progress, logLevel: 'WARN' });
  mlc.setAppConfig(config);
  mlc.setInitProgressCallback(progress);
  return mlc;
}

async function load(modelId: string, source: WeightSource, onProgress: LoadProgressCallback, signal: AbortSignal): Promise<LoadedModel> {
  const started = performance.now();
  // A stock model whose origins this build does not enable is refused before any request (the CSP would block it).
  const model = resolve(modelId, source, true);
  try {
    const { bytesDownloaded } = await downloadModel(model, signal, onProgress);
    onProgress({ phase: 'library' });
    const engine = await engineFor(model, onProgress);
    if (current) {
      current = undefined;
      await engine.unload();
    }
    await engine.reload(model.entry.id);
    // reload() returns quietly when unload() aborted it, so the signal is the only sign of a cancel.
    if (signal.aborted) throw signal.reason ?? new DOMException('Cancelled', 'AbortError');
    const loaded: LoadedModel = { modelId, source, loadSeconds: (performance.now() - started) / 1000, bytesDownloaded };
    current = { model, engine: createLlmEngine(engine, model.entry), loaded };
    onProgress({ phase: 'ready', fraction: 1 });
    return loaded;
  } catch (e) {
    if (signal.aborted || isAbort(e)) throw new DOMException('Cancelled', 'AbortError');
    // The raw error, for whoever opens the console: it names files and WebLLM internals, never report text.
    console.warn('[radreportx] model load failed:', e);
    throw e instanceof RadReportXError ? e : mapWebLlmError(e, { modelName: model.entry.name, libraryUrl: model.libraryUrl });
  }
}

export function createModelService(): ModelApi {
  return {
    async loadedModel() {
      return current?.loaded;
    },

    async modelCacheStatus(modelId, source = 'site') {
      return outcome(async (): Promise<ModelCacheStatus> => {
        const model = resolve(modelId, source);
        const status = await cacheStatus(model);
        // When our reading says cached, WebLLM's own verdict confirms it, so "cached" means what the engine will see.
        // Asked only then: the WebLLM bundle (6 MB) is not fetched just to learn that nothing is cached.
        if (status.cached) {
          const { hasModelInCache } = await webllm();
          status.cached = await hasModelInCache(modelId, appConfig([model]));
        }
        return status;
      });
    },

    async loadModel(modelId, source, onProgress) {
      if (loading) return { ok: false, code: 'Busy', message: 'A model is already loading.', hint: 'Wait for it, or cancel it first.' };
      const controller = new AbortController();
      loading = controller;
      try {
        return { ok: true, value: await load(modelId, source, onProgress, controller.signal) };
      } catch (e) {
        return failure(e);
      } finally {
        if (loading === controller) loading = undefined;
      }
    },

    async cancelLoad() {
      if (!loading) return;
      loading.abort(new DOMException('Cancelled', 'AbortError'));
      // Aborts WebLLM's own reload (its fetches and GPU upload) if it has started.
      await mlc?.unload().catch(() => undefined);
    },

    async unloadModel() {
      current = undefined;
      await mlc?.unload();
    },

    async deleteModel(modelId, source = 'site') {
      return outcome(async () => {
        const model = resolve(modelId, source);
        if (current?.model.entry.id === modelId && current.model.source === source) {
          current = undefined;
          await mlc?.unload();
        }
        const others = shippedRegistry().models.map((m) => resolve(m.id, 'site'));
        await deleteModelFiles(model, others);
        return cacheStatus(model);
      });
    },

    async importModelFolder(modelId: string, files: ImportFile[], onProgress: LoadProgressCallback) {
      return outcome(() => importFolder(resolve(modelId, 'site'), files, onProgress));
    },
  };
}

