/** The page ↔ evaluate-worker API, types only. Failures come back as an `Outcome` (`{ ok: false, code, message }`). */
import type { Outcome } from '../lib/errors.ts';
import type { UncertainPolicy } from '../lib/metrics.ts';
import type { Encoding } from '../lib/csv/decode.ts';
import type { BootstrapOptions } from '../lib/evaluate/bootstrap.ts';
import type { EvaluationSummary, LabelFormat } from '../lib/evaluate/evaluation.ts';
import type { IdTransform, JoinRequest } from '../lib/evaluate/join.ts';

export interface FileInspection {
  header: string[];
  delimiter: string;
  encoding: Encoding;
  /** The label format the header suggests, if any. */
  format?: LabelFormat;
  /** A likely id column to join on. */
  joinGuess?: string;
  /** A likely report-text column, shown for disagreements. */
  textGuess?: string;
  /** Findings with a coded column (codes format). */
  codedFindings: string[];
}


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
  /**
   * The join (join.ts). Absent: by the join columns when both sides have one (a job's first id column), else
   * `auto` — by id-like columns when both have one, else by row order, with `orderCheck` in the summary.
   */
  join?: JoinRequest;
  /** Compare ids through a transform (strip prefix/suffix, zero-pad). */
  transform?: IdTransform;
  /** Bootstrap intervals (default 1000 resamples, seed 1, as the CLI). */
  bootstrap?: BootstrapOptions;
}

export interface EvaluateProgress {
  phase: 'reference' | 'predictions' | 'text';
  rows: number;
  /** Fraction of the current file read, 0..1 (rows for a stored job). */
  fraction: number;
}

export interface EvaluateApi {
  inspect(file: Blob): Promise<Outcome<FileInspection>>;
  run(request: EvaluateRequest, onProgress: (p: EvaluateProgress) => void): Promise<Outcome<EvaluationSummary>>;
}
