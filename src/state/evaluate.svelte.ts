/**
 * The Evaluate view's state: the two sources the user picked, what the worker found in them, and the last
 * result. The worker is started on first use; a run started while another is going supersedes it.
 */
import { proxy, wrap, type Remote } from 'comlink';
import type { UncertainPolicy } from '../lib/metrics.ts';
import type { EvaluationSummary, LabelFormat } from '../lib/evaluate/evaluation.ts';
import { disagreementsCsv, metricsCsv, metricsJson } from '../lib/evaluate/export.ts';
import type { IdTransform } from '../lib/evaluate/join.ts';
import { saveBlob } from './download.ts';
import type { JobRecord, RowView } from '../worker/api.ts';
import type { EvaluateApi, EvaluateProgress, EvaluateRequest, FileInspection } from '../worker/evaluate-protocol.ts';
import { labeler } from './labeler.ts';

export interface CsvChoice {
  file: File;
  inspection: FileInspection;
  format: LabelFormat | undefined;
  joinColumn: string;
}

/** What the state needs from the evaluate worker (tests pass a stand-in). */
export type EvaluateWorker = Pick<Remote<EvaluateApi>, 'inspect' | 'run'>;
/** Where stored jobs come from (tests pass a list). */
export type JobSource = () => Promise<JobRecord[]>;
/** Where a stored job's row comes from (0-based row; tests pass a stand-in). */
export type RowSource = (jobId: string, row: number) => Promise<Pick<RowView, 'text'> | undefined>;

export class EvaluateState {
  #reference = $state.raw<CsvChoice | undefined>();
  #referenceText = $state('');
  #predictionsKind = $state<'job' | 'csv'>('csv');
  #predictionsCsv = $state.raw<CsvChoice | undefined>();
  #jobs = $state.raw<JobRecord[]>([]);
  #jobId = $state('');
  #uncertain = $state<UncertainPolicy>('negative');
  #running = $state(false);
  #progress = $state.raw<EvaluateProgress | undefined>();
  #error = $state('');
  #result = $state.raw<EvaluationSummary | undefined>();
  /** The job the last result's predictions came from, for fetching report text. */
  #resultJob = $state.raw<JobRecord | undefined>();

  #canRun = $derived(
    !this.#running &&
      !!this.#reference?.format &&
      (this.#predictionsKind === 'job' ? !!this.#jobId : !!this.#predictionsCsv?.format),
  );

  /** Ids compared through a transform (strip a prefix or suffix, zero-pad), as `--id-strip-prefix` etc. */
  #transform = $state.raw<IdTransform>({});

  #api: EvaluateWorker | undefined;
  readonly #listJobs: JobSource;
  readonly #readRow: RowSource;
  #runId = 0;

  // Stored jobs are the labeling worker's: the page asks it rather than reading the browser's storage itself.
  constructor(worker?: EvaluateWorker, jobs: JobSource = () => labeler().listJobs(), rows: RowSource = (id, row) => labeler().readRow(id, row)) {
    this.#api = worker;
    this.#listJobs = jobs;
    this.#readRow = rows;
  }

