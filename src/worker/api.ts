/**
 * The page ↔ worker API, types only: the page imports it to type its comlink proxy, the worker implements it.
 * Failures the user should read come back as `{ ok: false, code, message }`; branch on `code`, never `instanceof`.
 */
import type { Encoding } from '../lib/csv/decode.ts';
import type { CsvInspection, ReadChoices } from '../lib/csv/reader.ts';
import type { Outcome } from '../lib/errors.ts';
import type { GgufApi } from '../lib/llm/gguf-protocol.ts';
import type { ModelApi } from '../lib/llm/protocol.ts';
import type { LabelResult, Task } from '../lib/result.ts';
import type { JobRecord, JobState } from '../platform/storage/schema.ts';

/** `rules` today; the LLM engine registers another id. */
export type EngineId = string;

export interface EngineDescriptor {
  id: EngineId;
  name: string;
  version: string;
  /** False until a lazily loaded engine (a model) has been loaded in this worker. */
  loaded: boolean;
}

export type { Outcome };

/** A stored batch job as the worker keeps it (the page reads jobs through this API, never from storage). */
export type { JobRecord, JobState };

export interface LabelRequest {
  text: string;
  engine: EngineId;
  task: Task;
}

/**
 * How a CSV will be read (encoding, delimiter, header row: detected or chosen), its columns (duplicates flagged),
 * the first rows, and the columns the app suggests. The core's type: the CLI inspects files the same way.
 */
export type { CsvInspection, ReadChoices } from '../lib/csv/reader.ts';

export interface JobSettings {
  textColumns: string[];
  idColumns: string[];
  engine: EngineId;
  task: Task;
  /** Reading choices the user made over what inspection detected; absent means detect, as inspectCsv did. */
  delimiter?: string;
  encoding?: Encoding;
  hasHeader?: boolean;
}

export interface BatchProgress {
  jobId: string;
  state: JobState;
  rowsDone: number;
  /** Characters read so far, comparable to the file size. */
  bytesDone: number;
  totalBytes: number;
  rowsPerSecond: number;
  /** Undefined until the rate is known. */
  etaSeconds?: number;
  /** Workers that have labeled rows of this run: the batch worker and its helpers (rule engine only). */
  workers?: number;
  message?: string;
}

export type ProgressCallback = (p: BatchProgress) => void;

export type ExportFormat = 'csv' | 'jsonl';

/** How many helper workers label a rules job (see src/worker/pool.ts). */
export interface HelperSetting {
  helpers: number;
  /** `navigator.hardwareConcurrency - 1`, at least 1. */
  default: number;
  max: number;
}

/**
 * The results table in columns, for the virtualised view: typed arrays are transferred, not copied.
 * `codes[row * 13 + f]` is 0 absent, 1 positive, 2 negative, 3 uncertain.
 */
export interface ResultsTable {
  jobId: string;
  rows: number;
  /** Id values joined by " / " (or the row number when the job has no id column). */
  labels: string[];
  status: Uint8Array;
  codes: Uint8Array;
  normal: Uint8Array;
  /** Each row's ICD-10 codes, space-separated ('' for none or a findings-only job). */
  icd10Codes: string[];
  /** Each row's ICD-10 phrases and titles, lower-cased and joined, for the text search. */
  icd10Text: string[];
  /** Every ICD-10 code the job found, with its official title and how many rows have it, most frequent first. */
  icd10Summary: { code: string; title: string; rows: number }[];
}

export interface RowView {
  row: number;
  ids: string[];
  text: string;
  result: LabelResult;
}

/** The model methods (load, cancel, cache, import) come from the LLM's own protocol modules (WebLLM, GGUF). */
export interface LabelerApi extends ModelApi, GgufApi {
  engines(): Promise<EngineDescriptor[]>;
  /** Labels one report (the page drops answers to requests it has since superseded). */
  label(request: LabelRequest): Promise<LabelResult>;
  /** How the file will be read and its columns; `choices` override detection (delimiter, encoding, header). */
  inspectCsv(file: Blob, name: string, choices?: ReadChoices): Promise<Outcome<CsvInspection>>;
  /** Creates a job for the file and runs it until done, paused or cancelled. */
  startJob(file: File, settings: JobSettings, onProgress: ProgressCallback): Promise<Outcome<JobRecord>>;
  /** Continues a stored job from its cursor; `file` is required when the job could not store its file. */
  resumeJob(jobId: string, file: File | undefined, onProgress: ProgressCallback): Promise<Outcome<JobRecord>>;
  /** Every stored job, newest first. */
  listJobs(): Promise<JobRecord[]>;
  /** Deletes a job with its rows and stored file (cancel it first if it runs). */
  deleteJob(jobId: string): Promise<void>;
  pauseJob(jobId: string): Promise<void>;
  cancelJob(jobId: string): Promise<void>;
  loadTable(jobId: string): Promise<ResultsTable>;
  readRow(jobId: string, row: number): Promise<RowView | undefined>;
  exportJob(jobId: string, format: ExportFormat): Promise<Blob>;
  /**
   * Helper workers for the next rules job (the batch worker labels too): `undefined` keeps the current number;
   * out-of-range values are clamped. Resolves to the number in force, the default and the most allowed.
   */
  labelingHelpers(n?: number): Promise<HelperSetting>;
  /** Gives a job a name of the user's choice ('' goes back to the file name). */
  renameJob(jobId: string, name: string): Promise<void>;
}
