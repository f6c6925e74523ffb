/** The page ↔ evaluate-worker API, types only. Failures come back as `{ ok: false, message }`. */
import type { UncertainPolicy } from '../lib/metrics.ts';
import type { EvaluationSummary, LabelFormat } from '../lib/evaluate/evaluation.ts';

export interface FileInspection {
  header: string[];
  delimiter: string;
  /** The label format the header suggests, if any. */
  format?: LabelFormat;
  /** A likely id column to join on. */
  joinGuess?: string;
  /** A likely report-text column, shown for disagreements. */
  textGuess?: string;
  /** Findings with a coded column (codes format). */
  codedFindings: string[];
}

export type EvaluateOutcome<T> = { ok: true; value: T } | { ok: false; message: string };

export interface CsvSide {
  kind: 'csv';
  file: Blob;
  delimiter: string;
  format: LabelFormat;
  joinColumns: string[];
}

export interface JobSide {
  kind: 'job';
  jobId: string;
}

export interface EvaluateRequest {
  reference: CsvSide & { textColumn?: string };
  predictions: CsvSide | JobSide;
  uncertain: UncertainPolicy;
}

export interface EvaluateProgress {
  phase: 'reference' | 'predictions' | 'text';
  rows: number;
  /** Fraction of the current file read, 0..1 (rows for a stored job). */
  fraction: number;
}

export interface EvaluateApi {
  inspect(file: Blob): Promise<EvaluateOutcome<FileInspection>>;
  run(request: EvaluateRequest, onProgress: (p: EvaluateProgress) => void): Promise<EvaluateOutcome<EvaluationSummary>>;
}
