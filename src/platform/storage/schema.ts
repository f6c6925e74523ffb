/**
 * What the app keeps in IndexedDB: one record per batch job, the labeled rows in fixed-size chunks, the text and
 * evidence of each row (read only when a row is opened), and the uploaded file itself so a job can resume.
 */
import type { DBSchema } from 'idb';
import type { Encoding } from '../../lib/csv/decode.ts';
import type { EngineInfo, Evidence, Icd10Item, Icd10Rejected, RowStatus, Task } from '../../lib/result.ts';

/** Rows per stored chunk: chunk `k` always holds rows [k * CHUNK_ROWS, (k + 1) * CHUNK_ROWS). */
export const CHUNK_ROWS = 1000;

export type JobState = 'running' | 'paused' | 'done' | 'cancelled' | 'error';

export interface FileMeta {
  name: string;
  size: number;
  lastModified: number;
  type: string;
}

export interface JobCounts {
  status: Record<RowStatus, number>;
  /** Per finding, in FINDINGS order. */
  positive: number[];
  uncertain: number[];
  normal: number;
}

export interface JobRecord {
  id: string;
  createdAt: number;
  updatedAt: number;
  file: FileMeta;
  /** False when the browser refused to store the file (quota): the user must pick it again to resume. */
  fileStored: boolean;
  /** Column names (duplicates made unique; column_1... when the file has no header row). */
  header: string[];
  delimiter: string;
  /** How the file's bytes are read; jobs stored before this field were UTF-8. */
  encoding?: Encoding;
  /** False when the first row is data; jobs stored before this field had a header row. */
  hasHeader?: boolean;
  textColumns: string[];
  idColumns: string[];
  engine: string;
  /** Name and version of the engine that labels the job, for its exports (absent on jobs stored before). */
  engineInfo?: EngineInfo;
  /** A name the user gave the job; the file name when absent. */
  name?: string;
  task: Task;
  state: JobState;
  /** The cursor: rows [0, rowsDone) are stored, and nothing else. */
  rowsDone: number;
  /** Approximate position in the file (characters read up to the cursor), for progress and ETA only. */
  bytesDone: number;
  /** Known once the whole file has been read. */
  totalRows?: number;
  counts: JobCounts;
  /** Why the job stopped (error, storage full), in plain language. */
  message?: string;
}

/**
 * One labeled row as the results table needs it. `codes` holds one letter per finding in FINDINGS order:
 * p(ositive), n(egative), u(ncertain), a(bsent).
 */
export interface StoredRow {
  ids: string[];
  status: RowStatus;
  codes: string;
  normal: boolean;
  icd10: Icd10Item[] | undefined;
  message?: string;
}

/** What a row needs only when it is opened or exported as JSONL. */
export interface RowDetail {
  text: string;
  evidence: Evidence[];
  raw?: string;
  icd10Rejected?: Icd10Rejected[];
  /** LLM token counts and latency, for per-report speed in the row view. */
  usage?: { promptTokens: number; completionTokens: number; latencyMs?: number };
}

export interface RowChunk {
  jobId: string;
  index: number;
  rows: StoredRow[];
}

/** Row details in the compact form detail-codec.ts writes and reads. */
export interface PackedDetails {
  texts: string[];
  /** Evidence items per row. */
  counts: Uint32Array;
  /**
   * 9 numbers per evidence item: finding, status, mention start, mention end, trigger start (-1: no trigger),
   * trigger end, trigger kind, section, role. Names are indices into `strings`; -1: the key is not there, -2:
   * the key is there with the value undefined.
   */
  items: Int32Array;
  strings: string[];
  /** A row's other fields (an LLM's raw answer and token counts, rejected ICD-10 items), by row index. */
  extras?: Record<number, Omit<RowDetail, 'text' | 'evidence'>>;
}

/** A chunk's details: packed (detail-codec.ts) when they fit that form exactly, else plain (and in jobs stored before). */
export interface DetailChunk {
  jobId: string;
  index: number;
  details?: RowDetail[];
  packed?: PackedDetails;
}

export interface StoredFile {
  jobId: string;
  blob: Blob;
}

export interface RadReportXDb extends DBSchema {
  jobs: { key: string; value: JobRecord };
  rows: { key: [string, number]; value: RowChunk };
  details: { key: [string, number]; value: DetailChunk };
  files: { key: string; value: StoredFile };
}
