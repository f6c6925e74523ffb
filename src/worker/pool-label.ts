/**
 * Labels rows with the rule engine into what the store keeps. The batch worker (for the rows it labels itself)
 * and every helper run this same function, so a job's stored results are the same whatever the number of workers.
 */
import type { LabelEngine } from '../lib/engine.ts';
import { failedResult, type Task } from '../lib/result.ts';
import type { RowDetail, StoredRow } from '../platform/storage/schema.ts';
import type { PoolItem } from './pool-protocol.ts';
import { labelText } from './label.ts';
import { toDetail, toStored } from './rows.ts';

/** `pause`, when given, is awaited every 100 rows (the batch worker lets its other events run). */
export async function labelItems(engine: LabelEngine, items: readonly PoolItem[], task: Task, pause?: () => Promise<void>): Promise<{ rows: StoredRow[]; details: RowDetail[] }> {
  const rows: StoredRow[] = [];
  const details: RowDetail[] = [];
  for (const item of items) {
    if (pause && rows.length % 100 === 99) await pause();
    const result = item.text === undefined
      ? failedResult('error', engine.info, item.problem ?? 'This row could not be read.')
      : await labelText(engine, item.text, task);
    rows.push(toStored(item.ids, result));
    details.push(toDetail(item.text ?? '', result));
  }
  return { rows, details };
}
