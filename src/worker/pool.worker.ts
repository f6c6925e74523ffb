/**
 * A helper labeling worker: the rule engine only (no storage, no CSV, no network). The batch worker hands it
 * batches of rows and writes what it returns. It is built inline (a blob: URL made from code the batch worker
 * already has), so starting one makes no request, even in the middle of a job.
 */
import { rulesEngine } from '../lib/rules/engine.ts';
import { errorMessage } from '../lib/errors.ts';
import { labelPoolBatch } from './pool-label.ts';
import type { HelperMessage, PoolBatch } from './pool-protocol.ts';

const post = (m: HelperMessage) => postMessage(m);

addEventListener('message', (event: MessageEvent<PoolBatch>) => {
  labelPoolBatch(rulesEngine, event.data).then(post, (e: unknown) => post({ error: errorMessage(e) }));
});
post({ ready: true });
