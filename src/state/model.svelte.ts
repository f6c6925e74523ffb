/**
 * The Model tab's state: what the GPU can do, which models are cached, and the one load in progress. The worker
 * does the work (download, cache, WebLLM); this class turns its answers and progress into reactive fields.
 */
import * as Comlink from 'comlink';
import { evaluateCapability, type CapabilityReport } from '../lib/llm/capability.ts';
import type { LoadProgress } from '../lib/llm/progress.ts';
import type { FailedOutcome } from '../lib/errors.ts';
import type { ImportFile, LoadedModel, ModelCacheStatus } from '../lib/llm/protocol.ts';
import type { RegistryEntry, WeightSource } from '../lib/llm/registry.ts';
import { plainMessage, plainText } from './messages.ts';
import { mirrorOrigins } from '../lib/csp.ts';
import { shippedRegistry } from '../lib/models/shipped.ts';
import deploy from '../../deploy.config.json' with { type: 'json' };
import { probeGpu } from './gpu-probe.ts';
import { engines } from './engines.svelte.ts';
import { labeler } from './labeler.ts';

export interface Problem {
  message: string;
  hint?: string;
}

/** What the state needs from the labeling worker (tests pass a stand-in). */
export type ModelWorker = Pick<
  LabelerApiRemote,
  'loadedModel' | 'modelCacheStatus' | 'loadModel' | 'cancelLoad' | 'unloadModel' | 'deleteModel' | 'importModelFolder'
>;
type LabelerApiRemote = ReturnType<typeof labeler>;

export class ModelState {
  readonly models: readonly RegistryEntry[];
  readonly mirrors: readonly string[];
  #capability = $state.raw<CapabilityReport | undefined>();
  #probing = $state(false);
  #source = $state<WeightSource>('site');
  #cache = $state<Record<string, ModelCacheStatus | undefined>>({});
  #loaded = $state.raw<LoadedModel | undefined>();
  /** The model being loaded or imported, and how far along it is. */
  #busyId = $state<string | undefined>();
  #busyKind = $state<'load' | 'import' | undefined>();
  #progress = $state.raw<LoadProgress | undefined>();
  /** The last load or import problem of each model, shown on that model's card. */
  #problems = $state.raw<Record<string, Problem | undefined>>({});
  #notice = $state<string | undefined>();
  #persisted = $state<boolean | undefined>();
  readonly #worker: () => ModelWorker;

  constructor(models: readonly RegistryEntry[] = shippedRegistry().models, mirrorList: readonly string[] = mirrorOrigins(deploy), worker: () => ModelWorker = labeler) {
    this.models = models;
    this.mirrors = mirrorList;
    this.#worker = worker;
  }

  get capability(): CapabilityReport | undefined {
    return this.#capability;
  }
  get probing(): boolean {
    return this.#probing;
  }
  /** Where model files are fetched from: this site, or one of the mirrors named in deploy.config.json. */
  get source(): WeightSource {
    return this.#source;
  }
  set source(source: WeightSource) {
    this.#source = source;
  }
  /** What the browser's cache holds for a model, as last checked. */
  cacheOf(id: string): ModelCacheStatus | undefined {
    return this.#cache[id];
  }
  get loaded(): LoadedModel | undefined {
    return this.#loaded;
  }
  get busyId(): string | undefined {
    return this.#busyId;
  }
  get busyKind(): 'load' | 'import' | undefined {
    return this.#busyKind;
  }
  get progress(): LoadProgress | undefined {
    return this.#progress;
  }
  /** What went wrong with this model's last load or import, in plain words, with the step that fixes it. */
  problemOf(id: string): Problem | undefined {
    return this.#problems[id];
  }
  get notice(): string | undefined {
    return this.#notice;
  }
  get persisted(): boolean | undefined {
    return this.#persisted;
  }

  async probe(): Promise<void> {
    this.#probing = true;
    try {
      this.#capability = evaluateCapability(await probeGpu(), this.models);
      this.#persisted = await navigator.storage?.persisted?.();
    } finally {
      this.#probing = false;
    }
  }

  async refresh(): Promise<void> {
    this.#loaded = await this.#worker().loadedModel();
    await Promise.all(this.models.map((m) => this.refreshCache(m.id)));
  }

  async refreshCache(id: string): Promise<void> {
    const r = await this.#worker().modelCacheStatus(id, this.#source);
    this.#cache[id] = r.ok ? r.value : undefined;
  }

  #fail(id: string, r: FailedOutcome): void {
    if (r.code === 'Cancelled') this.#notice = plainText(r.message);
    else this.#setProblem(id, { message: plainText(r.message), hint: r.hint && plainText(r.hint) });
  }

  #setProblem(id: string, problem: Problem | undefined): void {
    this.#problems = { ...this.#problems, [id]: problem };
  }

  async load(id: string): Promise<void> {
    if (this.#busyId) return;
    this.#start(id, 'load');
    try {
      const r = await this.#worker().loadModel(id, this.#source, Comlink.proxy((p: LoadProgress) => (this.#progress = p)));
      if (r.ok) {
        this.#loaded = r.value;
        this.#notice = `Loaded in ${r.value.loadSeconds.toFixed(1)} s. Choose "webllm" as the engine to label with it.`;
        await engines.refresh();
      } else this.#fail(id, r);
    } catch (e) {
      this.#setProblem(id, { message: plainMessage(e) });
    } finally {
      await this.#end(id);
    }
  }

  async cancel(): Promise<void> {
    await this.#worker().cancelLoad();
  }

  async unload(): Promise<void> {
    await this.#worker().unloadModel();
    this.#loaded = undefined;
    this.#notice = 'The model was unloaded; its files stay cached.';
  }

  async remove(id: string): Promise<void> {
    const r = await this.#worker().deleteModel(id, this.#source);
    if (r.ok) {
      this.#cache[id] = r.value;
      if (this.#loaded?.modelId === id) this.#loaded = undefined;
      this.#notice = 'The model files were deleted from this browser.';
      this.#setProblem(id, undefined);
    } else this.#fail(id, r);
  }

  async importFiles(id: string, files: ImportFile[]): Promise<void> {
    if (this.#busyId) return;
    this.#start(id, 'import');
    try {
      const r = await this.#worker().importModelFolder(id, files, Comlink.proxy((p: LoadProgress) => (this.#progress = p)));
      if (r.ok) this.#notice = `Imported ${r.value.files} files. ${r.value.libraryImported ? 'Loading now needs no network at all.' : 'The model library will come from this site when the model loads.'}`;
      else this.#fail(id, r);
    } catch (e) {
      this.#setProblem(id, { message: plainMessage(e) });
    } finally {
      await this.#end(id);
    }
  }

  /** Asks the browser not to evict the model files when disk space runs low. */
  async persist(): Promise<void> {
    this.#persisted = (await navigator.storage?.persist?.()) ?? false;
    if (!this.#persisted) this.#notice = 'The browser did not grant persistent storage; the model files may be evicted if the disk fills up.';
  }

  #start(id: string, kind: 'load' | 'import'): void {
    this.#busyId = id;
    this.#busyKind = kind;
    this.#progress = undefined;
    this.#setProblem(id, undefined);
    this.#notice = undefined;
  }

  /** Ends a load or import; the card's cache status is read again, so it shows what a failed run left. */
  async #end(id: string): Promise<void> {
    this.#busyId = undefined;
    this.#busyKind = undefined;
    this.#progress = undefined;
    await this.refreshCache(id).catch(() => undefined);
  }
}

export const model = new ModelState();
