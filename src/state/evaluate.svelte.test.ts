import { describe, expect, it } from 'vitest';
import type { JobRecord } from '../worker/api.ts';
import type { EvaluateRequest, FileInspection } from '../worker/evaluate-protocol.ts';
import { EvaluateState, type EvaluateWorker } from './evaluate.svelte.ts';

const inspection = (over: Partial<FileInspection> = {}): FileInspection => ({
  header: ['uid', 'findings', 'report'],
  delimiter: ',',
  encoding: 'utf-8',
  format: { kind: 'names', column: 'findings' },
  joinGuess: 'uid',
  textGuess: 'report',
  codedFindings: [],
  ...over,
});

function worker(answers: { inspect?: FileInspection | string; metrics?: unknown } = {}) {
  const requests: EvaluateRequest[] = [];
  const api = {
    inspect: async () => (typeof answers.inspect === 'string' ? { ok: false, message: answers.inspect } : { ok: true, value: answers.inspect ?? inspection() }),
    run: async (request: EvaluateRequest) => {
      requests.push(request);
      return { ok: true, value: answers.metrics ?? { metrics: { rows: 1 } } };
    },
  } as unknown as EvaluateWorker;
  return { api, requests };
}

const job = (id: string, over: Partial<JobRecord> = {}) => ({ id, rowsDone: 10, task: 'findings', state: 'done', ...over }) as JobRecord;
const file = (name: string) => new File(['uid,findings\n1,Edema\n'], name);

describe('EvaluateState', () => {
  it('can run only with a reference format and predictions, and sends both sides with their join columns', async () => {
    const { api, requests } = worker();
    const ev = new EvaluateState(api, async () => []);
    expect(ev.canRun).toBe(false);
    await ev.pickReference(file('truth.csv'));
    expect(ev.referenceText).toBe('report');
    expect(ev.canRun).toBe(false);
    await ev.pickPredictions(file('pred.csv'));
    expect(ev.canRun).toBe(true);
    ev.uncertain = 'positive';
    await ev.run();
    expect(requests).toHaveLength(1);
    expect(requests[0].reference).toMatchObject({ kind: 'csv', joinColumns: ['uid'], textColumn: 'report', format: { kind: 'names', column: 'findings' } });
    expect(requests[0].predictions).toMatchObject({ kind: 'csv', joinColumns: ['uid'] });
    expect(requests[0].uncertain).toBe('positive');
    expect(ev.result).toEqual({ metrics: { rows: 1 } });
    expect(ev.running).toBe(false);
    // Changing a side's options drops the stale result.
    ev.setReference({ ...ev.reference!, joinColumn: '' });
    expect(ev.result).toBeUndefined();
  });

  it('shows a file the worker refuses as an error naming the file', async () => {
    const ev = new EvaluateState(worker({ inspect: 'This is not a CSV file.' }).api, async () => []);
    await ev.pickReference(file('scan.png'));
    expect(ev.reference).toBeUndefined();
    expect(ev.error).toBe('scan.png: This is not a CSV file.');
  });

  it('lists stored jobs with labeled rows (not ICD-10-only ones) and prefers a job when there is one', async () => {
    const ev = new EvaluateState(worker().api, async () => [job('a'), job('b', { rowsDone: 0 }), job('c', { task: 'icd10' })]);
    await ev.refreshJobs();
    expect(ev.jobs.map((j) => j.id)).toEqual(['a']);
    expect(ev.jobId).toBe('a');
    expect(ev.predictionsKind).toBe('job');
  });

  it("reads a disagreement's report text from the evaluated job's row (0-based), and none without a job", async () => {
    const asked: [string, number][] = [];
    const rows = async (jobId: string, row: number) => {
      asked.push([jobId, row]);
      if (row > 5) throw new Error('no such job');
      return { text: `report ${row}` };
    };
    const ev = new EvaluateState(worker().api, async () => [job('a')], rows);
    expect(await ev.jobReportText(1)).toBeUndefined();
    await ev.refreshJobs();
    await ev.pickReference(file('truth.csv'));
    await ev.run();
    expect(ev.resultJob?.id).toBe('a');
    expect(await ev.jobReportText(3)).toBe('report 2');
    expect(await ev.jobReportText(10)).toBeUndefined();
    expect(asked).toEqual([['a', 2], ['a', 9]]);
  });
});
