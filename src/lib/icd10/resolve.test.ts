import { describe, expect, it } from 'vitest';
import type { Icd10Item } from '../result.ts';
import { CHRONIC_CODES, EXCLUDES1, HISTORY_RULES, SPECIFICITY } from './coding.ts';
import { icd10Lexicon } from './lexicon.ts';
import { compileCoding, excludes1Violations, historicalCode, resolveItems } from './resolve.ts';

const { table } = icd10Lexicon();
const coding = compileCoding(table);
const item = (code: string, phrase: string, start: number): Icd10Item => ({ phrase, code, title: table.get(code)?.title ?? null, start, end: start + phrase.length, flags: [] });

describe('coding data', () => {
  it('loads, and every code it emits is in the table', () => {
    for (const r of HISTORY_RULES) for (const c of [r.history, r.sequela]) if (c) expect(table.has(c), c).toBe(true);
    for (const p of EXCLUDES1) if (p.keep !== 'a' && p.keep !== 'b') expect(table.has(p.keep)).toBe(true);
    for (const s of SPECIFICITY) expect(table.has(s.general)).toBe(true);
  });
  it('rejects a rule that names a code missing from the table, and a pair without its source note', () => {
    const base = { HISTORY_RULES, CHRONIC_CODES, EXCLUDES1, SPECIFICITY };
    expect(() => compileCoding(table, { ...base, HISTORY_RULES: [{ codes: '^J18', history: 'Z99.99' }] })).toThrow(/Z99\.99.*not in the code table/);
    expect(() => compileCoding(table, { ...base, EXCLUDES1: [{ a: '^J90$', b: '^J91', keep: 'b', source: ' ' }] })).toThrow(/source/);
    expect(() => compileCoding(table, { ...base, EXCLUDES1: [{ a: '^J90$', b: '^J91', keep: 'X00', source: 'x' }] })).toThrow(/X00/);
  });
});

describe('historicalCode', () => {
  it('gives history, sequela, the chronic code itself, or nothing', () => {
    expect(historicalCode(coding, 'C34.90', false)).toBe('Z85.118');
    expect(historicalCode(coding, 'A15.0', true)).toBe('B90.9');
    expect(historicalCode(coding, 'A15.0', false)).toBe('Z86.11');
    expect(historicalCode(coding, 'J44.9', false)).toBe('J44.9');
    expect(historicalCode(coding, 'S22.32XA', true)).toBe('Z87.81');
    expect(historicalCode(coding, 'R91.1', false)).toBeNull();
  });
});

describe('resolveItems', () => {
  it('takes items without a span (a model phrase not in the report): the code once, a located phrase as its own', () => {
    const unlocated = (code: string, phrase: string): Icd10Item => ({ phrase, code, title: null, start: null, end: null, flags: ['not_in_text'] });
    const out = resolveItems([unlocated('J90', 'bilateral effusions'), item('J90', 'left effusion', 30), unlocated('I26.99', 'embolism'), unlocated('J90', 'effusion')], coding, table);
    expect(out.map((i) => [i.code, i.phrase, i.start, i.flags])).toEqual([
      ['J90', 'left effusion', 30, []],
      ['I26.99', 'embolism', null, ['not_in_text']],
    ]);
    expect(out[0].supporting).toBeUndefined();
    // Only unlocated phrases of a code: it stays, unlocated, and is listed after the located ones.
    const only = resolveItems([unlocated('J43.9', 'emphysema'), unlocated('J44.9', 'COPD'), item('J90', 'effusion', 5)], coding, table);
    expect(only.map((i) => [i.code, i.start])).toEqual([['J90', 5], ['J43.9', null]]);
  });
  it('lists a code once with its other phrases as support', () => {
    const out = resolveItems([item('J90', 'effusion', 0), item('J90', 'pleural effusion', 20)], coding, table);
    expect(out).toHaveLength(1);
    expect(out[0].supporting).toEqual([{ start: 20, end: 36, text: 'pleural effusion' }]);
  });
  it('folds an Excludes1 pair into the kept code, or the code the notes name', () => {
    expect(resolveItems([item('J43.9', 'emphysema', 0), item('J44.9', 'COPD', 12)], coding, table).map((i) => [i.code, i.supporting?.length])).toEqual([['J43.9', 1]]);
    const hf = resolveItems([item('I50.9', 'CHF', 0), item('J81.1', 'pulmonary edema', 9)], coding, table);
    expect(hf.map((i) => [i.code, i.title, i.phrase])).toEqual([['I50.1', 'Left ventricular failure, unspecified', 'CHF']]);
    expect(excludes1Violations(hf.map((i) => i.code))).toEqual([]);
  });
  it('keeps the specific code of one condition', () => {
    expect(resolveItems([item('J43.9', 'emphysema', 0), item('J43.2', 'centrilobular emphysema', 20)], coding, table).map((i) => i.code)).toEqual(['J43.2']);
  });
  it('reports the pairs a code list breaks', () => {
    expect(excludes1Violations(['J90', 'J91.0'])).toHaveLength(1);
    expect(excludes1Violations(['J90', 'I51.7'])).toEqual([]);
  });
});
