import { describe, expect, it } from 'vitest';
import { emptyFindings } from '../findings.ts';
import { failedResult, type LabelResult } from '../result.ts';
import { compareResults } from './compare.ts';

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
