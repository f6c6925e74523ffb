import { describe, expect, it } from 'vitest';
import { emptyFindings } from '../findings.ts';
import { failedResult, type LabelResult } from '../result.ts';
import { compareResults, compareTables } from './compare.ts';

const result = (over: Partial<LabelResult['findings']>, codes: string[] = []): LabelResult => {
  const findings = { ...emptyFindings(), ...over };
  return {
    status: 'ok',
    findings,
    normal: !Object.values(findings).includes('positive'),
    evidence: [],
    icd10: codes.map((code) => ({ phrase: code, code, title: null, start: null, end: null, flags: [] })),
    engine: { name: 'x', version: '1' },
  };
};

describe('compareResults', () => {
  it('lists each finding with both statuses and counts disagreements', () => {
    const c = compareResults(result({ Edema: 'positive', Pneumothorax: 'negative' }, ['J81.1']), result({ Edema: 'positive', Pneumothorax: 'absent', Atelectasis: 'uncertain' }, ['J81.1', 'J98.11']));
    expect(c.rows).toHaveLength(13);
    expect(c.disagreements).toBe(2);
    expect(c.rows.filter((r) => !r.agree).map((r) => r.finding)).toEqual(['Atelectasis', 'Pneumothorax']);
    expect(c.normal).toEqual({ left: false, right: false, agree: true });
    expect(c.codesOnlyLeft).toEqual([]);
    expect(c.codesOnlyRight).toEqual(['J98.11']);
    expect(c.comparable).toBe(true);
  });

  it('marks a failed side as not comparable', () => {
    const c = compareResults(result({}), failedResult('unparsed', { name: 'webllm', version: '1' }, 'x'));
    expect(c.comparable).toBe(false);
    expect(c.normal.agree).toBe(false);
  });
});

describe('compareTables', () => {
  const table = (rows: number[][], status: number[] = rows.map(() => 0)) => ({
    rows: rows.length,
    labels: rows.map((_, i) => `r${i + 1}`),
    status: Uint8Array.from(status),
    codes: Uint8Array.from(rows.flatMap((r) => [...r, ...Array(13 - r.length).fill(0)])),
  });

  it('counts disagreements per finding over rows both jobs labeled', () => {
    // Finding 0 is Atelectasis, 1 Cardiomegaly.
    const rules = table([[1, 0], [2, 1], [0, 0], [1, 1]], [0, 0, 0, 2]);
    const llm = table([[1, 0], [0, 1], [0, 3], [0, 0], [1, 0]]);
    const c = compareTables(rules, llm);
    expect(c.compared).toBe(3);
    expect(c.skipped).toBe(2);
    expect(c.perFinding[0]).toMatchObject({ finding: 'Atelectasis', disagreements: 1 });
    expect(c.perFinding[0].agreement).toBeCloseTo(2 / 3);
    expect(c.perFinding[1]).toMatchObject({ finding: 'Cardiomegaly', disagreements: 1 });
    expect(c.rowsWithDisagreement).toBe(2);
    expect(c.rows).toEqual([
      { row: 1, label: 'r2', differences: [{ finding: 'Atelectasis', left: 'negative', right: 'absent' }] },
      { row: 2, label: 'r3', differences: [{ finding: 'Cardiomegaly', left: 'absent', right: 'uncertain' }] },
    ]);
    expect(compareTables(rules, llm, 1).rows).toHaveLength(1);
  });
});
