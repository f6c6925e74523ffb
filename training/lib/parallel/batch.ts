/**
 * One batch of rows, labeled and formatted as output text. The same function runs on the main thread
 * (`--jobs 1`, and whenever every worker's queue is full) and in every worker thread, so the output of a run
 * is byte for byte the same whatever the number of threads.
 */
import { engineFailure, unlabelableText } from '../../../src/lib/csv/records.ts';
import { csvLine } from '../../../src/lib/csv/write.ts';
import { errorMessage } from '../../../src/lib/errors.ts';
import { jsonlRecord, outputRecord } from '../../../src/lib/output.ts';
import { failedResult, type LabelResult, type RowStatus, type Task } from '../../../src/lib/result.ts';
import type { RowLabeler } from '../../engines.ts';

/** One input row as the reader prepared it: ids, and the text or the reason the row cannot be read. */
export interface RowItem {
  /** Data row number in the input, 1-based, header not counted. */
  row: number;
  ids: string[];
  /** The report text; undefined when the row could not be read (`problem` says why). */
  text?: string;
  problem?: string;
  /** The row's id was seen earlier in the file (decided by the reader, which sees every row in order). */
  duplicateId?: boolean;
}

export interface BatchFormat {
  format: 'csv' | 'jsonl';
  task: Task;
  /** Names of the id columns, for JSONL's `ids` object. */
  idHeader: string[];
}

export interface Batch {
  /** Dispatch order; outputs are written in this order. */
  seq: number;
  items: RowItem[];
  format: BatchFormat;
}

export interface BatchOutput {
  seq: number;
  /** The batch's output lines, in row order. */
  text: string;
  rows: number;
  status: Record<RowStatus, number>;
  /** Labeled rows with no positive finding. */
  normal: number;
  /** Warnings for stderr, in row order (never report text). */
  warnings: string[];
}

export function labelBatch(labeler: RowLabeler, batch: Batch): BatchOutput {
  const { format, task, idHeader } = batch.format;
  const status: Record<RowStatus, number> = { ok: 0, empty: 0, error: 0, unparsed: 0 };
  const warnings: string[] = [];
  let normal = 0;
  let text = '';
  for (const item of batch.items) {
    let result: LabelResult;
    if (item.text === undefined) {
      const message = item.problem ?? `Row ${item.row} could not be read.`;
      result = failedResult('error', labeler.info, message);
      warnings.push(message);
    } else {
      result = unlabelableText(item.text, labeler.info) ?? labelOne(labeler, item.text, item.row, warnings);
    }
    status[result.status]++;
    if (result.status === 'ok' && result.normal) normal++;
    if (format === 'csv') {
      text += csvLine(outputRecord(item.ids, result, task));
    } else {
      const source = { row: item.row, idNames: idHeader, ids: item.ids, text: item.text ?? '', duplicateId: Boolean(item.duplicateId) };
      text += `${JSON.stringify(jsonlRecord(source, result, task))}\n`;
    }
  }
  return { seq: batch.seq, text, rows: batch.items.length, status, normal, warnings };
}

function labelOne(labeler: RowLabeler, text: string, row: number, warnings: string[]): LabelResult {
  try {
    return labeler.label(text);
  } catch (e) {
    // The error's own message may quote the report, so stderr only names the kind of failure.
    warnings.push(`row ${row}: the ${labeler.info.name} engine failed (${(e as Error).name ?? 'Error'}); recorded as an error row.`);
    return engineFailure(labeler.info, errorMessage(e));
  }
}
