/**
 * The batch screen: the chosen file and columns, every stored job, and live progress of the jobs running in this
 * tab. Jobs whose record says `running` but that no worker of this tab runs were interrupted (reload, crash).
 */
import * as Comlink from 'comlink';
import { errorMessage } from '../lib/errors.ts';
import type { Task } from '../lib/result.ts';
import { deleteJob, listJobs } from '../platform/storage/jobs.ts';
import type { JobRecord } from '../platform/storage/schema.ts';
import type { BatchProgress, CsvInspection, ExportFormat, Outcome } from '../worker/api.ts';
import { saveBlob } from './download.ts';
import { LARGE_JOB_BYTES, requestPersistence } from './local-data.ts';
import { alerts } from './alerts.svelte.ts';
import { engines } from './engines.svelte.ts';
import { labeler } from './labeler.ts';

export type JobView = 'running' | 'interrupted' | 'paused' | 'done' | 'cancelled' | 'error';

class Batch {
  file = $state.raw<File | undefined>();
  inspection = $state.raw<CsvInspection | undefined>();
  textColumns = $state<string[]>([]);
  idColumns = $state<string[]>([]);
  task = $state<Task>('findings');
  jobs = $state.raw<JobRecord[]>([]);
  progress = $state.raw<Record<string, BatchProgress>>({});
  /** Jobs this tab's worker is running now. */
  running = $state.raw<ReadonlySet<string>>(new Set());
  inspecting = $state(false);
  /** Called when a job stops (done, paused, cancelled), e.g. to refresh the results view. */
  onjobstopped: ((jobId: string) => void) | undefined;

  async refreshJobs(): Promise<void> {
    try {
      this.jobs = await listJobs();
    } catch (e) {
      alerts.error(`Saved jobs could not be read: ${errorMessage(e)}`);
    }
  }

  viewOf(job: JobRecord): JobView {
    if (this.running.has(job.id)) return 'running';
    if (job.state !== 'running') return job.state;
    // The record could not be updated (a full disk) but this tab heard how the job stopped.
    const heard = this.progress[job.id]?.state;
    return heard && heard !== 'running' ? heard : 'interrupted';
  }

  async chooseFile(file: File): Promise<void> {
    this.file = undefined;
    this.inspection = undefined;
    this.inspecting = true;
    try {
      const found = await labeler().inspectCsv(file, file.name);
      if (!found.ok) {
        alerts.error(found.message, found.hint);
        return;
      }
      this.file = file;
      this.inspection = found.value;
      this.textColumns = [...found.value.suggestedText];
      this.idColumns = [...found.value.suggestedId];
      if (found.value.noTextColumn) {
        alerts.push(
          'warning',
          `No column in "${file.name}" looks like report text (columns: ${found.value.header.map((h) => `"${h}"`).join(', ')}).`,
          'Tick the column that holds the reports below, or choose another file.',
        );
      }
    } catch (e) {
      alerts.error(`"${file.name}" could not be read: ${errorMessage(e)}`);
    } finally {
      this.inspecting = false;
    }
  }

  async start(): Promise<void> {
    const file = this.file;
    if (!file || !this.inspection) return;
    if (this.textColumns.length === 0) {
      alerts.error('Choose at least one column that holds the report text.');
      return;
    }
    const settings = { textColumns: [...this.textColumns], idColumns: [...this.idColumns], engine: engines.selected, task: this.task };
    // A large job's results take long to remake: ask the browser not to evict them under storage pressure.
    if (file.size > LARGE_JOB_BYTES) void requestPersistence().catch(() => false);
    this.file = undefined;
    this.inspection = undefined;
    await this.#track((onProgress) => labeler().startJob(file, settings, onProgress));
  }

  async resume(jobId: string, file?: File): Promise<void> {
    await this.#track((onProgress) => labeler().resumeJob(jobId, file, onProgress), jobId);
  }

  async pause(jobId: string): Promise<void> {
    await labeler().pauseJob(jobId);
  }

  async cancel(jobId: string): Promise<void> {
    await labeler().cancelJob(jobId);
    if (!this.running.has(jobId)) await this.refreshJobs();
  }

  async remove(jobId: string): Promise<void> {
    if (this.running.has(jobId)) await labeler().cancelJob(jobId);
    try {
      await deleteJob(jobId);
    } catch (e) {
      alerts.error(`The job could not be deleted: ${errorMessage(e)}`);
    }
    await this.refreshJobs();
  }

  async export(job: JobRecord, format: ExportFormat): Promise<void> {
    try {
      const blob = await labeler().exportJob(job.id, format);
      const base = job.file.name.replace(/\.[^.]*$/, '');
      saveBlob(blob, `${base}.labels.${format}`);
    } catch (e) {
      alerts.error(`The export failed: ${errorMessage(e)}`);
    }
  }

  /** Runs a start/resume call to its end, keeping the job list, the running set and the progress current. */
  async #track(call: (onProgress: (p: BatchProgress) => void) => Promise<Outcome<JobRecord>>, jobId?: string): Promise<void> {
    let id = jobId;
    const markRunning = (jid: string) => {
      if (!this.running.has(jid)) this.running = new Set([...this.running, jid]);
    };
    if (id) markRunning(id);
    const onProgress = Comlink.proxy((p: BatchProgress) => {
      this.progress = { ...this.progress, [p.jobId]: p };
      if (!id) {
        id = p.jobId;
        markRunning(id);
        void this.refreshJobs();
      }
    });
    try {
      const outcome = await call(onProgress);
      if (!outcome.ok) {
        alerts.error(outcome.message, outcome.hint);
        return;
      }
      id = outcome.value.id;
      if (outcome.value.message) alerts.push('warning', outcome.value.message);
    } catch (e) {
      alerts.error(errorMessage(e));
    } finally {
      if (id) {
        const next = new Set(this.running);
        next.delete(id);
        this.running = next;
      }
      await this.refreshJobs();
      if (id) this.onjobstopped?.(id);
    }
  }
}

export const batch = new Batch();
