/** Labels one report text with an engine, turning blank, oversized and failing input into error results. */
import type { LabelEngine } from '../lib/engine.ts';
import { errorMessage } from '../lib/errors.ts';
import { failedResult, isBlankReport, type LabelResult, type Task } from '../lib/result.ts';

/**
 * Longest report labeled, in characters. A radiology report is a few thousand; anything near this is almost
 * surely the wrong column or a broken file, and would hold the worker for a long time.
 */
export const MAX_REPORT_CHARS = 200_000;

export async function labelText(engine: LabelEngine, text: string, task: Task, signal?: AbortSignal): Promise<LabelResult> {
  if (isBlankReport(text)) return failedResult('empty', engine.info, 'The report is empty: there is nothing to label.');
  if (text.length > MAX_REPORT_CHARS) {
    return failedResult(
      'error',
      engine.info,
      `This report is ${text.length.toLocaleString('en')} characters long, over the ${MAX_REPORT_CHARS.toLocaleString('en')}-character limit (a radiology report is usually under 5,000). Check that the right text column was chosen, or split the text.`,
    );
  }
  try {
    return await engine.label(text, signal ? { task, signal } : { task });
  } catch (e) {
    return failedResult('error', engine.info, `The engine failed on this report: ${errorMessage(e)}`);
  }
}
