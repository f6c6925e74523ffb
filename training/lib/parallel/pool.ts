/**
 * Labels batches of rows on several threads and hands their outputs back in input order.
 *
 * `jobs` threads label: this one and `jobs - 1` worker threads. The reader (this thread) fills batches and gives
 * each to the ready worker with the shortest queue; when every queue is full, or no worker has loaded its engine
 * yet, it labels the batch itself, so no core idles while workers start and the reader never waits on a worker
 * it could stand in for (a batch given to a worker that is still starting would hold up every output after it). Outputs are written
 * strictly in batch order, one at a time; at most `2 × 8 × workers + 2` batches may be dispatched but not yet written,
 * so a slow disk holds the reader back and memory stays bounded however large the file is.
 */
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { LabelRun, RowLabeler } from '../../engines.ts';
import { labelBatch, type Batch, type BatchFormat, type BatchOutput, type RowItem } from './batch.ts';
import { workerEntry } from './bundle.ts';

/** Rows per dispatched batch: large enough that messaging costs little, small enough to keep every thread busy. */
export const BATCH_ROWS = 256;
/** Batches queued per worker (~50 ms of work): a worker keeps busy while this thread is descheduled or labeling. */
const QUEUE_PER_WORKER = 8;


/** What a worker thread is started with. */
export interface WorkerInit {
  run: LabelRun;
  /** Where the worker posts its outputs. */
  results: MessagePort;
}

interface Started {
  worker: Worker;
  /** Read with `receiveMessageOnPort`, so this thread sees finished batches even while it is busy labeling. */
  results: MessagePort;
}

/** Worker threads started ahead of the run (their engine loads while this thread reads the file's header). */
export class WorkerSet {
  readonly started: Started[];

  static async start(run: LabelRun, count: number): Promise<WorkerSet> {
    return new WorkerSet(run, count, await workerEntry());
  }

  private constructor(run: LabelRun, count: number, entry: URL) {
    this.started = Array.from({ length: count }, () => {
      const { port1, port2 } = new MessageChannel();
      const init: WorkerInit = { run, results: port2 };
      const worker = new Worker(entry, { workerData: init, transferList: [port2] });
      // An idle worker must not keep the process alive if the run ends early (an error before the first batch).
      worker.unref();
      port1.unref();
      return { worker, results: port1 };
    });
  }
  async close(): Promise<void> {
    for (const s of this.started) s.results.close();
    await Promise.all(this.started.map((s) => s.worker.terminate()));
  }
}

export interface PoolOptions {
  /** This thread's labeler (the same engine the workers build from the run). */
  labeler: RowLabeler;
  format: BatchFormat;
  /** Worker threads to share the work with; none labels everything here (`--jobs 1`). */
  workers?: WorkerSet;
  /** Called once per batch, in input order, never twice at the same time; the pool waits for it. */
  onOutput(output: BatchOutput): Promise<void> | void;
  batchRows?: number;
  /**
   * Give the first batch out only once every worker is ready, so each labels some of even a small file. For
   * tests (RADREPORTX_WAIT_FOR_WORKERS=1); a real run never waits for a thread it can stand in for.
   */
  waitForWorkers?: boolean;
}

interface Slot extends Started {
  /** The worker has built its engine; until then this thread labels in its place. */
  ready: boolean;
  queued: number;
  /**
   * How many batches it may hold: 1 at first, one more for each it returns, up to QUEUE_PER_WORKER. A worker that
   * has just started runs its engine cold (V8 has not optimised it yet) several times slower; a full queue given
   * to it then would leave this thread waiting, at the end of a small file, for batches it could have labeled.
   */
  limit: number;
}

/** What a worker posts: `ready` once, then one output per batch. */
export type WorkerMessage = { ready: true } | BatchOutput;

export class LabelPool {
  readonly #labeler: RowLabeler;
  readonly #format: BatchFormat;
  readonly #onOutput: PoolOptions['onOutput'];
  readonly #batchRows: number;
  readonly #slots: Slot[];
  readonly #maxOutstanding: number;
  /** Outputs that arrived out of order, waiting for the ones before them. */
  readonly #done = new Map<number, BatchOutput>();
  #items: RowItem[] = [];
  #nextSeq = 0;
  #nextWrite = 0;
  #writing = false;
  #failure: unknown;
  #wake: (() => void) | undefined;
  #waitForWorkers: boolean;
  /** Rows labeled by this thread (index 0) and by each worker. */
  readonly threadRows: number[];

