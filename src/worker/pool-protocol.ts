/** Messages between the batch worker and its helper labeling workers (types only). */
import type { Task } from '../lib/result.ts';
import type { StoredRow } from '../platform/storage/schema.ts';

/** One row to label: its ids and text, or (text undefined) the reason it cannot be read. */
export interface PoolItem {
  ids: string[];
  text?: string;
  problem?: string;
}

/** One whole stored chunk of rows for a helper: it stores the details itself and returns the rows. */
export interface PoolBatch {
  seq: number;
  task: Task;
  jobId: string;
  /** Index of the stored chunk these rows fill, from its first row. */
  chunk: number;
  items: PoolItem[];
}

/** A chunk labeled by a helper: the rows as the store keeps them, in order; their details are stored already. */
export interface PoolOutput {
  seq: number;
  rows: StoredRow[];
}

/**
 * `labeled` comes first, when a chunk's rows are labeled and its details are being stored, so the helper is given
 * its next chunk without waiting on the store; the output follows once the details are stored.
 */
export type HelperMessage = { ready: true } | { seq: number; labeled: true } | PoolOutput | { seq: number; error: string; code?: string };
