/**
 * A rules job on several workers. Rows are read here, in order, and cut at stored-chunk boundaries; each chunk
 * goes to a free helper, which labels it and stores its details (text and evidence) itself, or is labeled here
 * when no helper is free (or it is the part-stored chunk a resume starts in). The rows come back and are committed
 * strictly in input order, row by row through the same chunk writer as a one-worker job, so the stored cursor is
 * always one row number: every row before it stored once, none after it, whatever a reload or a crash interrupts.
 * Pause and cancel wait for the chunks in flight (a fraction of a second for the rule engine) and keep them.
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
  done: boolean;
  /** Rows, and their details when labeled here (undefined: the helper stored them). */
  output: Promise<{ rows: StoredRow[]; details?: RowDetail[] }>;
  /** Byte position after the chunk's last row, stored with the cursor when the chunk is committed. */
  position: number;
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
    if (!items.length) return;
    const chunkItems = items;
    // A helper stores a whole chunk's details, so the part-stored chunk a resume starts in is labeled here.
    const whole = first % CHUNK_ROWS === 0;
    const chunk = first / CHUNK_ROWS;
    let output: InFlight['output'];
    if (!whole) output = labelItems(r.engine, chunkItems, r.task);
    else if (pool.free) output = pool.label({ seq: seq++, task: r.task, jobId, chunk, items: chunkItems });
    // A whole chunk labeled here stores its details the way a helper does, so no commit waits on a details write.
    else output = labelItems(r.engine, chunkItems, r.task).then(async ({ rows, details }) => (await putDetailChunk(jobId, chunk, details), { rows }));
    const entry: InFlight = { done: false, position, output };
    output.then(() => (entry.done = true), () => (entry.done = true));
    queue.push(entry);
    first += chunkItems.length;
    items = [];
  };
  /** Commits the oldest chunk; false when another tab moved the cursor meanwhile. */
  const commitOldest = async (): Promise<boolean> => {
    const entry = queue.shift()!;
    const out = await entry.output;
    for (let i = 0; i < out.rows.length; i++) {
      r.writer.add(out.rows[i], out.details?.[i]);
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
      if ((row.index + 1) % CHUNK_ROWS === 0) {
        dispatch();
        // Finished chunks are committed as soon as they are next in line; a full queue waits for the oldest.
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
