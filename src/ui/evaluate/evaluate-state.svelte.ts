/**
 * The Evaluate view's state: the two sources the user picked, what the worker found in them, and the last
 * result. The worker is started on first use; a run started while another is going supersedes it.
 */
import { proxy, wrap, type Remote } from 'comlink';
import type { UncertainPolicy } from '../../lib/metrics.ts';
import { listJobs, type JobRecord } from '../../platform/storage/index.ts';
import type { EvaluationSummary, LabelFormat } from '../../lib/evaluate/evaluation.ts';
import type { EvaluateApi, EvaluateProgress, EvaluateRequest, FileInspection } from '../../worker/evaluate-protocol.ts';

export interface CsvChoice {
  file: File;
  inspection: FileInspection;
  format: LabelFormat | undefined;
  joinColumn: string;
}

export class EvaluateState {
  reference = $state.raw<CsvChoice | undefined>();
  referenceText = $state('');
  predictionsKind = $state<'job' | 'csv'>('csv');
  predictionsCsv = $state.raw<CsvChoice | undefined>();
  jobs = $state.raw<JobRecord[]>([]);
  jobId = $state('');
  uncertain = $state<UncertainPolicy>('negative');
  running = $state(false);
  progress = $state.raw<EvaluateProgress | undefined>();
  error = $state('');
  result = $state.raw<EvaluationSummary | undefined>();
  /** The job the last result's predictions came from, for fetching report text. */
  resultJob = $state.raw<JobRecord | undefined>();

  canRun = $derived(
    !this.running &&
      !!this.reference?.format &&
      (this.predictionsKind === 'job' ? !!this.jobId : !!this.predictionsCsv?.format),
  );

  #api: Remote<EvaluateApi> | undefined;
  #runId = 0;

  #worker(): Remote<EvaluateApi> {
    this.#api ??= wrap<EvaluateApi>(new Worker(new URL('../../worker/evaluate.worker.ts', import.meta.url), { type: 'module', name: 'evaluate' }));
    return this.#api;
  }

  async refreshJobs(): Promise<void> {
    try {
      this.jobs = (await listJobs()).filter((j) => j.rowsDone > 0 && j.task !== 'icd10');
      if (!this.jobs.some((j) => j.id === this.jobId)) this.jobId = this.jobs[0]?.id ?? '';
      if (this.jobs.length && !this.predictionsCsv) this.predictionsKind = 'job';
    } catch {
      this.jobs = [];
    }
  }

  /** Reads the header of a picked file; returns the choice, or sets `error`. */
  async pick(file: File): Promise<CsvChoice | undefined> {
    this.error = '';
    const outcome = await this.#worker().inspect(file);
    if (!outcome.ok) {
      this.error = `${file.name}: ${outcome.message}`;
      return undefined;
    }
    const inspection = outcome.value;
    return { file, inspection, format: inspection.format, joinColumn: inspection.joinGuess ?? '' };
  }

  async pickReference(file: File): Promise<void> {
    this.reference = await this.pick(file);
    this.referenceText = this.reference?.inspection.textGuess ?? '';
    this.result = undefined;
  }

  async pickPredictions(file: File): Promise<void> {
    this.predictionsCsv = await this.pick(file);
    this.result = undefined;
  }

  async run(): Promise<void> {
    const reference = this.reference;
    if (!reference?.format) return;
    const id = ++this.#runId;
    const job = this.predictionsKind === 'job' ? this.jobs.find((j) => j.id === this.jobId) : undefined;
    const predictions: EvaluateRequest['predictions'] | undefined =
      this.predictionsKind === 'job'
        ? job && { kind: 'job', jobId: job.id }
        : this.predictionsCsv?.format && {
            kind: 'csv',
            file: this.predictionsCsv.file,
            delimiter: this.predictionsCsv.inspection.delimiter,
            format: this.predictionsCsv.format,
            joinColumns: this.predictionsCsv.joinColumn ? [this.predictionsCsv.joinColumn] : [],
          };
    if (!predictions) return;
    this.running = true;
    this.error = '';
    this.progress = undefined;
    try {
      const outcome = await this.#worker().run(
        {
          reference: {
            kind: 'csv',
            file: reference.file,
            delimiter: reference.inspection.delimiter,
            format: reference.format,
            joinColumns: reference.joinColumn ? [reference.joinColumn] : [],
            textColumn: this.referenceText || undefined,
          },
          predictions,
          uncertain: this.uncertain,
        },
        proxy((p: EvaluateProgress) => {
          if (id === this.#runId) this.progress = p;
        }),
      );
      if (id !== this.#runId) return;
      if (outcome.ok) {
        this.result = outcome.value;
        this.resultJob = job;
      } else {
        this.error = outcome.message;
      }
    } finally {
      if (id === this.#runId) this.running = false;
    }
  }
}

export const evaluateState = new EvaluateState();
