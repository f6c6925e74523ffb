/** Messages between the batch worker and its helper labeling workers (types only). */
import type { Task } from '../lib/result.ts';
import type { RowDetail, StoredRow } from '../platform/storage/schema.ts';

/** One row to label: its ids and text, or (text undefined) the reason it cannot be read. */
export interface PoolItem {
  ids: string[];
  text?: string;
  problem?: string;
}

export interface PoolBatch {
  seq: number;
  task: Task;
  items: PoolItem[];
}

/** A batch labeled: the rows as the store keeps them, in the batch's order. */
export interface PoolOutput {
  seq: number;
  rows: StoredRow[];
  details: RowDetail[];
}

export type HelperMessage = { ready: true } | PoolOutput | { error: string };
