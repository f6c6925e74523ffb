/**
 * The helper labeling workers of the batch worker. A job with the rule engine hands batches of rows to helpers and
 * labels a batch itself only when every helper's queue is full or no helper has started yet, so this worker keeps
 * reading and storing while the helpers label. The LLM engine never uses them (one model, one GPU): while an LLM
 * job runs, no helper is started.
 */
import { RadReportXError, type ErrorCode } from '../lib/errors.ts';
import HelperWorker from './pool.worker.ts?worker&inline';
import type { HelperMessage, PoolBatch, PoolOutput } from './pool-protocol.ts';

/**
 * Chunks queued per helper and not yet labeled: one being labeled, one waiting, so a helper never idles between
 * messages. A chunk whose details are being stored no longer counts (the store's latency is not the helper's).
 */
const QUEUE_PER_HELPER = 2;
/** The most helpers the setting accepts. */
export const MAX_HELPERS = 32;

/** `navigator.hardwareConcurrency - 1` (one core is left to the page), at least 1. */
export function defaultHelpers(): number {
  const cores = (globalThis.navigator as Navigator | undefined)?.hardwareConcurrency ?? 2;
  return Math.max(1, cores - 1);
}

let helpersSetting = defaultHelpers();

/** The number of helpers the next rules job starts with (0: the batch worker labels alone). */
export function setHelpers(n: number): number {
  helpersSetting = Number.isInteger(n) ? Math.min(MAX_HELPERS, Math.max(0, n)) : defaultHelpers();
  return helpersSetting;
}

export function helpers(): number {
  return helpersSetting;
}

/** Jobs running with an engine other than the rule engine: while any runs, rules jobs start no helper. */
let exclusiveJobs = 0;
export function holdExclusive(): () => void {
  exclusiveJobs++;
  let released = false;
  return () => {
    if (!released) exclusiveJobs--;
    released = true;
  };
}
export function helpersAllowed(): number {
  return exclusiveJobs > 0 ? 0 : helpersSetting;
}

interface Helper {
  worker: Worker;
  ready: boolean;
  /** Chunks given to it and not yet labeled. */
  queued: number;
  /** Batches it has returned. */
  done: number;
}

export class HelperPool {
  readonly #helpers: Helper[];
  readonly #waiting = new Map<number, { resolve: (o: PoolOutput) => void; reject: (e: Error) => void; helper: Helper; labeled: boolean }>();
  #failure: Error | undefined;

  constructor(count: number) {
    this.#helpers = Array.from({ length: count }, (_, i) => {
      const helper: Helper = { worker: new HelperWorker({ name: `radreportx-helper-${i + 1}` }), ready: false, queued: 0, done: 0 };
      helper.worker.onmessage = (event: MessageEvent<HelperMessage>) => this.#receive(helper, event.data);
      helper.worker.onerror = (event) => this.#fail(new Error(`A labeling helper stopped: ${event.message || 'unknown error'}.`));
      return helper;
    });
  }

  /** Helpers that have labeled at least one batch. */
  get active(): number {
    return this.#helpers.filter((h) => h.done > 0).length;
  }

  /**
   * Chunks that may be in flight: the helpers' queues, plus as many again (and a few) labeled here and waiting
   * for the helper chunks before them, so this worker labels its share instead of idling behind the helpers.
   */
  get capacity(): number {
    return 2 * this.#helpers.length * QUEUE_PER_HELPER + 3;
  }

  /** Whether a ready helper has room for another chunk. */
  get free(): boolean {
    return this.#helpers.some((h) => h.ready && h.queued < QUEUE_PER_HELPER);
  }

  /** Hands the chunk to the least busy ready helper (check `free` first). */
  label(batch: PoolBatch): Promise<PoolOutput> {
    if (this.#failure) return Promise.reject(this.#failure);
    let best: Helper | undefined;
    for (const h of this.#helpers) if (h.ready && h.queued < QUEUE_PER_HELPER && (!best || h.queued < best.queued)) best = h;
    if (!best) return Promise.reject(new Error('No labeling helper is free.'));
    const helper = best;
    helper.queued++;
    return new Promise<PoolOutput>((resolve, reject) => {
      this.#waiting.set(batch.seq, { resolve, reject, helper, labeled: false });
      helper.worker.postMessage(batch);
    });
  }

  close(): void {
    for (const h of this.#helpers) h.worker.terminate();
    this.#fail(new Error('The labeling helpers were stopped.'));
  }

  #receive(helper: Helper, m: HelperMessage): void {
    if ('ready' in m) {
      helper.ready = true;
      return;
    }
    if ('error' in m) {
      // A full disk stays a StorageFull error, so the job pauses with its rows kept instead of failing.
      this.#fail(m.code ? new RadReportXError(m.code as ErrorCode, m.error) : new Error(`A labeling helper failed: ${m.error}`));
      return;
    }
    const waiting = this.#waiting.get(m.seq);
    if (!waiting) return;
    if (!waiting.labeled) {
      waiting.labeled = true;
      helper.queued--;
    }
    if ('labeled' in m) return;
    this.#waiting.delete(m.seq);
    helper.done++;
    waiting.resolve(m);
  }

  #fail(e: Error): void {
    this.#failure ??= e;
    for (const w of this.#waiting.values()) w.reject(e);
    this.#waiting.clear();
  }
}
