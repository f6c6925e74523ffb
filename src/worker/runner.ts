/**
 * Runs batch jobs in the worker: stream the stored file, label each row, and commit results in fixed chunks
 * together with the cursor. A chunk is also saved before it is full when the job pauses or is cancelled, and every
 * few seconds, so a slow engine (an LLM at a second a report) loses at most those seconds to a crash.
 */
import { uniqueHeader } from '../lib/csv/detect.ts';
import type { CsvRow } from '../lib/csv/parse.ts';
import { blobChunks, readCsv } from '../lib/csv/reader.ts';
import { layoutFor, prepareRow, type ColumnLayout } from '../lib/csv/records.ts';
import type { LabelEngine } from '../lib/engine.ts';
import { errorCode, errorMessage, RadReportXError } from '../lib/errors.ts';
import { failedResult, type LabelResult } from '../lib/result.ts';
import { commitChunk, createJob, emptyCounts, getFile, getJob, readChunkPair, storeFile, updateJob } from '../platform/storage/jobs.ts';
import { CHUNK_ROWS, type JobRecord, type JobState, type RowDetail, type StoredRow } from '../platform/storage/schema.ts';
import type { BatchProgress, JobSettings, Outcome, ProgressCallback } from './api.ts';
import { engineFor } from './engines.ts';
import { inspectCsv } from './inspect.ts';
import { labelText } from './label.ts';
import { labelRowsPooled } from './pool-run.ts';
import { helpersAllowed, holdExclusive } from './pool.ts';
import { toDetail, toStored } from './rows.ts';

/** Progress messages at most this often, so the page is not flooded. */
const PROGRESS_MS = 200;
/** An unfinished chunk is saved at least this often. */
const SAVE_MS = 3000;

interface Control {
  pause: boolean;
  cancel: boolean;
  /** Aborts the report being labeled (an LLM call can take seconds). */
  abort: AbortController;
}

const controls = new Map<string, Control>();

export function pauseJob(jobId: string): void {
  const c = controls.get(jobId);
  if (!c) return;
  c.pause = true;
  c.abort.abort();
}

/** Cancels a running job, or marks a stopped one cancelled. Its stored rows are kept. */
export async function cancelJob(jobId: string): Promise<void> {
  const c = controls.get(jobId);
  if (!c) {
    await updateJob(jobId, { state: 'cancelled' });
    return;
  }
  c.cancel = true;
  c.abort.abort();
}

export async function startJob(file: File, settings: JobSettings, onProgress: ProgressCallback): Promise<Outcome<JobRecord>> {
  return outcome(async () => {
    const inspection = await inspectCsv(file, file.name, { delimiter: settings.delimiter, encoding: settings.encoding, header: settings.hasHeader });
    // Fails with a message naming the missing column (and the columns there are), or the duplicates to choose from.
    const layout = layoutFor(inspection.header, settings.textColumns, settings.idColumns, inspection.duplicates);
    const engine = await engineFor(settings.engine);
    const now = Date.now();
    const job = await createJob(
      {
        id: crypto.randomUUID(),
        createdAt: now,
        updatedAt: now,
        file: { name: file.name, size: file.size, lastModified: file.lastModified, type: file.type },
        fileStored: false,
        header: inspection.header,
        delimiter: inspection.settings.delimiter,
        encoding: inspection.settings.encoding,
        hasHeader: inspection.settings.hasHeader,
        textColumns: layout.textNames,
        idColumns: layout.idNames,
        engine: settings.engine,
        engineInfo: engine.info,
        task: settings.task,
        state: 'running',
        rowsDone: 0,
        bytesDone: 0,
        counts: emptyCounts(),
      },
      file,
    );
    return run(job, file, onProgress);
  });
}

export async function resumeJob(jobId: string, file: File | undefined, onProgress: ProgressCallback): Promise<Outcome<JobRecord>> {
  return outcome(async () => {
    const job = await getJob(jobId);
    if (!job) throw new RadReportXError('EmptyInput', 'This job no longer exists (it was deleted).');
    if (job.state === 'done' || job.state === 'cancelled') return job;
    let blob: Blob | undefined = job.fileStored ? await getFile(jobId) : undefined;
    if (!blob) {
      if (!file) {
        throw Object.assign(
          new RadReportXError('EmptyInput', `The browser could not keep a copy of "${job.file.name}". Choose the same file again to resume.`),
          { name: 'FileMismatch' },
        );
      }
      const m = job.file;
      if (file.name !== m.name || file.size !== m.size || file.lastModified !== m.lastModified) {
        throw Object.assign(
          new RadReportXError(
            'BadUsage',
            `"${file.name}" is not the file this job was started with ("${m.name}", ${m.size.toLocaleString('en')} bytes, modified ${new Date(m.lastModified).toLocaleString('en')}).`,
            'Choose the original file, unchanged.',
          ),
          { name: 'FileMismatch' },
        );
      }
      blob = file;
      await storeFile(jobId, file);
    }
    return run(job, blob, onProgress);
  });
}

