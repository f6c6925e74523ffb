/**
 * The combined rule engine the CLI and the browser worker use: the 13 findings (src/lib/rules) and, when the task
 * asks for it, Task 1's ICD-10 phrases (src/lib/icd10), in one LabelResult.
 */
import type { LabelEngine, LabelOptions } from './engine.ts';
import { extractIcd10 } from './icd10/extract.ts';
import { RULES_ENGINE_INFO, labelFindings } from './rules/index.ts';
import type { LabelResult } from './result.ts';

export { RULES_ENGINE_INFO } from './rules/index.ts';

/**
 * Labels one report. Task `findings` (default): the 13 findings. `icd10`: the ICD-10 items, in a result that is
 * still complete (findings are labeled too, since they cost little and keep every result the same shape).
 * `both`: both. Blank text gives status `empty` and no items.
 */
export function labelReport(text: string, options: LabelOptions = {}): LabelResult {
  const result = labelFindings(text, options);
  const task = options.task ?? 'findings';
  if (task === 'findings') return result;
  if (result.status !== 'ok') return { ...result, icd10: [] };
  return { ...result, icd10: extractIcd10(text, { sections: options.sections }) };
}

/** `labelReport` behind the common engine interface (the work is synchronous; the promise is for the interface). */
export const rulesEngine: LabelEngine = {
  info: RULES_ENGINE_INFO,
  async label(text: string, options?: LabelOptions): Promise<LabelResult> {
    if (options?.signal?.aborted) throw options.signal.reason ?? new DOMException('Aborted', 'AbortError');
    return labelReport(text, options);
  },
};
