/**
 * A rules job on several workers. Rows are read here, in order, and handed out in batches (to a helper, or
 * labeled here when every helper is busy); the outputs are committed strictly in batch order, row by row through
 * the same chunk writer as a one-worker job. So the stored cursor is always one row number: every row before it
 * stored once, none after it, whatever a reload or a crash interrupts. Pause and cancel wait for the batches in
 * flight (milliseconds for the rule engine) and keep them.
 */
import type { CsvRow } from '../lib/csv/parse.ts';
import { prepareRow, type RowLayout } from '../lib/csv/records.ts';
import type { LabelEngine } from '../lib/engine.ts';
import type { Task } from '../lib/result.ts';
import type { JobRecord, JobState, RowDetail, StoredRow } from '../platform/storage/schema.ts';
import { labelPoolBatch } from './pool-label.ts';
import type { PoolItem, PoolOutput } from './pool-protocol.ts';
import { HelperPool, POOL_BATCH_ROWS } from './pool.ts';

/** What the runner's pieces (runner.ts) offer this loop. */
export interface PooledRun {
  writer: { job: JobRecord; add(row: StoredRow, detail: RowDetail): void; readonly due: boolean; save(bytesDone: number): Promise<boolean> };
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
  done: boolean;
  output: Promise<PoolOutput>;
  /** Byte position after the batch's last row, stored with the cursor when the batch is committed. */
  position: number;
}

export async function labelRowsPooled(r: PooledRun): Promise<{ stopped: JobRecord } | { note?: string }> {
  const pool = new HelperPool(r.helpers);
  const queue: InFlight[] = [];
  let items: PoolItem[] = [];
  let seq = 0;
  let position = r.progress.position;
  const startRow = r.writer.job.rowsDone;

  const dispatch = () => {
    if (!items.length) return;
    const batch = { seq: seq++, task: r.task, items };
    items = [];
    const entry: InFlight = { done: false, position, output: pool.label(batch, () => labelPoolBatch(r.engine, batch)) };
    entry.output.then(() => (entry.done = true), () => (entry.done = true));
    queue.push(entry);
  };
  /** Commits the oldest batch; false when another tab moved the cursor meanwhile. */
  const commitOldest = async (): Promise<boolean> => {
    const entry = queue.shift()!;
    const out = await entry.output;
    for (let i = 0; i < out.rows.length; i++) {
      r.writer.add(out.rows[i], out.details[i]);
      r.progress.labeled++;
      if (r.writer.due && !(await r.writer.save(Math.round(entry.position)))) return false;
    }
    r.progress.position = entry.position;
    r.progress.workers = 1 + pool.active;
    r.progress.report('running');
    return true;
  };
  const drain = async (): Promise<boolean> => {
    while (queue.length) if (!(await commitOldest())) return false;
    return true;
  };
  const stopped = async (): Promise<{ stopped: JobRecord } | undefined> => {
    if (!(await drain())) return { stopped: await r.stopper.afterRace() };
    const s = await r.stopper.ifAsked();
    return s && { stopped: s };
  };

  try {
    r.progress.report('running', true);
    for await (const row of r.rows) {
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
      if (items.length >= POOL_BATCH_ROWS) {
        dispatch();
        // Finished batches are committed as soon as they are next in line; a full queue waits for the oldest.
        while (queue.length && (queue[0].done || queue.length > pool.capacity)) {
          if (!(await commitOldest())) return { stopped: await r.stopper.afterRace() };
        }
      }
      if (r.stopper.asked) return (await stopped())!;
    }
    dispatch();
    if (!(await drain())) return { stopped: await r.stopper.afterRace() };
    return (await stopped()) ?? { note: r.problems.summary() };
  } finally {
    pool.close();
  }
}
