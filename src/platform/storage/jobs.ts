/**
 * Batch jobs in IndexedDB. The cursor (`rowsDone`) and the chunk it covers are written in one transaction, so a
 * crash leaves either both or neither: resuming from the cursor gives no gaps and no duplicates.
 */
import { FINDINGS } from '../../lib/findings.ts';
import { StorageFullError } from '../../lib/errors.ts';
import { db, isQuotaError } from './db.ts';
import { packDetails, unpackDetails } from './detail-codec.ts';
import { CHUNK_ROWS, type DetailChunk, type JobCounts, type JobRecord, type RowChunk, type RowDetail, type StoredRow } from './schema.ts';

export function emptyCounts(): JobCounts {
  return {
    status: { ok: 0, empty: 0, error: 0, unparsed: 0 },
    positive: FINDINGS.map(() => 0),
    uncertain: FINDINGS.map(() => 0),
    normal: 0,
  };
}

/** Every job, newest first. */
export async function listJobs(): Promise<JobRecord[]> {
  const all = await (await db()).getAll('jobs');
  return all.sort((a, b) => b.createdAt - a.createdAt);
}

export async function getJob(id: string): Promise<JobRecord | undefined> {
  return (await db()).get('jobs', id);
}

/**
 * Stores a new job and, when the browser allows, the file itself. A refused file (quota) is not an error: the
 * job keeps its metadata and the user is asked for the file again on resume.
 */
export async function createJob(job: JobRecord, file: Blob): Promise<JobRecord> {
  const d = await db();
  try {
    await d.put('jobs', { ...job, fileStored: false });
  } catch (e) {
    throw isQuotaError(e) ? new StorageFullError('a new job') : e;
  }
  try {
    const tx = d.transaction(['files', 'jobs'], 'readwrite');
    await tx.objectStore('files').put({ jobId: job.id, blob: file });
    const stored = { ...job, fileStored: true };
    await tx.objectStore('jobs').put(stored);
    await tx.done;
    return stored;
  } catch (e) {
    if (!isQuotaError(e)) throw e;
    return { ...job, fileStored: false };
  }
}

/** Stores the file for a job that had none (picked again on resume); false when there is no room. */
export async function storeFile(jobId: string, file: Blob): Promise<boolean> {
  const d = await db();
  try {
    const tx = d.transaction(['files', 'jobs'], 'readwrite');
    const job = await tx.objectStore('jobs').get(jobId);
    if (!job) throw new Error(`Job ${jobId} no longer exists.`);
    await tx.objectStore('files').put({ jobId, blob: file });
    await tx.objectStore('jobs').put({ ...job, fileStored: true });
    await tx.done;
    return true;
  } catch (e) {
    if (isQuotaError(e)) return false;
    throw e;
  }
}

export async function getFile(jobId: string): Promise<Blob | undefined> {
  return (await (await db()).get('files', jobId))?.blob;
}

/** Changes fields of a job record (state, message) without touching its cursor. */
export async function updateJob(id: string, patch: Partial<Omit<JobRecord, 'id' | 'rowsDone' | 'counts'>>): Promise<JobRecord | undefined> {
  const d = await db();
  try {
    const tx = d.transaction('jobs', 'readwrite');
    const job = await tx.store.get(id);
    if (!job) return undefined;
    const next = { ...job, ...patch, updatedAt: Date.now() };
    await tx.store.put(next);
    await tx.done;
    return next;
  } catch (e) {
    throw isQuotaError(e) ? new StorageFullError('the job\'s state') : e;
  }
}

export interface ChunkCommit {
  jobId: string;
  /** First row of the first chunk written, on a chunk boundary. */
  firstRow: number;
  /** The cursor the writer started from: rows [firstRow, fromRow) are already stored and repeated in `rows`. */
  fromRow: number;
  /**
   * Every row from `firstRow` on, the stored part of its chunk included (a chunk is rewritten whole as it fills):
   * one chunk, or several in a row (the pooled writer stores the chunks its helpers have finished together).
   */
  rows: StoredRow[];
  /** Undefined when the chunks' details are stored already (putDetailChunk, by a helper or ahead of the rows). */
  details: RowDetail[] | undefined;
  bytesDone: number;
  /** Set on the last chunk of the file. */
  finished?: boolean;
}

/**
 * Writes one or more consecutive chunks and moves the cursor in one transaction. A chunk may be written several
 * times as it fills (a pause, a slow engine's periodic save), always whole from its first row, so chunk `k` keeps
 * holding rows [k * CHUNK_ROWS, ...). Refuses (returns undefined) when the cursor has moved meanwhile, e.g. a
 * second tab ran the same job, so a row is never stored twice.
 */
