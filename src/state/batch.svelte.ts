/**
 * The batch screen: the chosen file and columns, every stored job, and live progress of the jobs running in this
 * tab or in another tab of this site. Jobs whose record says `running` but that no tab runs were interrupted
 * (reload, crash).
 *
 * Across tabs: the tab that runs a job holds its Web Lock (taken by the worker, `radreportx-job-<id>`) and
 * repeats its progress on a BroadcastChannel; other tabs show the job as running with that progress, ask the lock
 * manager which jobs are held when they open and every few seconds while one is, and send Pause and Cancel to the
 * tab that runs it.
 */
import * as Comlink from 'comlink';
import { errorMessage } from '../lib/errors.ts';
import type { Task } from '../lib/result.ts';
import type { BatchProgress, CsvInspection, ExportFormat, JobRecord, Outcome, ReadChoices } from '../worker/api.ts';
import { saveBlob } from './download.ts';
import { LARGE_JOB_BYTES, requestPersistence } from './local-data.ts';
import { alerts } from './alerts.svelte.ts';
import { engines } from './engines.svelte.ts';
import { labeler } from './labeler.ts';

export type JobView = 'running' | 'interrupted' | 'paused' | 'done' | 'cancelled' | 'error';

/** What tabs tell each other about jobs. */
export type JobsMessage =
  | { kind: 'progress'; progress: BatchProgress }
  | { kind: 'stopped'; jobId: string }
  | { kind: 'control'; jobId: string; action: 'pause' | 'cancel' }
  | { kind: 'changed' };

export const JOBS_CHANNEL = 'radreportx-jobs';
const LOCK_PREFIX = 'radreportx-job-';
const POLL_MS = 2000;

/** The names of the job locks held now, in any tab of this origin; undefined without the Web Locks API. */
async function heldJobLocks(): Promise<Set<string> | undefined> {
  const locks = globalThis.navigator?.locks;
  if (!locks?.query) return undefined;
  const snapshot = await locks.query();
  return new Set((snapshot.held ?? []).map((l) => l.name ?? '').filter((n) => n.startsWith(LOCK_PREFIX)).map((n) => n.slice(LOCK_PREFIX.length)));
}

class Batch {
  #file = $state.raw<File | undefined>();
  #inspection = $state.raw<CsvInspection | undefined>();
  #textColumns = $state<string[]>([]);
  #idColumns = $state<string[]>([]);
  #task = $state<Task>('findings');
  #jobs = $state.raw<JobRecord[]>([]);
  #progress = $state.raw<Record<string, BatchProgress>>({});
  /** Jobs this tab's worker is running now. */
  #running = $state.raw<ReadonlySet<string>>(new Set());
  #inspecting = $state(false);

  get file(): File | undefined {
    return this.#file;
  }
  get inspection(): CsvInspection | undefined {
    return this.#inspection;
  }
  get textColumns(): string[] {
    return this.#textColumns;
  }
  set textColumns(value: string[]) {
    this.#textColumns = value;
  }
  get idColumns(): string[] {
    return this.#idColumns;
  }
  set idColumns(value: string[]) {
    this.#idColumns = value;
  }
  get task(): Task {
    return this.#task;
  }
  set task(value: Task) {
    this.#task = value;
  }
  get jobs(): JobRecord[] {
    return this.#jobs;
  }
  get progress(): Record<string, BatchProgress> {
    return this.#progress;
  }
  get running(): ReadonlySet<string> {
    return this.#running;
  }
  get inspecting(): boolean {
    return this.#inspecting;
  }
  /** Called when a job stops (done, paused, cancelled), e.g. to refresh the results view. */
  onjobstopped: ((jobId: string) => void) | undefined;
  /** Jobs another tab runs now. */
  #elsewhere = $state.raw<ReadonlySet<string>>(new Set());
  /** The job whose card should take keyboard focus (the one just started). */
  #focusJob = $state<string | undefined>();
  #channel: BroadcastChannel | undefined;
  #poll: ReturnType<typeof setInterval> | undefined;

  /** Whether a job runs in another tab (its card shows that tab's progress). */
  isElsewhere(jobId: string): boolean {
    return this.#elsewhere.has(jobId);
  }

  /** The job card that should take focus, once: the card calls `focused()` when it has it. */
  get focusJob(): string | undefined {
    return this.#focusJob;
  }
  focused(): void {
    this.#focusJob = undefined;
  }