  constructor(options: PoolOptions) {
    this.#labeler = options.labeler;
    this.#format = options.format;
    this.#onOutput = options.onOutput;
    this.#batchRows = options.batchRows ?? BATCH_ROWS;
    this.#slots = (options.workers?.started ?? []).map((s) => ({ ...s, ready: false, queued: 0, limit: 1 }));
    // The workers' queues, plus as many batches again labeled here and waiting for the worker batches before them
    // (outputs go out in order): with less, this thread would stall behind the workers instead of taking its share.
    this.#maxOutstanding = 2 * this.#slots.length * QUEUE_PER_WORKER + 2;
    this.#waitForWorkers = Boolean(options.waitForWorkers) && this.#slots.length > 0;
    this.threadRows = Array.from({ length: this.#slots.length + 1 }, () => 0);
    for (const slot of this.#slots) {
      slot.worker.ref();
      slot.results.ref();
      slot.results.on('message', (m: WorkerMessage) => this.#receive(slot, m));
      slot.worker.on('error', (e) => this.#fail(e));
      slot.worker.on('exit', (code) => {
        if (this.#failure === undefined && slot.queued > 0) this.#fail(new Error(`A labeling worker thread stopped (exit code ${code}) with work unfinished.`));
      });
    }
  }

  /** Adds a row; resolves at once unless too many batches are waiting to be written (then: when one is). */
  push(item: RowItem): Promise<void> | undefined {
    this.#items.push(item);
    if (this.#items.length < this.#batchRows) return undefined;
    return this.#dispatch();
  }

  /** Sends the last, part-filled batch and resolves once every output has been handed to `onOutput`. */
  async finish(): Promise<void> {
    if (this.#items.length) await this.#dispatch();
    while (this.#outstanding() > 0) {
      this.#throwIfFailed();
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
    this.#throwIfFailed();
  }

  #outstanding(): number {
    return this.#nextSeq - this.#nextWrite;
  }

  async #dispatch(): Promise<void> {
    this.#throwIfFailed();
    const batch: Batch = { seq: this.#nextSeq++, items: this.#items, format: this.#format };
    this.#items = [];
    this.#collect();
    while (this.#waitForWorkers && !this.#slots.every((slot) => slot.ready)) {
      this.#throwIfFailed();
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
    this.#waitForWorkers = false;
    let best = -1;
    this.#slots.forEach((slot, i) => {
      if (slot.ready && slot.queued < slot.limit && (best < 0 || slot.queued < this.#slots[best].queued)) best = i;
    });
    if (best >= 0) {
      this.#slots[best].queued++;
      this.#slots[best].worker.postMessage(batch);
      this.threadRows[best + 1] += batch.items.length;
    } else {
      this.threadRows[0] += batch.items.length;
      this.#arrive(labelBatch(this.#labeler, batch));
    }
    while (this.#outstanding() >= this.#maxOutstanding) {
      this.#throwIfFailed();
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
    this.#throwIfFailed();
  }

  /** Takes every output the workers have posted, without waiting for the event loop to deliver them. */
  #collect(): void {
    for (const slot of this.#slots) {
      for (let m = receiveMessageOnPort(slot.results); m; m = receiveMessageOnPort(slot.results)) this.#receive(slot, m.message as WorkerMessage);
    }
  }

  #receive(slot: Slot, m: WorkerMessage): void {
    if ('ready' in m) {
      slot.ready = true;
      this.#signal();
      return;
    }
    slot.queued--;
    slot.limit = Math.min(QUEUE_PER_WORKER, slot.limit + 1);
    this.#arrive(m);
  }

  #arrive(output: BatchOutput): void {
    this.#done.set(output.seq, output);
    void this.#write();
  }

  async #write(): Promise<void> {
    if (this.#writing) return;
    this.#writing = true;
    try {
      for (let next = this.#done.get(this.#nextWrite); next && this.#failure === undefined; next = this.#done.get(this.#nextWrite)) {
        this.#done.delete(this.#nextWrite);
        await this.#onOutput(next);
        this.#nextWrite++;
        this.#signal();
      }
    } catch (e) {
      this.#fail(e);
    } finally {
      this.#writing = false;
    }
  }

  #fail(e: unknown): void {
    this.#failure ??= e;
    this.#signal();
  }

  #signal(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  #throwIfFailed(): void {
    if (this.#failure !== undefined) throw this.#failure;
  }
}