  get reference(): CsvChoice | undefined {
    return this.#reference;
  }
  /** The reference file's options as the user set them (format, join column). */
  setReference(choice: CsvChoice): void {
    this.#reference = choice;
    this.#result = undefined;
  }
  /** The column with the report text shown for disagreements ('' for none). */
  get referenceText(): string {
    return this.#referenceText;
  }
  set referenceText(column: string) {
    this.#referenceText = column;
  }
  get predictionsKind(): 'job' | 'csv' {
    return this.#predictionsKind;
  }
  set predictionsKind(kind: 'job' | 'csv') {
    this.#predictionsKind = kind;
  }
  get predictionsCsv(): CsvChoice | undefined {
    return this.#predictionsCsv;
  }
  setPredictions(choice: CsvChoice): void {
    this.#predictionsCsv = choice;
    this.#result = undefined;
  }
  get jobs(): readonly JobRecord[] {
    return this.#jobs;
  }
  get jobId(): string {
    return this.#jobId;
  }
  set jobId(id: string) {
    this.#jobId = id;
  }
  get uncertain(): UncertainPolicy {
    return this.#uncertain;
  }
  set uncertain(policy: UncertainPolicy) {
    this.#uncertain = policy;
  }
  get running(): boolean {
    return this.#running;
  }
  get progress(): EvaluateProgress | undefined {
    return this.#progress;
  }
  get error(): string {
    return this.#error;
  }
  get result(): EvaluationSummary | undefined {
    return this.#result;
  }
  get resultJob(): JobRecord | undefined {
    return this.#resultJob;
  }
  /**
   * The report text of a disagreement's row (1-based, as `predictionRow`) in the job the last result came from;
   * undefined without such a job or when the row can no longer be read.
   */
  async jobReportText(predictionRow: number): Promise<string | undefined> {
    const job = this.#resultJob;
    if (!job) return undefined;
    try {
      return (await this.#readRow(job.id, predictionRow - 1))?.text;
    } catch {
      return undefined;
    }
  }
  get canRun(): boolean {
    return this.#canRun;
  }
  get transform(): IdTransform {
    return this.#transform;
  }
  setTransform(patch: IdTransform): void {
    this.#transform = { ...this.#transform, ...patch };
    this.#result = undefined;
  }

  /** Joins on these two columns and runs again (the answer to a row-order warning). */
  async joinOn(reference: string, predictions: string): Promise<void> {
    if (this.#reference) this.#reference = { ...this.#reference, joinColumn: reference };
    if (this.#predictionsCsv && this.#predictionsKind === 'csv') this.#predictionsCsv = { ...this.#predictionsCsv, joinColumn: predictions };
    await this.run();
  }

  /** Downloads the last result: `metrics.csv`, `metrics.json` or `disagreements.csv`, as the CLI writes them. */
  export(kind: 'metrics-csv' | 'metrics-json' | 'disagreements'): void {
    const r = this.#result;
    if (!r) return;
    if (kind === 'metrics-csv') saveBlob(new Blob([metricsCsv(r)], { type: 'text/csv' }), 'metrics.csv');
    else if (kind === 'metrics-json') saveBlob(new Blob([metricsJson(r)], { type: 'application/json' }), 'metrics.json');
    else saveBlob(new Blob([disagreementsCsv(r)], { type: 'text/csv' }), 'disagreements.csv');
  }

  #transformOrUndefined(): IdTransform | undefined {
    const t = this.#transform;
    const clean: IdTransform = {};
    if (t.stripPrefix?.trim()) clean.stripPrefix = t.stripPrefix.trim();
    if (t.stripSuffix?.trim()) clean.stripSuffix = t.stripSuffix.trim();
    if (t.padTo && t.padTo > 0) clean.padTo = Math.floor(t.padTo);
    return Object.keys(clean).length ? clean : undefined;
  }

  #worker(): EvaluateWorker {
    this.#api ??= wrap<EvaluateApi>(new Worker(new URL('../worker/evaluate.worker.ts', import.meta.url), { type: 'module', name: 'evaluate' }));
    return this.#api;
  }

  async refreshJobs(): Promise<void> {
    try {
      this.#jobs = (await this.#listJobs()).filter((j) => j.rowsDone > 0 && j.task !== 'icd10');
      if (!this.#jobs.some((j) => j.id === this.#jobId)) this.#jobId = this.#jobs[0]?.id ?? '';
      if (this.#jobs.length && !this.#predictionsCsv) this.#predictionsKind = 'job';
    } catch {
      this.#jobs = [];
    }
  }

  /** Reads the header of a picked file; returns the choice, or sets `error`. */
  async pick(file: File): Promise<CsvChoice | undefined> {
    this.#error = '';
    const outcome = await this.#worker().inspect(file);
    if (!outcome.ok) {
      this.#error = `${file.name}: ${outcome.message}`;
      return undefined;
    }
    const inspection = outcome.value;
    return { file, inspection, format: inspection.format, joinColumn: inspection.joinGuess ?? '' };
  }

  async pickReference(file: File): Promise<void> {
    this.#reference = await this.pick(file);
    this.#referenceText = this.#reference?.inspection.textGuess ?? '';
    this.#result = undefined;
  }

  async pickPredictions(file: File): Promise<void> {
    this.#predictionsCsv = await this.pick(file);
    this.#result = undefined;
    // No label columns but a report-text column: a reports file picked by mistake. Said at once, in one line,
    // naming the column, never quoting the text (the worker refuses the same file the same way on a run).
    const i = this.#predictionsCsv?.inspection;
    if (i && !i.format && i.textGuess) {
      this.#error = `${file.name}: it holds report text in column "${i.textGuess}", not finding labels (it looks like a reports file). Label it first in the Batch tab, then evaluate the job or its export.`;
    }
  }

  async run(): Promise<void> {
    const reference = this.#reference;
    if (!reference?.format) return;
    const id = ++this.#runId;
    const job = this.#predictionsKind === 'job' ? this.#jobs.find((j) => j.id === this.#jobId) : undefined;
    const predictions: EvaluateRequest['predictions'] | undefined =
      this.#predictionsKind === 'job'
        ? job && { kind: 'job', jobId: job.id }
        : this.#predictionsCsv?.format && {
            kind: 'csv',
            file: this.#predictionsCsv.file,
            delimiter: this.#predictionsCsv.inspection.delimiter,
            format: this.#predictionsCsv.format,
            joinColumns: this.#predictionsCsv.joinColumn ? [this.#predictionsCsv.joinColumn] : [],
          };
    if (!predictions) return;
    this.#running = true;
    this.#error = '';
    this.#progress = undefined;
    try {
      const outcome = await this.#worker().run(
        {
          reference: {
            kind: 'csv',
            file: reference.file,
            delimiter: reference.inspection.delimiter,
            format: reference.format,
            joinColumns: reference.joinColumn ? [reference.joinColumn] : [],
            textColumn: this.#referenceText || undefined,
          },
          predictions,
          uncertain: this.#uncertain,
          // A side set to "row order" is a choice: the worker then joins by order (and compares the ids row by
          // row when both files have them); otherwise it joins on the chosen or found id columns.
          join: !reference.joinColumn || (this.#predictionsKind === 'csv' && !this.#predictionsCsv?.joinColumn) ? 'order' : undefined,
          transform: this.#transformOrUndefined(),
        },
        proxy((p: EvaluateProgress) => {
          if (id === this.#runId) this.#progress = p;
        }),
      );
      if (id !== this.#runId) return;
      if (outcome.ok) {
        this.#result = outcome.value;
        this.#resultJob = job;
      } else {
        this.#error = outcome.message;
      }
    } finally {
      if (id === this.#runId) this.#running = false;
    }
  }
}

export const evaluateState = new EvaluateState();