export async function commitChunk(c: ChunkCommit): Promise<JobRecord | undefined> {
  if (c.firstRow % CHUNK_ROWS !== 0) throw new Error('Chunks must start on a chunk boundary.');
  if (c.details && c.rows.length !== c.details.length) throw new Error('Rows and details differ in length.');
  if (c.fromRow < c.firstRow || c.fromRow - c.firstRow >= CHUNK_ROWS || c.fromRow > c.firstRow + c.rows.length) {
    throw new Error('A chunk commit must start in the chunk holding the cursor and cover the stored part of it.');
  }
  const d = await db();
  try {
    // Without details (stored already) the transaction leaves that store out, so it does not wait on the helpers'
    // own writes to it.
    const stores: ('jobs' | 'rows' | 'details')[] = c.details ? ['jobs', 'rows', 'details'] : ['jobs', 'rows'];
    const tx = d.transaction(stores, 'readwrite');
    const job = await tx.objectStore('jobs').get(c.jobId);
    if (!job || job.rowsDone !== c.fromRow || job.state === 'cancelled') {
      tx.abort();
      await tx.done.catch(() => undefined);
      return undefined;
    }
    const counts = structuredClone(job.counts);
    for (let i = c.fromRow - c.firstRow; i < c.rows.length; i++) tally(counts, c.rows[i]);
    const rowsDone = c.firstRow + c.rows.length;
    const next: JobRecord = {
      ...job,
      rowsDone,
      bytesDone: c.bytesDone,
      counts,
      updatedAt: Date.now(),
      ...(c.finished ? { state: 'done' as const, totalRows: rowsDone, message: undefined } : {}),
    };
    // The puts are queued together and awaited once: each await is a round trip to the database.
    const writes: Promise<unknown>[] = [];
    for (let from = 0; from < c.rows.length; from += CHUNK_ROWS) {
      const index = (c.firstRow + from) / CHUNK_ROWS;
      // One chunk (the usual case) is written as given, without a copy.
      const part = <T>(list: T[]) => (list.length <= CHUNK_ROWS ? list : list.slice(from, from + CHUNK_ROWS));
      writes.push(tx.objectStore('rows').put({ jobId: c.jobId, index, rows: part(c.rows) } satisfies RowChunk));
      if (c.details) writes.push(tx.objectStore('details').put(detailChunk(c.jobId, index, part(c.details))));
    }
    writes.push(tx.objectStore('jobs').put(next));
    await Promise.all([...writes, tx.done]);
    return next;
  } catch (e) {
    throw isQuotaError(e) ? new StorageFullError('more results') : e;
  }
}

function tally(counts: JobCounts, row: StoredRow): void {
  counts.status[row.status]++;
  if (row.normal) counts.normal++;
  for (let i = 0; i < row.codes.length; i++) {
    if (row.codes[i] === 'p') counts.positive[i]++;
    else if (row.codes[i] === 'u') counts.uncertain[i]++;
  }
}

/**
 * Stores the details of a whole chunk ahead of its rows: a helper labeling worker writes them itself, so the bulk
 * of a chunk (text and evidence) never travels back through the batch worker. Harmless beyond the cursor: the
 * rows and the cursor are committed afterwards, in order, by commitChunk, and a chunk past the cursor is
 * rewritten when the job resumes.
 */
export async function putDetailChunk(jobId: string, index: number, details: RowDetail[]): Promise<void> {
  try {
    await (await db()).put('details', detailChunk(jobId, index, details));
  } catch (e) {
    throw isQuotaError(e) ? new StorageFullError('more results') : e;
  }
}

/** The stored record of a chunk's details: packed when that gives them back exactly (detail-codec.ts). */
function detailChunk(jobId: string, index: number, details: RowDetail[]): DetailChunk {
  const packed = packDetails(details);
  return packed ? { jobId, index, packed } : { jobId, index, details };
}

function detailsOf(chunk: DetailChunk): RowDetail[] {
  return chunk.packed ? unpackDetails(chunk.packed) : chunk.details ?? [];
}

/** A job's stored rows in order, one chunk at a time (each chunk is one short read). */
export async function* readRowChunks(jobId: string): AsyncGenerator<RowChunk> {
  const d = await db();
  const job = await d.get('jobs', jobId);
  if (!job) return;
  const chunks = Math.ceil(job.rowsDone / CHUNK_ROWS);
  for (let i = 0; i < chunks; i++) {
    const chunk = await d.get('rows', [jobId, i]);
    if (chunk) yield chunk;
  }
}

/** The rows and details of one chunk, for JSONL export. */
export async function readChunkPair(jobId: string, index: number): Promise<{ rows: StoredRow[]; details: RowDetail[] } | undefined> {
  const d = await db();
  const tx = d.transaction(['rows', 'details'], 'readonly');
  const [rows, details] = await Promise.all([tx.objectStore('rows').get([jobId, index]), tx.objectStore('details').get([jobId, index])]);
  if (!rows || !details) return undefined;
  return { rows: rows.rows, details: detailsOf(details) };
}

/** One row and its text/evidence, by row number. */
export async function readRow(jobId: string, row: number): Promise<{ row: StoredRow; detail: RowDetail } | undefined> {
  const index = Math.floor(row / CHUNK_ROWS);
  const pair = await readChunkPair(jobId, index);
  const at = row - index * CHUNK_ROWS;
  if (!pair || at >= pair.rows.length) return undefined;
  return { row: pair.rows[at], detail: pair.details[at] };
}

/** Removes a job, its rows and its file. */
export async function deleteJob(jobId: string): Promise<void> {
  const d = await db();
  const tx = d.transaction(['jobs', 'rows', 'details', 'files'], 'readwrite');
  const range = IDBKeyRange.bound([jobId, 0], [jobId, Infinity]);
  await Promise.all([
    tx.objectStore('jobs').delete(jobId),
    tx.objectStore('rows').delete(range),
    tx.objectStore('details').delete(range),
    tx.objectStore('files').delete(jobId),
    tx.done,
  ]);
}