async function outcome(f: () => Promise<JobRecord>): Promise<Outcome<JobRecord>> {
  try {
    return { ok: true, value: await f() };
  } catch (e) {
    const code = (e as { name?: string }).name === 'FileMismatch' ? 'FileMismatch' : (errorCode(e) ?? 'Failed');
    const message = errorMessage(e) || `The job stopped unexpectedly (${(e as { name?: string }).name ?? 'unknown error'}).`;
    return { ok: false, code: code as 'Failed', message, hint: (e as RadReportXError).hint };
  }
}

/** Runs a job under a Web Lock, so two tabs never run the same job at once. */
async function run(job: JobRecord, file: Blob, onProgress: ProgressCallback): Promise<JobRecord> {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  if (!locks) return runLocked(job, file, onProgress);
  return locks.request(`radreportx-job-${job.id}`, { ifAvailable: true }, async (lock) => {
    if (!lock) throw new RadReportXError('BadUsage', 'This job is running in another tab or window.', 'Switch to that tab, or close it and resume here.');
    return runLocked(job, file, onProgress);
  });
}

/** Progress for the page: at most every PROGRESS_MS unless forced, with rows/s and time left. */
class ProgressReporter {
  readonly #started = performance.now();
  readonly #startBytes: number;
  #last = 0;
  /** Rows labeled in this run (not those stored before a resume). */
  labeled = 0;
  /** Estimated byte position of the last row handled. */
  position: number;
  /** Workers labeling this run (the batch worker plus helpers that have returned rows). */
  workers = 1;

  constructor(
    private readonly job: () => JobRecord,
    private readonly totalBytes: number,
    private readonly onProgress: ProgressCallback,
  ) {
    this.#startBytes = job().bytesDone;
    this.position = job().bytesDone;
  }

