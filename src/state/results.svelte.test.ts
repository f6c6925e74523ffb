import { describe, expect, it } from 'vitest';
import { FINDINGS } from '../lib/findings.ts';
import { results } from './results.svelte.ts';

describe('Results state', () => {
  it('filters have defaults the view starts from, and the visible rows follow them (no table: none)', () => {
    expect([results.finding, results.status, results.rowStatus]).toEqual(['all', 'positive', 'any']);
    expect(results.visible).toHaveLength(0);
    results.finding = FINDINGS[0];
    results.status = 'negative';
    results.rowStatus = 'ok';
    expect([results.finding, results.status, results.rowStatus]).toEqual([FINDINGS[0], 'negative', 'ok']);
    expect(results.view).toBe('findings');
    results.icd10Code = 'J90';
    results.icd10Query = 'effusion';
    expect(results.icd10Visible).toHaveLength(0);
  });

  it('close() forgets the job, its table and the opened row', () => {
    results.close();
    expect(results.jobId).toBeUndefined();
    expect(results.table).toBeUndefined();
    expect(results.selected).toBeUndefined();
  });
});
