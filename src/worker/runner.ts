/**
 * Runs batch jobs in the worker: stream the stored file, label each row, and commit results in fixed chunks
 * together with the cursor. A chunk is also saved before it is full when the job pauses or is cancelled, and every
 * few seconds, so a slow engine (an LLM at a second a report) loses at most those seconds to a crash.
 */
import { resolveColumnList } from '../lib/csv/columns.ts';
import { prepareRow, type RowLayout } from '../lib/csv/records.ts';
import { errorCode, errorMessage, RadReportXError } from '../lib/errors.ts';
import { failedResult } from '../lib/result.ts';
import { commitChunk, createJob, emptyCounts, getFile, getJob, readChunkPair, storeFile, updateJob } from '../platform/storage/jobs.ts';
import { CHUNK_ROWS, type JobRecord, type JobState, type RowDetail, type StoredRow } from '../platform/storage/schema.ts';
import type { BatchProgress, JobSettings, Outcome, ProgressCallback } from './api.ts';
import { csvBatches } from './csv-stream.ts';
import { engineFor } from './engines.ts';
import { inspectCsv } from './inspect.ts';
import { labelText } from './label.ts';
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
    const inspection = await inspectCsv(file, file.name);
    // Fails with a message naming the missing column (and the columns there are).
    resolveColumnList(inspection.header, settings.textColumns, 'text');
    resolveColumnList(inspection.header, settings.idColumns, 'id');
    if (settings.textColumns.length === 0) {
      throw new RadReportXError('MissingColumn', 'Choose at least one column that holds the report text.');
    }
    await engineFor(settings.engine);
    const now = Date.now();
    const job = await createJob(
      {
        id: crypto.randomUUID(),
        createdAt: now,
        updatedAt: now,
        file: { name: file.name, size: file.size, lastModified: file.lastModified, type: file.type },
        fileStored: false,
        header: inspection.header,
        delimiter: inspection.delimiter,
        ...settings,
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

async function runLocked(initial: JobRecord, file: Blob, onProgress: ProgressCallback): Promise<JobRecord> {
  const control: Control = { pause: false, cancel: false, abort: new AbortController() };
  controls.set(initial.id, control);
  let job = (await updateJob(initial.id, { state: 'running', message: undefined })) ?? initial;
  const started = performance.now();
  const startBytes = job.bytesDone;
  let labeledThisRun = 0;
  let lastProgress = 0;
  // Estimated byte position of the last row handled: rows are spread evenly over the bytes of their slice.
  let position = job.bytesDone;

  const report = (state: JobState, force = false, message?: string) => {
    const now = performance.now();
    if (!force && now - lastProgress < PROGRESS_MS) return;
    lastProgress = now;
    const seconds = (now - started) / 1000;
    const byteRate = seconds > 0.5 ? (position - startBytes) / seconds : 0;
    const p: BatchProgress = {
      jobId: job.id,
      state,
      rowsDone: job.rowsDone,
      bytesDone: Math.max(job.bytesDone, position),
      totalBytes: file.size,
      rowsPerSecond: seconds > 0.5 ? labeledThisRun / seconds : 0,
      etaSeconds: byteRate > 0 && state === 'running' ? Math.max(0, (file.size - position) / byteRate) : undefined,
    };
    if (message) p.message = message;
    onProgress(p);
  };

  // Records why the job stopped. When even that cannot be written (a full disk), the page still hears it through
  // the progress message, and the stored record still says `running`, which the page shows as interrupted.
  const stop = async (state: JobState, message?: string) => {
    try {
      job = (await updateJob(job.id, { state, message })) ?? job;
    } catch {
      job = { ...job, state, message };
    }
    report(state, true, message);
    return job;
  };

  try {
    const engine = await engineFor(job.engine);
    const layout: RowLayout = {
      width: job.header.length,
      textColumns: resolveColumnList(job.header, job.textColumns, 'text'),
      idColumns: resolveColumnList(job.header, job.idColumns, 'id'),
    };
    let rowNumber = 0;
    let headerSeen = false;
    let previousBytes = 0;
    // The chunk being filled, from its first row: a job resumed mid-chunk starts with that chunk's stored rows.
    let chunkStart = job.rowsDone - (job.rowsDone % CHUNK_ROWS);
    let rows: StoredRow[] = [];
    let details: RowDetail[] = [];
    if (chunkStart < job.rowsDone) {
      const stored = await readChunkPair(job.id, chunkStart / CHUNK_ROWS);
      if (!stored || stored.rows.length < job.rowsDone - chunkStart) throw new Error(`Stored results are missing rows before row ${job.rowsDone + 1}.`);
      rows = stored.rows.slice(0, job.rowsDone - chunkStart);
      details = stored.details.slice(0, job.rowsDone - chunkStart);
    }
    let lastSave = performance.now();
    /** Saves the rows labeled since the cursor; false when another writer moved the cursor meanwhile. */
    const save = async (bytesDone: number, finished = false): Promise<boolean> => {
      if (!finished && chunkStart + rows.length === job.rowsDone) return true;
      const committed = await commitChunk({ jobId: job.id, firstRow: chunkStart, fromRow: job.rowsDone, rows, details, bytesDone, finished });
      if (!committed) return false;
      job = committed;
      lastSave = performance.now();
      if (rows.length === CHUNK_ROWS) {
        chunkStart += CHUNK_ROWS;
        rows = [];
        details = [];
      }
      return true;
    };
    /** Pause and cancel keep every row labeled so far. */
    const stopIfAsked = async (): Promise<JobRecord | undefined> => {
      if (!control.cancel && !control.pause) return undefined;
      if (!(await save(Math.round(position)))) return stopAfterRace(job.id);
      return stop(control.cancel ? 'cancelled' : 'paused');
    };
    // The first unreadable row of this run, told to the user when the job ends.
    let firstProblem: string | undefined;
    let problems = 0;
    report('running', true);

    for await (const batch of csvBatches(file, job.delimiter)) {
      const sliceStart = previousBytes;
      previousBytes = batch.bytesRead;
      let problem = 0;
      for (let i = 0; i < batch.rows.length; i++) {
        const fields = batch.rows[i];
        const problemMessage = batch.problems[problem]?.row === i ? batch.problems[problem++].message : undefined;
        if (!headerSeen) {
          headerSeen = true;
          if (fields.join('\u0000') !== job.header.join('\u0000')) {
            throw Object.assign(new RadReportXError('BadUsage', 'The file\'s columns differ from those the job was started with.'), { name: 'FileMismatch' });
          }
          continue;
        }
        const n = rowNumber++;
        position = sliceStart + ((i + 1) / batch.rows.length) * (batch.bytesRead - sliceStart);
        if (n < job.rowsDone) continue;

        const prepared = prepareRow(fields, layout, n + 1);
        const unreadable = problemMessage ?? (prepared.ok ? undefined : prepared.message);
        let result;
        if (prepared.ok && !unreadable) {
          result = await labelText(engine, prepared.text, job.task, control.abort.signal);
          // Stopped while this row was labeled: its result may be an abort, so it is not kept.
          const stopped = await stopIfAsked();
          if (stopped) return stopped;
        } else {
          problems++;
          firstProblem ??= unreadable?.startsWith('Row ') ? unreadable : `Row ${(n + 1).toLocaleString('en')}: ${unreadable}`;
          result = failedResult('error', engine.info, unreadable ?? 'This row could not be read.');
        }
        rows.push(toStored(prepared.ids, result));
        details.push(toDetail(prepared.ok ? prepared.text : '', result));
        labeledThisRun++;

        if (rows.length === CHUNK_ROWS || performance.now() - lastSave > SAVE_MS) {
          if (!(await save(Math.round(position)))) return await stopAfterRace(job.id);
          const stopped = await stopIfAsked();
          if (stopped) return stopped;
          report('running');
        }
      }
      // Pause and cancel also take effect between slices.
      const stopped = await stopIfAsked();
      if (stopped) return stopped;
      report('running');
    }
    if (!(await save(file.size, true))) return await stopAfterRace(job.id);
    if (firstProblem) {
      const more = problems > 1 ? ` (${(problems - 1).toLocaleString('en')} more row${problems > 2 ? 's' : ''} could not be read either)` : '';
      job = (await updateJob(job.id, { message: `Done, but some rows could not be read. ${firstProblem}${more}` })) ?? job;
    }
    report('done', true, job.message);
    return job;
  } catch (e) {
    const storageFull = errorCode(e) === 'StorageFull';
    const message = errorMessage(e) + ((e as RadReportXError).hint ? ` ${(e as RadReportXError).hint}` : '');
    // A full disk is a pause, not a failure: the user frees space and resumes.
    await stop(storageFull ? 'paused' : 'error', message);
    throw e;
  } finally {
    controls.delete(initial.id);
  }

  async function stopAfterRace(id: string): Promise<JobRecord> {
    const latest = (await getJob(id)) ?? job;
    report(latest.state, true);
    return latest;
  }
}
