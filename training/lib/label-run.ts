/**
 * What `label` resolved from its common options, handed to every engine. Its own module (types only) so the
 * engine table (training/engines.ts) and the engines it lists can both name it without importing each other.
 */
import type { DifferentialMode, SectionMode } from '../../src/lib/engine.ts';
import type { Task } from '../../src/lib/result.ts';
import type { ParallelRun } from './parallel/options.ts';
import type { ProgressMode } from './progress.ts';

/** Everything `label` resolved from its common options. */
export interface LabelRun {
  engine: string;
  input: string;
  /** The `--text-column` value as given (one name, or several comma-separated). */
  textColumn: string;
  /** `--id-column` values as given (each may be comma-separated). */
  idColumns: string[];
  /** Output path, or `-` for standard output. */
  output: string;
  format: 'csv' | 'jsonl';
  task: Task;
  sections?: SectionMode;
  /** `--differentials`: how the diagnoses of a differential count (rules engine; default uncertain). */
  differentials?: DifferentialMode;
  /** `auto` (detected from the file's start), or one character. */
  delimiter: string;
  /** `auto` (UTF-8 or UTF-16, found from the bytes), or an encoding name (windows-1252, ...). */
  encoding: string;
  /** Whether the first row names the columns; `auto` (default) detects it. */
  header?: boolean | 'auto';
  progress: ProgressMode;
  quiet: boolean;
  /** Where to write run statistics as JSON, if asked. */
  stats?: string;
  /** `--jobs`, `--shard`, `--chunk-rows`; absent means one thread, the whole file. */
  parallel?: ParallelRun;
}
