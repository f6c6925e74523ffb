/** The one interface every labeling engine implements, so the worker, the CLI and the app treat them alike. */
import type { EngineInfo, LabelResult, Task } from './result.ts';

/** Which report sections to label: the default reads FINDINGS and IMPRESSION and skips the clinical question. */
export type SectionMode = 'findings,impression' | 'all';

export type DifferentialMode = 'uncertain' | 'positive';
export const DIFFERENTIAL_MODES: readonly DifferentialMode[] = ['uncertain', 'positive'];

export interface LabelOptions {
  task?: Task;
  sections?: SectionMode;
  /** Count uncertain findings as present when deciding Normal. */
  uncertainAsPositive?: boolean;
  /**
   * How a differential ("atelectasis or pneumonia", "X versus Y", "X and/or Y") counts: `uncertain` (default:
   * neither is asserted) or `positive` (each named diagnosis counts as present, the IU indexers' convention).
   */
  differentials?: DifferentialMode;
  /** Match one-edit misspellings of the lexicon's head words ("cardiomegally"). Default true (rule engine). */
  typos?: boolean;
  signal?: AbortSignal;
}

export interface LabelEngine {
  readonly info: EngineInfo;
  label(text: string, options?: LabelOptions): Promise<LabelResult>;
}
