/** A labeling worker thread: builds the run's engine once, then labels each batch it is sent and posts the output. */
import { parentPort, workerData } from 'node:worker_threads';
import { findEngine } from '../../engines.ts';
import { labelBatch, type Batch } from './batch.ts';
import type { WorkerInit, WorkerMessage } from './pool.ts';

const { run, results } = workerData as WorkerInit;
const entry = findEngine(run.engine);
if (!entry?.createLabeler) throw new Error(`The engine "${run.engine}" cannot label in worker threads.`);
const labeler = await entry.createLabeler(run);
parentPort!.on('message', (batch: Batch) => results.postMessage(labelBatch(labeler, batch) satisfies WorkerMessage));
results.postMessage({ ready: true } satisfies WorkerMessage);
