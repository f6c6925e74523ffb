/** Labels one report text with an engine, turning blank, oversized and failing input into error results. */
import { engineFailure, unlabelableText } from '../lib/csv/records.ts';
import type { LabelEngine } from '../lib/engine.ts';
import { errorMessage } from '../lib/errors.ts';
import { failedResult, type LabelResult, type Task } from '../lib/result.ts';

/**
 * Longest report the Single report view labels as you type, in characters. A radiology report is a few thousand;
 * a paste near this is almost surely the wrong text, and would hold the worker while the user types. Batch jobs
 * have no such limit, like the CLI (the same file gives the same labels in both).
 */
export const MAX_TYPED_REPORT_CHARS = 200_000;

export async function labelText(engine: LabelEngine, text: string, task: Task, signal?: AbortSignal, maxChars = Infinity): Promise<LabelResult> {
  const unlabelable = unlabelableText(text, engine.info);
  if (unlabelable) return unlabelable;
  if (text.length > maxChars) {
    return failedResult(
      'error',
      engine.info,
      `This report is ${text.length.toLocaleString('en')} characters long, over the ${maxChars.toLocaleString('en')}-character limit (a radiology report is usually under 5,000). Check that the right text was pasted, or split it.`,
    );
  }
  try {
    return await engine.label(text, signal ? { task, signal } : { task });
  } catch (e) {
    return engineFailure(engine.info, errorMessage(e));
  }
}
