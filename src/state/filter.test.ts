import { describe, expect, it } from 'vitest';
import { FINDINGS } from '../lib/findings.ts';
import type { ResultsTable } from '../worker/api.ts';
import { filterIcd10Rows, filterRows } from './filter.ts';

// Row 0: Normal. Row 1: effusion positive, pneumothorax negative. Row 2: empty. Row 3: effusion uncertain.
function table(): ResultsTable {
  const n = FINDINGS.length;
  const codes = new Uint8Array(4 * n);
  const eff = FINDINGS.indexOf('Pleural Effusion');
  const ptx = FINDINGS.indexOf('Pneumothorax');
  codes[1 * n + eff] = 1;
  codes[1 * n + ptx] = 2;
  codes[3 * n + eff] = 3;
  return {
    jobId: 'j',
    rows: 4,
    labels: ['a', 'b', 'c', 'd'],
    status: Uint8Array.from([0, 0, 1, 0]),
    codes,
    normal: Uint8Array.from([1, 0, 0, 1]),
    icd10Codes: ['', 'J90 J93.9', '', 'J90'],
    icd10Text: ['', 'j90 pleural effusion pleural effusion, nec | j93.9 pneumothorax pneumothorax, unspecified', '', 'j90 small effusion pleural effusion, nec'],
    icd10Summary: [{ code: 'J90', title: 'Pleural effusion, NEC', rows: 2 }, { code: 'J93.9', title: 'Pneumothorax, unspecified', rows: 1 }],
  };
}

describe('filterRows', () => {
  it('keeps every row with no filter', () => {
    expect([...filterRows(table(), 'all', 'positive', 'any')]).toEqual([0, 1, 2, 3]);
  });
  it('filters by finding and status', () => {
    expect([...filterRows(table(), 'Pleural Effusion', 'positive', 'any')]).toEqual([1]);
    expect([...filterRows(table(), 'Pleural Effusion', 'uncertain', 'any')]).toEqual([3]);
    expect([...filterRows(table(), 'Pneumothorax', 'negative', 'any')]).toEqual([1]);
    expect([...filterRows(table(), 'Pleural Effusion', 'absent', 'any')]).toEqual([0, 2]);
  });
  it('filters Normal rows and by row status; empty rows are never Normal', () => {
    expect([...filterRows(table(), 'normal', 'positive', 'any')]).toEqual([0, 3]);
    expect([...filterRows(table(), 'all', 'positive', 'empty')]).toEqual([2]);
  });
  it('is empty without a table', () => {
    expect(filterRows(undefined, 'all', 'any', 'any').length).toBe(0);
  });
});

describe('filterIcd10Rows', () => {
  it('keeps the rows with any code, with one code (whole codes only), and with every word searched for', () => {
    expect([...filterIcd10Rows(table(), '', '')]).toEqual([1, 3]);
    expect([...filterIcd10Rows(table(), 'J93.9', '')]).toEqual([1]);
    expect([...filterIcd10Rows(table(), 'J9', '')]).toEqual([]);
    expect([...filterIcd10Rows(table(), '', 'SMALL effusion')]).toEqual([3]);
    expect([...filterIcd10Rows(table(), 'J90', 'pneumothorax')]).toEqual([1]);
    expect([...filterIcd10Rows(undefined, '', '')]).toEqual([]);
  });
});
