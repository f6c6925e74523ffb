/**
 * The Model tab's CPU-engine state: what this browser allows (threads, isolation, memory), the GGUF models kept
 * here, the one loaded in the worker, and which engine to use and why. The worker does the work.
 */
import * as Comlink from 'comlink';
import { errorMessage } from '../lib/errors.ts';
import type { CapabilityReport } from '../lib/llm/capability.ts';
import { chooseEngine, evaluateCpu, ggufMemoryBytes, type CpuDescription, type CpuVerdict, type EngineChoice } from '../lib/llm/gguf-capability.ts';
import type { GgufLoadOptions, LoadedGguf, StoredGguf } from '../lib/llm/gguf-protocol.ts';
import type { LoadProgress } from '../lib/llm/progress.ts';
import { parseGgufEntries, type GgufEntry } from '../lib/llm/gguf-registry.ts';
import registry from '../lib/models/registry.json' with { type: 'json' };
import { engines } from './engines.svelte.ts';
import { labeler } from './labeler.ts';

/** Context the CPU engine loads with: a long report's json prompt plus its answer fits. */
export const GGUF_CONTEXT = 4096;

function memory64(): boolean {
  try {
    new WebAssembly.Memory({ address: 'i64', initial: 1n } as unknown as WebAssembly.MemoryDescriptor);
    return true;
  } catch {
    return false;
  }
}

export function describeCpu(): CpuDescription {
  const nav = navigator as Navigator & { deviceMemory?: number };
  return { crossOriginIsolated: globalThis.crossOriginIsolated === true, hardwareConcurrency: nav.hardwareConcurrency || 1, deviceMemoryGB: nav.deviceMemory, memory64: memory64() };
}

class GgufState {
  readonly cpu: CpuDescription = describeCpu();
  /** GGUF builds this site lists (registry entries of kind gguf, written by build-model --format gguf). */
  readonly listed: readonly GgufEntry[] = parseGgufEntries((registry as { gguf?: unknown }).gguf);
  stored = $state.raw<StoredGguf[]>([]);
  loaded = $state.raw<LoadedGguf | undefined>();
  busy = $state<'import' | 'load' | undefined>();
  progress = $state.raw<LoadProgress | undefined>();
  problem = $state<string | undefined>();
  notice = $state<string | undefined>();
  /** Finding names only: about half the answer tokens, no evidence quotes. */
  namesOnly = $state(false);
  /** `json` (this project's prompt) or `release` (the released RadReportX's own prompts, for its GGUF build). */
  profile = $state<GgufLoadOptions['profile']>('json');
  /** Threads to load with; undefined = the capability check's choice. More than 1 only when cross-origin isolated. */
  threads = $state<number | undefined>();

  /** Size, memory need and the capability checks for one stored model. */
  verdict(m: StoredGguf): CpuVerdict & { needBytes: number } {
    const needBytes = ggufMemoryBytes({ meta: m.header }, m.bytes, GGUF_CONTEXT);
    return { ...evaluateCpu(this.cpu, needBytes), needBytes };
  }

  /** WebLLM when WebGPU can hold the model, else this engine for the first stored model that can run, else rules. */
  choice(gpu: CapabilityReport | undefined): EngineChoice {
    const runnable = this.stored.map((m) => this.verdict(m)).find((v) => v.canRun);
    return chooseEngine(gpu, runnable ?? (this.stored.length ? this.verdict(this.stored[0]) : undefined));
  }

  async refresh(): Promise<void> {
    try {
      this.stored = await labeler().ggufStored();
      this.loaded = await labeler().ggufLoaded();
    } catch (e) {
      this.problem = errorMessage(e);
    }
  }

  async import(files: File[]): Promise<void> {
    if (this.busy || !files.length) return;
    this.#start('import');
    try {
      const r = await labeler().ggufImport(files, Comlink.proxy((p: LoadProgress) => (this.progress = p)));
      if (r.ok) {
        this.notice = `Imported ${r.value.name} (${r.value.parts.length} file${r.value.parts.length === 1 ? '' : 's'}); it stays in this browser until you delete it.`;
        await this.refresh();
      } else this.problem = [r.message, r.hint].filter(Boolean).join(' ');
    } finally {
      this.#end();
    }
  }

  async load(m: StoredGguf): Promise<void> {
    if (this.busy) return;
    this.#start('load');
    const options: GgufLoadOptions = { threads: this.cpu.crossOriginIsolated ? (this.threads ?? this.verdict(m).threads) : 1, answer: this.namesOnly ? 'names' : 'evidence', profile: this.profile, contextSize: GGUF_CONTEXT };
    try {
      const r = await labeler().ggufLoad(m.name, options);
      if (r.ok) {
        this.loaded = r.value;
        await engines.refresh();
        engines.selected = 'wllama';
        this.notice = `Loaded ${r.value.name} in ${r.value.loadSeconds.toFixed(1)} s on ${r.value.threads} thread${r.value.threads === 1 ? '' : 's'}; the "wllama" engine is now selected for single reports and batches.`;
      } else this.problem = [r.message, r.hint].filter(Boolean).join(' ');
    } finally {
      this.#end();
    }
  }

  async unload(): Promise<void> {
    await labeler().ggufUnload();
    this.loaded = undefined;
    if (engines.selected === 'wllama') engines.selected = 'rules';
    this.notice = 'The GGUF model was unloaded; it stays stored in this browser.';
  }

  async remove(m: StoredGguf): Promise<void> {
    await labeler().ggufDelete(m.name);
    if (this.loaded?.name === m.name) this.loaded = undefined;
    await this.refresh();
    this.notice = `${m.name} was deleted from this browser.`;
  }

  #start(kind: 'import' | 'load'): void {
    this.busy = kind;
    this.problem = undefined;
    this.notice = undefined;
    this.progress = undefined;
  }

  #end(): void {
    this.busy = undefined;
    this.progress = undefined;
  }
}

export const gguf = new GgufState();