  /** Starts listening to the other tabs and asks which jobs they run. Call once, at app start. */
  watch(): void {
    if (this.#channel || typeof BroadcastChannel === 'undefined') return;
    this.#channel = new BroadcastChannel(JOBS_CHANNEL);
    this.#channel.onmessage = (event: MessageEvent<JobsMessage>) => this.hear(event.data);
    void this.checkOtherTabs();
  }

  /** Handles a message from another tab. */
  hear(m: JobsMessage): void {
    if (m.kind === 'progress') {
      const id = m.progress.jobId;
      if (this.#running.has(id)) return;
      this.#progress = { ...this.#progress, [id]: m.progress };
      if (m.progress.state === 'running' && !this.#elsewhere.has(id)) {
        this.#elsewhere = new Set([...this.#elsewhere, id]);
        if (!this.#jobs.some((j) => j.id === id)) void this.refreshJobs();
        this.#startPolling();
      }
    } else if (m.kind === 'stopped') {
      this.#dropElsewhere(m.jobId);
      void this.refreshJobs();
    } else if (m.kind === 'control') {
      if (!this.#running.has(m.jobId)) return;
      void (m.action === 'pause' ? labeler().pauseJob(m.jobId) : labeler().cancelJob(m.jobId));
    } else if (m.kind === 'changed') {
      void this.refreshJobs();
    }
  }

  /** Asks the lock manager which jobs run in another tab; a job whose tab closed becomes interrupted. */
  async checkOtherTabs(): Promise<void> {
    const held = await heldJobLocks().catch(() => undefined);
    if (!held) return;
    const elsewhere = new Set([...held].filter((id) => !this.#running.has(id)));
    const stopped = [...this.#elsewhere].some((id) => !elsewhere.has(id));
    this.#elsewhere = elsewhere;
    if (stopped) await this.refreshJobs();
    if (elsewhere.size) this.#startPolling();
    else this.#stopPolling();
  }

  #startPolling(): void {
    this.#poll ??= setInterval(() => void this.checkOtherTabs(), POLL_MS);
  }

  #stopPolling(): void {
    if (this.#poll !== undefined) clearInterval(this.#poll);
    this.#poll = undefined;
  }

  #dropElsewhere(jobId: string): void {
    if (!this.#elsewhere.has(jobId)) return;
    const next = new Set(this.#elsewhere);
    next.delete(jobId);
    this.#elsewhere = next;
  }

  #tell(m: JobsMessage): void {
    this.#channel?.postMessage(m);
  }

  /** Gives a job a name ('' for the file name). */
  async rename(jobId: string, name: string): Promise<void> {
    try {
      await labeler().renameJob(jobId, name);
    } catch (e) {
      alerts.error(`The job could not be renamed: ${errorMessage(e)}`);
    }
    await this.refreshJobs();
    this.#tell({ kind: 'changed' });
  }

  async refreshJobs(): Promise<void> {
    try {
      this.#jobs = await labeler().listJobs();
    } catch (e) {
      alerts.error(`Saved jobs could not be read: ${errorMessage(e)}`);
    }
  }

  viewOf(job: JobRecord): JobView {
    if (this.#running.has(job.id) || this.#elsewhere.has(job.id)) return 'running';
    if (job.state !== 'running') return job.state;
    // The record could not be updated (a full disk) but this tab heard how the job stopped.
    const heard = this.#progress[job.id]?.state;
    return heard && heard !== 'running' ? heard : 'interrupted';
  }

  /** How the chosen file is read: 'auto' (detected) or the user's choice, per setting. */
  #choices = $state.raw<Required<ReadChoices>>({ encoding: 'auto', delimiter: 'auto', header: 'auto' });
  get readChoices(): Required<ReadChoices> {
    return this.#choices;
  }

  /** Reads the file again with one reading setting changed (encoding, delimiter, header row). */
  async setReadChoice(patch: ReadChoices): Promise<void> {
    const file = this.#file;
    if (!file) return;
    const previous = this.#choices;
    this.#choices = { ...this.#choices, ...patch };
    const keepText = this.#textColumns;
    const keepId = this.#idColumns;
    // A reading that fails (e.g. UTF-8 chosen for a windows-1252 file) is refused with its message; the last
    // working one stays.
    if (!(await this.#inspect(file, false))) {
      this.#choices = previous;
      return;
    }
    // Columns the user had picked stay picked when the new reading still has them.
    if (this.#inspection) {
      const has = (c: string) => this.#inspection!.header.includes(c);
      if (keepText.length && keepText.every(has)) this.#textColumns = keepText;
      if (keepId.every(has)) this.#idColumns = keepId;
    }
  }

  /** A file that is not UTF-8 text: the user may name its encoding (windows-1252) instead of being refused. */
  #undecodable = $state.raw<File | undefined>();
  get undecodable(): File | undefined {
    return this.#undecodable;
  }

  async chooseFile(file: File): Promise<void> {
    this.#file = undefined;
    this.#inspection = undefined;
    this.#undecodable = undefined;
    this.#choices = { encoding: 'auto', delimiter: 'auto', header: 'auto' };
    await this.#inspect(file, true);
  }

  /** Reads the file that was not UTF-8 with the encoding the user names. */
  async readWithEncoding(encoding: string): Promise<void> {
    const file = this.#undecodable;
    if (!file) return;
    this.#choices = { ...this.#choices, encoding };
    if (await this.#inspect(file, true)) this.#undecodable = undefined;
  }

  async #inspect(file: File, fresh: boolean): Promise<boolean> {
    this.#inspecting = true;
    try {
      const found = await labeler().inspectCsv(file, file.name, this.#choices);
      if (!found.ok) {
        alerts.error(found.message, found.hint);
        if (fresh && found.code === 'InvalidEncoding') this.#undecodable = file;
        return false;
      }
      this.#undecodable = undefined;
      this.#file = file;
      this.#inspection = found.value;
      this.#textColumns = [...found.value.suggestedText];
      this.#idColumns = [...found.value.suggestedId];
      if (fresh && found.value.noTextColumn) {
        alerts.push(
          'warning',
          `No column in "${file.name}" looks like report text (columns: ${found.value.header.map((h) => `"${h}"`).join(', ')}).`,
          'Tick the column that holds the reports below, or choose another file.',
        );
      }
      return true;
    } catch (e) {
      alerts.error(`"${file.name}" could not be read: ${errorMessage(e)}`);
      return false;
    } finally {
      this.#inspecting = false;
    }
  }

  async start(): Promise<void> {
    const file = this.#file;
    if (!file || !this.#inspection) return;
    if (this.#textColumns.length === 0) {
      alerts.error('Choose at least one column that holds the report text.');
      return;
    }
    const read = this.#inspection.settings;
    const settings = {
      textColumns: [...this.#textColumns],
      idColumns: [...this.#idColumns],
      engine: engines.selected,
      task: this.#task,
      // The reading the user saw in the preview, detected or chosen.
      delimiter: read.delimiter,
      encoding: read.encoding,
      hasHeader: read.hasHeader,
    };
    // A large job's results take long to remake: ask the browser not to evict them under storage pressure.
    if (file.size > LARGE_JOB_BYTES) void requestPersistence().catch(() => false);
    this.#file = undefined;
    this.#inspection = undefined;
    await this.#track((onProgress) => labeler().startJob(file, settings, onProgress));
  }

  async resume(jobId: string, file?: File): Promise<void> {
    await this.#track((onProgress) => labeler().resumeJob(jobId, file, onProgress), jobId);
  }

  async pause(jobId: string): Promise<void> {
    if (!this.#running.has(jobId) && this.#elsewhere.has(jobId)) return this.#tell({ kind: 'control', jobId, action: 'pause' });
    await labeler().pauseJob(jobId);
  }

  async cancel(jobId: string): Promise<void> {
    if (!this.#running.has(jobId) && this.#elsewhere.has(jobId)) return this.#tell({ kind: 'control', jobId, action: 'cancel' });
    await labeler().cancelJob(jobId);
    if (!this.#running.has(jobId)) await this.refreshJobs();
  }

  async remove(jobId: string): Promise<void> {
    if (!this.#running.has(jobId) && this.#elsewhere.has(jobId)) {
      alerts.error('This job is running in another tab. Pause or cancel it there (or here) before deleting it.');
      return;
    }
    if (this.#running.has(jobId)) await labeler().cancelJob(jobId);
    try {
      await labeler().deleteJob(jobId);
    } catch (e) {
      alerts.error(`The job could not be deleted: ${errorMessage(e)}`);
    }
    await this.refreshJobs();
    this.#tell({ kind: 'changed' });
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
      if (!this.#running.has(jid)) this.#running = new Set([...this.#running, jid]);
      this.#dropElsewhere(jid);
    };
    if (id) markRunning(id);
    const onProgress = Comlink.proxy((p: BatchProgress) => {
      this.#progress = { ...this.#progress, [p.jobId]: p };
      this.#tell({ kind: 'progress', progress: p });
      if (!id) {
        id = p.jobId;
        markRunning(id);
        if (!jobId) this.#focusJob = id;
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
        const next = new Set(this.#running);
        next.delete(id);
        this.#running = next;
      }
      await this.refreshJobs();
      if (id) {
        this.#tell({ kind: 'stopped', jobId: id });
        this.onjobstopped?.(id);
      }
    }
  }
}

export const batch = new Batch();
