/**
 * A rules job on several workers. Rows are read here, in order, and cut at stored-chunk boundaries; each chunk
 * goes to a free helper, which labels it and stores its details (text and evidence) itself, or is labeled here
 * when no helper is free (or it is the part-stored chunk a resume starts in). The rows come back and are committed
 * strictly in input order through the same chunk writer as a one-worker job, several finished chunks to a
 * transaction, so the stored cursor is always one row number: every row before it stored once, none after it,
 * whatever a reload or a crash interrupts. Commits run behind the reader, so the database's latency holds up
 * neither the reading nor the helpers. Pause and cancel wait for the chunks in flight (a fraction of a second for
 * the rule engine) and keep them.
 */
import type { CsvRow } from '../lib/csv/parse.ts';
import { prepareRow, type RowLayout } from '../lib/csv/records.ts';
import type { LabelEngine } from '../lib/engine.ts';
import type { Task } from '../lib/result.ts';
import { putDetailChunk } from '../platform/storage/jobs.ts';
import { CHUNK_ROWS, type JobRecord, type JobState, type RowDetail, type StoredRow } from '../platform/storage/schema.ts';
import { labelItems } from './pool-label.ts';
import type { PoolItem } from './pool-protocol.ts';
import { HelperPool } from './pool.ts';

/** What the runner's pieces (runner.ts) offer this loop. */
export interface PooledRun {
  writer: { job: JobRecord; add(row: StoredRow, detail: RowDetail | undefined): void; readonly due: boolean; save(bytesDone: number): Promise<boolean> };
  stopper: { readonly asked: boolean; ifAsked(): Promise<JobRecord | undefined>; afterRace(): Promise<JobRecord> };
  progress: { labeled: number; position: number; workers: number; report(state: JobState, force?: boolean): void };
  problems: { add(rowNumber: number, message: string): void; summary(): string | undefined };
  rows: AsyncIterable<CsvRow & { index: number; position: number }>;
  layout: RowLayout;
  engine: LabelEngine;
  task: Task;
  helpers: number;
}

interface InFlight {
  /** Rows, and their details when labeled here (undefined: the helper stored them). */
  output: Promise<{ rows: StoredRow[]; details?: RowDetail[] }>;
  /** The output has settled. */
  done: boolean;
  /** Byte position after the chunk's last row, stored with the cursor when the chunk is committed. */
  position: number;
}

let yieldPort: { channel: MessageChannel; waiting: (() => void)[] } | undefined;

/**
 * Resolves once the worker has run the events waiting for it (a message to itself: a timer would be clamped to
 * 4 ms). A chunk labeled here yields every 100 rows, so helpers' results, commits and a pause are not held up by it.
 */
function yieldToEvents(): Promise<void> {
  if (!yieldPort) {
    const port = { channel: new MessageChannel(), waiting: [] as (() => void)[] };
    port.channel.port1.onmessage = () => port.waiting.shift()?.();
    yieldPort = port;
  }
  const port = yieldPort;
  return new Promise<void>((resolve) => {
    port.waiting.push(resolve);
    port.channel.port2.postMessage(0);
  });
}

