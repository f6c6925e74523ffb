import { afterEach, describe, expect, it } from 'vitest';
import type { JobRecord } from '../worker/api.ts';
import type { BatchProgress } from '../worker/api.ts';
import { batch } from './batch.svelte.ts';

const job = (id: string, state: JobRecord['state'] = 'running') => ({ id, state }) as JobRecord;
const progress = (jobId: string, state: BatchProgress['state'] = 'running', rowsDone = 10): BatchProgress => ({ jobId, state, rowsDone, bytesDone: 100, totalBytes: 1000, rowsPerSecond: 5 });

/** Stands in for the Web Locks API's query(): the job locks other tabs hold. */
function holdLocks(...jobIds: string[]): void {
  Object.defineProperty(globalThis, 'navigator', {
    configurable: true,
    value: { locks: { query: async () => ({ held: jobIds.map((id) => ({ name: `radreportx-job-${id}`, mode: 'exclusive' })), pending: [] }) } },
  });
}

afterEach(async () => {
  holdLocks();
  await batch.checkOtherTabs(); // stops the polling
});

describe('Batch across tabs', () => {
  it('a job another tab reports progress for shows as running there, with that progress, until it stops', () => {
    expect(batch.viewOf(job('a'))).toBe('interrupted');
    batch.hear({ kind: 'progress', progress: progress('a', 'running', 42) });
    expect(batch.isElsewhere('a')).toBe(true);
    expect(batch.viewOf(job('a'))).toBe('running');
    expect(batch.progress.a.rowsDone).toBe(42);
    batch.hear({ kind: 'progress', progress: progress('a', 'paused', 50) });
    batch.hear({ kind: 'stopped', jobId: 'a' });
    expect(batch.isElsewhere('a')).toBe(false);
    // The stored record may still say running (another tab's write not read yet): what was heard decides.
    expect(batch.viewOf(job('a'))).toBe('paused');
  });

  it('asks the lock manager: a held job lock is a job running elsewhere; a released one is interrupted', async () => {
    holdLocks('b');
    await batch.checkOtherTabs();
    expect(batch.isElsewhere('b')).toBe(true);
    expect(batch.viewOf(job('b'))).toBe('running');
    holdLocks();
    await batch.checkOtherTabs();
    expect(batch.isElsewhere('b')).toBe(false);
    expect(batch.viewOf(job('b'))).toBe('interrupted');
    expect(batch.viewOf(job('b', 'done'))).toBe('done');
  });

  it('ignores Pause and Cancel meant for a tab that runs the job when this tab does not run it', () => {
    expect(() => batch.hear({ kind: 'control', jobId: 'c', action: 'pause' })).not.toThrow();
    expect(batch.running.has('c')).toBe(false);
  });
});