  report(state: JobState, force = false, message?: string): void {
    const now = performance.now();
    if (!force && now - this.#last < PROGRESS_MS) return;
    this.#last = now;
    const job = this.job();
    const seconds = (now - this.#started) / 1000;
    const byteRate = seconds > 0.5 ? (this.position - this.#startBytes) / seconds : 0;
    const p: BatchProgress = {
      jobId: job.id,
      state,
      rowsDone: job.rowsDone,
      bytesDone: Math.max(job.bytesDone, this.position),
      totalBytes: this.totalBytes,
      rowsPerSecond: seconds > 0.5 ? this.labeled / seconds : 0,
      etaSeconds: byteRate > 0 && state === 'running' ? Math.max(0, (this.totalBytes - this.position) / byteRate) : undefined,
    };
    if (this.workers > 1) p.workers = this.workers;
    if (message) p.message = message;
    this.onProgress(p);
  }
}

/**
 * The chunk being filled, from its first row (or, from the pooled loop, several finished chunks at once), and its
 * commit with the cursor. A job resumed mid-chunk starts with that chunk's stored rows, so the chunk is rewritten
 * whole and no row is lost or doubled. Rows with details and rows whose details are stored already are never mixed
 * in one save (pool-run.ts commits a chunk that carries details on its own).
 */
class ChunkWriter {
  #chunkStart: number;
  #rows: StoredRow[] = [];
  #details: RowDetail[] = [];
  #lastSave = performance.now();
  #detailsStored = false;

  constructor(public job: JobRecord) {
    this.#chunkStart = job.rowsDone - (job.rowsDone % CHUNK_ROWS);
  }

  /** Resume: loads the stored rows of a part-filled chunk. */
  async load(): Promise<void> {
    const stored = this.job.rowsDone - this.#chunkStart;
    if (stored === 0) return;
    const pair = await readChunkPair(this.job.id, this.#chunkStart / CHUNK_ROWS);
    if (!pair || pair.rows.length < stored) throw new Error(`Stored results are missing rows before row ${this.job.rowsDone + 1}.`);
    this.#rows = pair.rows.slice(0, stored);
    this.#details = pair.details.slice(0, stored);
  }

  /** `detail` undefined: a helper worker has stored this whole chunk's details (pool-run.ts). */
  add(row: StoredRow, detail: RowDetail | undefined): void {
    this.#rows.push(row);
    if (detail) this.#details.push(detail);
    else this.#detailsStored = true;
  }

  /** A full chunk, or rows waiting longer than SAVE_MS. */
  get due(): boolean {
    return this.#rows.length >= CHUNK_ROWS || performance.now() - this.#lastSave > SAVE_MS;
  }

  /** Saves the rows labeled since the cursor; false when another writer moved the cursor meanwhile. */
  async save(bytesDone: number, finished = false): Promise<boolean> {
    if (!finished && this.#chunkStart + this.#rows.length === this.job.rowsDone) return true;
    const committed = await commitChunk({
      jobId: this.job.id,
      firstRow: this.#chunkStart,
      fromRow: this.job.rowsDone,
      rows: this.#rows,
      details: this.#detailsStored ? undefined : this.#details,
      bytesDone,
      finished,
    });
    if (!committed) return false;
    this.job = committed;
    this.#lastSave = performance.now();
    // Full chunks are done with; a part-filled last one stays, to be rewritten whole as it fills.
    const full = this.#rows.length - (this.#rows.length % CHUNK_ROWS);
    if (full > 0) {
      this.#chunkStart += full;
      this.#rows = this.#rows.slice(full);
      this.#details = this.#detailsStored ? [] : this.#details.slice(full);
      if (!this.#rows.length) this.#detailsStored = false;
    }
    return true;
  }
}

interface JobRow extends CsvRow {
  /** 0-based data row index. */
  index: number;
  /** Estimated byte position after the row: rows are spread evenly over the bytes of their slice. */
  position: number;
}

/** The job's data rows from its file, read as the job was set up; the header must be the one the job has. */
async function* jobRows(job: JobRecord, file: Blob): AsyncGenerator<JobRow> {
  const settings = { encoding: job.encoding ?? 'utf-8', delimiter: job.delimiter, hasHeader: job.hasHeader ?? true };
  let headerSeen = !settings.hasHeader;
  let index = 0;
  let sliceStart = 0;
  for await (const batch of readCsv(blobChunks(file), settings, `"${job.file.name}"`)) {
    batch.rows.forEach((row, i) => (row as JobRow).position = sliceStart + ((i + 1) / batch.rows.length) * (batch.bytesRead - sliceStart));
    sliceStart = batch.bytesRead;
    for (const row of batch.rows as JobRow[]) {
      if (!headerSeen) {
        headerSeen = true;
        if (uniqueHeader(row.fields).header.join('\u0000') !== job.header.join('\u0000')) {
          throw Object.assign(new RadReportXError('BadUsage', "The file's columns differ from those the job was started with."), { name: 'FileMismatch' });
        }
        continue;
      }
      row.index = index++;
      yield row;
    }
  }
}

/** Pause and cancel requests, and how the job stopped, recorded. */
class Stopper {
  constructor(
    private readonly control: Control,
    private readonly writer: ChunkWriter,
    private readonly progress: ProgressReporter,
  ) {}

  get asked(): boolean {
    return this.control.cancel || this.control.pause;
  }

  /** Pause and cancel keep every row labeled so far; undefined when neither was asked. */
  async ifAsked(): Promise<JobRecord | undefined> {
    if (!this.asked) return undefined;
    if (!(await this.writer.save(Math.round(this.progress.position)))) return this.afterRace();
    return this.stop(this.control.cancel ? 'cancelled' : 'paused');
  }

  // Records why the job stopped. When even that cannot be written (a full disk), the page still hears it through
  // the progress message, and the stored record still says `running`, which the page shows as interrupted.
  async stop(state: JobState, message?: string): Promise<JobRecord> {
    try {
      this.writer.job = (await updateJob(this.writer.job.id, { state, message })) ?? this.writer.job;
    } catch {
      this.writer.job = { ...this.writer.job, state, message };
    }
    this.progress.report(state, true, message);
    return this.writer.job;
  }

  /** Another writer moved the cursor (another tab): report the stored state and stop. */
  async afterRace(): Promise<JobRecord> {
    const latest = (await getJob(this.writer.job.id)) ?? this.writer.job;
    this.progress.report(latest.state, true);
    return latest;
  }
}

/** The first unreadable row of a run and how many there were, told to the user when the job ends. */
class Problems {
  first: string | undefined;
  count = 0;

  add(rowNumber: number, message: string): void {
    this.count++;
    this.first ??= message.startsWith('Row ') ? message : `Row ${rowNumber.toLocaleString('en')}: ${message}`;
  }

  summary(): string | undefined {
    if (!this.first) return undefined;
    const more = this.count > 1 ? ` (${(this.count - 1).toLocaleString('en')} more row${this.count > 2 ? 's' : ''} could not be read either)` : '';
    return `Done, but some rows could not be read. ${this.first}${more}`;
  }
}

async function runLocked(initial: JobRecord, file: Blob, onProgress: ProgressCallback): Promise<JobRecord> {
  const control: Control = { pause: false, cancel: false, abort: new AbortController() };
  controls.set(initial.id, control);
  const writer = new ChunkWriter((await updateJob(initial.id, { state: 'running', message: undefined })) ?? initial);
  const progress = new ProgressReporter(() => writer.job, file.size, onProgress);
  const stopper = new Stopper(control, writer, progress);
  try {
    await writer.load();
    const run = await labelRows(writer, stopper, progress, file, control.abort.signal);
    if ('stopped' in run) return run.stopped;
    if (!(await writer.save(file.size, true))) return await stopper.afterRace();
    if (run.note) writer.job = (await updateJob(writer.job.id, { message: run.note })) ?? writer.job;
    progress.report('done', true, writer.job.message);
    return writer.job;
  } catch (e) {
    const storageFull = errorCode(e) === 'StorageFull';
    const message = errorMessage(e) + ((e as RadReportXError).hint ? ` ${(e as RadReportXError).hint}` : '');
    // A full disk is a pause, not a failure: the user frees space and resumes.
    await stopper.stop(storageFull ? 'paused' : 'error', message);
    throw e;
  } finally {
    controls.delete(initial.id);
  }
}

/**
 * Labels the rows after the cursor, saving chunks as they fill. Resolves to the job when it stopped early
 * (pause, cancel, another tab), else to the note about unreadable rows for the finished job.
 */
async function labelRows(
  writer: ChunkWriter,
  stopper: Stopper,
  progress: ProgressReporter,
  file: Blob,
  signal: AbortSignal,
): Promise<{ stopped: JobRecord } | { note?: string }> {
  const job = writer.job;
  const engine = await engineFor(job.engine);
  const layout = layoutFor(job.header, job.textColumns, job.idColumns);
  const problems = new Problems();
  // The rule engine labels on helper workers too (pool-run.ts); any other engine (a model) runs alone.
  const helperCount = job.engine === 'rules' ? helpersAllowed() : 0;
  if (helperCount > 0) {
    return labelRowsPooled({ writer, stopper, progress, problems, rows: jobRows(job, file), layout, engine, task: job.task, helpers: helperCount });
  }
  const release = job.engine === 'rules' ? undefined : holdExclusive();
  try {
    return await labelRowsHere(writer, stopper, progress, problems, file, signal, engine, layout);
  } finally {
    release?.();
  }
}

async function labelRowsHere(
  writer: ChunkWriter,
  stopper: Stopper,
  progress: ProgressReporter,
  problems: Problems,
  file: Blob,
  signal: AbortSignal,
  engine: LabelEngine,
  layout: ColumnLayout,
): Promise<{ stopped: JobRecord } | { note?: string }> {
  const job = writer.job;
  const stopped = async (): Promise<{ stopped: JobRecord } | undefined> => {
    const s = await stopper.ifAsked();
    return s && { stopped: s };
  };
  progress.report('running', true);
  for await (const row of jobRows(job, file)) {
    progress.position = row.position;
    if (row.index < job.rowsDone) continue;
    const prepared = prepareRow(row.fields, layout, row.index + 1, row.problem);
    let result: LabelResult;
    if (prepared.ok) {
      result = await labelText(engine, prepared.text, job.task, signal);
      // Stopped while this row was labeled: its result may be an abort, so it is not kept.
      if (stopper.asked) return (await stopped())!;
    } else {
      problems.add(row.index + 1, prepared.message);
      result = failedResult('error', engine.info, prepared.message);
    }
    writer.add(toStored(prepared.ids, result), toDetail(prepared.ok ? prepared.text : '', result));
    progress.labeled++;
    if (writer.due && !(await writer.save(Math.round(progress.position)))) return { stopped: await stopper.afterRace() };
    const early = await stopped();
    if (early) return early;
    progress.report('running');
  }
  return (await stopped()) ?? { note: problems.summary() };
}