export async function labelRowsPooled(r: PooledRun): Promise<{ stopped: JobRecord } | { note?: string }> {
  const pool = new HelperPool(r.helpers);
  const queue: InFlight[] = [];
  let items: PoolItem[] = [];
  let first = r.writer.job.rowsDone;
  let seq = 0;
  let position = r.progress.position;
  const startRow = r.writer.job.rowsDone;
  const jobId = r.writer.job.id;

  const dispatch = () => {
    const chunkItems = items;
    // A helper stores a whole chunk's details, so the part-stored chunk a resume starts in is labeled here.
    const whole = first % CHUNK_ROWS === 0;
    const chunk = first / CHUNK_ROWS;
    let output: InFlight['output'];
    if (!whole) output = labelItems(r.engine, chunkItems, r.task);
    else if (pool.free) output = pool.label({ seq: seq++, task: r.task, jobId, chunk, items: chunkItems });
    // A whole chunk labeled here stores its details the way a helper does, so no commit waits on a details write.
    else output = labelItems(r.engine, chunkItems, r.task, yieldToEvents).then(async ({ rows, details }) => (await putDetailChunk(jobId, chunk, details), { rows }));
    const entry: InFlight = { output, position, done: false };
    // A failure is met, in order, by the commit that waits for it; until then it is not unhandled.
    output.then(() => (entry.done = true), () => (entry.done = true));
    queue.push(entry);
    first += chunkItems.length;
    items = [];
  };
  /**
   * Commits the oldest chunk once it is labeled, together with the chunks after it that are labeled already and
   * whose details are stored, in one transaction; false when another tab moved the cursor meanwhile. A store round
   * trip per chunk would otherwise pace the whole job: the helpers finish chunks faster than they commit one by one.
   */
  const commitReady = async (): Promise<boolean> => {
    const head = queue.shift()!;
    const out = await head.output;
    if (out.details) {
      // The part-stored chunk a resume starts in carries its details: saved as it fills, like a one-worker job.
      for (let i = 0; i < out.rows.length; i++) {
        r.writer.add(out.rows[i], out.details[i]);
        r.progress.labeled++;
        if (r.writer.due && !(await r.writer.save(Math.round(head.position)))) return false;
      }
      r.progress.position = head.position;
    } else {
      const batch = [out.rows];
      let position = head.position;
      while (queue.length && queue[0].done) {
        // A failed chunk is left for the next commit to meet, after these are stored.
        const next = await queue[0].output.catch(() => undefined);
        if (!next || next.details) break;
        batch.push(next.rows);
        position = queue.shift()!.position;
      }
      for (const rows of batch) {
        for (const row of rows) r.writer.add(row, undefined);
        r.progress.labeled += rows.length;
      }
      if (!(await r.writer.save(Math.round(position)))) return false;
      r.progress.position = position;
    }
    r.progress.workers = 1 + pool.active;
    r.progress.report('running');
    return true;
  };
  // One commit at a time, in chunk order, behind the reader: while a commit waits on the database, this worker
  // reads and dispatches the next chunks instead of idling. `raced`: another tab moved the cursor; `failure`: a
  // chunk or a commit failed (the job fails with it, as a one-worker job would).
  let committer: Promise<void> | undefined;
  let raced = false;
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  const commitInBackground = () => {
    committer ??= (async () => {
      try {
        while (queue.length && !raced && !failure) {
          if (!(await commitReady())) raced = true;
          wake?.();
        }
      } catch (error) {
        failure ??= { error };
      } finally {
        committer = undefined;
        wake?.();
      }
    })();
  };
  /** Waits until at most `limit` chunks wait for their commit (0: every chunk committed); false after a race. */
  const committedDownTo = async (limit: number): Promise<boolean> => {
    // With 0, also the commit under way: the caller saves through the same writer next.
    while ((queue.length > limit || (limit === 0 && committer)) && !raced && !failure) {
      commitInBackground();
      await new Promise<void>((resolve) => (wake = resolve));
    }
    if (failure) throw failure.error;
    return !raced;
  };
  const stopped = async (): Promise<{ stopped: JobRecord } | undefined> => {
    if (!(await committedDownTo(0))) return { stopped: await r.stopper.afterRace() };
    const s = await r.stopper.ifAsked();
    return s && { stopped: s };
  };

  try {
    r.progress.report('running', true);
    for await (const row of r.rows) {
      if (failure) throw failure.error;
      if (raced) return { stopped: await r.stopper.afterRace() };
      if (row.index < startRow) {
        r.progress.position = row.position;
        continue;
      }
      const prepared = prepareRow(row.fields, r.layout, row.index + 1, row.problem);
      if (prepared.ok) items.push({ ids: prepared.ids, text: prepared.text });
      else {
        r.problems.add(row.index + 1, prepared.message);
        items.push({ ids: prepared.ids, problem: prepared.message });
      }
      position = row.position;
      if ((row.index + 1) % CHUNK_ROWS === 0) {
        dispatch();
        commitInBackground();
        // A full pipeline waits for its oldest chunks to be stored, so memory stays bounded.
        if (!(await committedDownTo(pool.capacity))) return { stopped: await r.stopper.afterRace() };
      }
      if (r.stopper.asked) return (await stopped())!;
    }
    if (items.length) dispatch();
    return (await stopped()) ?? { note: r.problems.summary() };
  } finally {
    pool.close();
  }
}
