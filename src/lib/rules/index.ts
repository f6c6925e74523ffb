/**
 * The rule-based labeler: sections → sentences (`ReportDoc`, parsed once) → findings mentions and ICD-10 phrases
 * → one ConText pass → the two aggregators. Synchronous and pure, so the browser worker and the Node CLI share it.
 */
import type { LabelOptions } from '../engine.ts';
import type { LabelResult } from '../result.ts';
import { labelReport } from './engine.ts';

/** Labels the 13 findings of one report (task `findings`). Blank text gives status `empty`, never Normal. */
export function labelFindings(text: string, options: Omit<LabelOptions, 'task'> = {}): LabelResult {
  return labelReport(text, { ...options, task: 'findings' });
}

export { labelReport, rulesEngine, RULES_ENGINE_INFO } from './engine.ts';
export { RULES_VERSION } from './version.ts';
