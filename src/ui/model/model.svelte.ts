/**
 * The Model tab's state: what the GPU can do, which models are cached, and the one load in progress. The worker
 * does the work (download, cache, WebLLM); this class turns its answers and progress into reactive fields.
 */
import * as Comlink from 'comlink';
import { evaluateCapability, type CapabilityReport } from '../../lib/llm/capability.ts';
import type { LoadProgress } from '../../lib/llm/progress.ts';
import type { FailedOutcome } from '../../lib/errors.ts';
import type { ImportFile, LoadedModel, ModelCacheStatus } from '../../lib/llm/protocol.ts';
import type { RegistryEntry, WeightSource } from '../../lib/llm/registry.ts';
import { errorMessage } from '../../lib/errors.ts';
import { probeGpu } from '../../platform/webllm/probe.ts';
import { mirrors, modelRegistry } from '../../platform/webllm/site.ts';
import { engines } from '../../state/engines.svelte.ts';
import { labeler } from '../../state/labeler.ts';

export interface Problem {
  message: string;
  hint?: string;
}

class ModelState {
  readonly models: readonly RegistryEntry[] = modelRegistry().models;
  readonly mirrors: readonly string[] = mirrors();
  capability = $state.raw<CapabilityReport | undefined>();
  probing = $state(false);
  source = $state<WeightSource>('site');
  cache = $state<Record<string, ModelCacheStatus | undefined>>({});
  loaded = $state.raw<LoadedModel | undefined>();
  /** The model being loaded or imported, and how far along it is. */
  busyId = $state<string | undefined>();
  busyKind = $state<'load' | 'import' | undefined>();
  progress = $state.raw<LoadProgress | undefined>();
  problem = $state.raw<Problem | undefined>();
  notice = $state<string | undefined>();
  persisted = $state<boolean | undefined>();

  async probe(): Promise<void> {
    this.probing = true;
    try {
      this.capability = evaluateCapability(await probeGpu(), this.models);
      this.persisted = await navigator.storage?.persisted?.();
    } finally {
      this.probing = false;
    }
  }

  async refresh(): Promise<void> {
    this.loaded = await labeler().loadedModel();
    await Promise.all(this.models.map((m) => this.refreshCache(m.id)));
  }

  async refreshCache(id: string): Promise<void> {
    const r = await labeler().modelCacheStatus(id, this.source);
    this.cache[id] = r.ok ? r.value : undefined;
  }

  #fail(r: FailedOutcome): void {
    if (r.code === 'Cancelled') this.notice = r.message;
    else this.problem = { message: r.message, hint: r.hint };
  }

  async load(id: string): Promise<void> {
    if (this.busyId) return;
    this.#start(id, 'load');
    try {
      const r = await labeler().loadModel(id, this.source, Comlink.proxy((p: LoadProgress) => (this.progress = p)));
      if (r.ok) {
        this.loaded = r.value;
        this.notice = `Loaded in ${r.value.loadSeconds.toFixed(1)} s. Choose "webllm" as the engine to label with it.`;
        await engines.refresh();
      } else this.#fail(r);
    } catch (e) {
      this.problem = { message: errorMessage(e) };
    } finally {
      this.#end(id);
    }
  }

  async cancel(): Promise<void> {
    await labeler().cancelLoad();
  }

  async unload(): Promise<void> {
    await labeler().unloadModel();
    this.loaded = undefined;
    this.notice = 'The model was unloaded; its files stay cached.';
  }

  async remove(id: string): Promise<void> {
    const r = await labeler().deleteModel(id, this.source);
    if (r.ok) {
      this.cache[id] = r.value;
      if (this.loaded?.modelId === id) this.loaded = undefined;
      this.notice = 'The model files were deleted from this browser.';
    } else this.#fail(r);
  }

  async importFiles(id: string, files: ImportFile[]): Promise<void> {
    if (this.busyId) return;
    this.#start(id, 'import');
    try {
      const r = await labeler().importModelFolder(id, files, Comlink.proxy((p: LoadProgress) => (this.progress = p)));
      if (r.ok) this.notice = `Imported ${r.value.files} files. ${r.value.libraryImported ? 'Loading now needs no network at all.' : 'The model library will come from this site when the model loads.'}`;
      else this.#fail(r);
    } catch (e) {
      this.problem = { message: errorMessage(e) };
    } finally {
      this.#end(id);
    }
  }

  /** Asks the browser not to evict the model files when disk space runs low. */
  async persist(): Promise<void> {
    this.persisted = (await navigator.storage?.persist?.()) ?? false;
    if (!this.persisted) this.notice = 'The browser did not grant persistent storage; the model files may be evicted if the disk fills up.';
  }

  #start(id: string, kind: 'load' | 'import'): void {
    this.busyId = id;
    this.busyKind = kind;
    this.progress = undefined;
    this.problem = undefined;
    this.notice = undefined;
  }

  #end(id: string): void {
    this.busyId = undefined;
    this.busyKind = undefined;
    this.progress = undefined;
    void this.refreshCache(id);
  }
}

export const model = new ModelState();
