/**
 * Labels one batch of rows with the rule engine into stored rows. The batch worker and every helper run this same
 * function, so a job's stored results are the same whatever the number of workers.
 */
import type { LabelEngine } from '../lib/engine.ts';
import { failedResult } from '../lib/result.ts';
import type { PoolBatch, PoolOutput } from './pool-protocol.ts';
import { labelText } from './label.ts';
import { toDetail, toStored } from './rows.ts';

export async function labelPoolBatch(engine: LabelEngine, batch: PoolBatch): Promise<PoolOutput> {
  const rows = [];
  const details = [];
  for (const item of batch.items) {
    const result = item.text === undefined
      ? failedResult('error', engine.info, item.problem ?? 'This row could not be read.')
      : await labelText(engine, item.text, batch.task);
    rows.push(toStored(item.ids, result));
    details.push(toDetail(item.text ?? '', result));
  }
  return { seq: batch.seq, rows, details };
}
