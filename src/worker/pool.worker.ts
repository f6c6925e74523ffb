/**
 * A helper labeling worker: the rule engine and one store write. The batch worker hands it a whole chunk of rows;
 * it labels them, says so (its next chunk may come while the store works), stores the chunk's details (text and
 * evidence, the bulk) in IndexedDB itself, and returns only the compact rows, which the batch worker commits with
 * the cursor, in order. It is built inline (a blob: URL made from code the batch worker already has), so starting
 * one makes no request, even in the middle of a job.
 */
import { errorCode, errorMessage } from '../lib/errors.ts';
import { rulesEngine } from '../lib/rules/engine.ts';
import { putDetailChunk } from '../platform/storage/jobs.ts';
import { labelItems } from './pool-label.ts';
import type { HelperMessage, PoolBatch } from './pool-protocol.ts';

const post = (m: HelperMessage) => postMessage(m);

addEventListener('message', (event: MessageEvent<PoolBatch>) => {
  const batch = event.data;
  void (async () => {
    try {
      const { rows, details } = await labelItems(rulesEngine, batch.items, batch.task);
      post({ seq: batch.seq, labeled: true });
      await putDetailChunk(batch.jobId, batch.chunk, details);
      post({ seq: batch.seq, rows });
    } catch (e) {
      post({ seq: batch.seq, error: errorMessage(e), code: errorCode(e) });
    }
  })();
});
post({ ready: true });
