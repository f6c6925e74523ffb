import { describe, expect, it } from 'vitest';
import { normaliseCode, isWellFormedCode, categoryOf } from './code.ts';
import { locatePhrase, validateIcd10 } from './validate.ts';

const REPORT = 'INDICATION: pleural effusion?\nFINDINGS: Small left pleural\n  effusion. Mild cardiomegaly.\nIMPRESSION: Left effusion.';

describe('normaliseCode', () => {
  it.each([
    ['j9811', 'J98.11'],
    ['J98.11', 'J98.11'],
    [' s2231xa ', 'S22.31XA'],
    ['J90', 'J90'],
    ['j90.', 'J90'],
    ['I51 .7', 'I51.7'],
  ])('%s → %s', (raw, code) => expect(normaliseCode(raw)).toBe(code));

  it('tells well-formed codes from malformed ones', () => {
    expect(['J98.11', 'J90', 'S22.31XA', 'C4A.0'].every(isWellFormedCode)).toBe(true);
    expect(['J9', '98.11', 'J98.11111', 'pneumonia', 'J-98', ''].some(isWellFormedCode)).toBe(false);
  });

  it('gives the 3-character category', () => {
    expect(categoryOf('j9811')).toBe('J98');
    expect(categoryOf('J90')).toBe('J90');
  });
});

describe('validateIcd10', () => {
  it('keeps a known code with its title and the span in the labeled section, across a line break', () => {
    const { items, rejected } = validateIcd10([{ phrase: 'pleural effusion', code: 'J90' }], REPORT);
    expect(rejected).toEqual([]);
    expect(items).toHaveLength(1);
    const [item] = items;
    expect(item).toMatchObject({ code: 'J90', title: 'Pleural effusion, not elsewhere classified', flags: [] });
    // The INDICATION mention comes first in the text, but the FINDINGS one is preferred.
    expect(item.start).toBe(REPORT.indexOf('pleural\n'));
    expect(REPORT.slice(item.start!, item.end!)).toBe('pleural\n  effusion');
    expect(item.phrase).toBe('pleural\n  effusion');
  });

  it('normalises a code written without its dot or in lower case', () => {
    const { items } = validateIcd10([{ phrase: 'cardiomegaly', code: 'i517' }], REPORT);
    expect(items[0]).toMatchObject({ code: 'I51.7', title: 'Cardiomegaly', flags: [] });
    expect(REPORT.slice(items[0].start!, items[0].end!)).toBe('cardiomegaly');
  });

  it('keeps an unknown but well-formed code, flagged unverified, with no title', () => {
    const { items, rejected } = validateIcd10([{ phrase: 'cardiomegaly', code: 'E66.9' }], REPORT);
    expect(rejected).toEqual([]);
    expect(items[0]).toMatchObject({ code: 'E66.9', title: null, flags: ['unverified'] });
  });

  it('rejects malformed codes with a reason', () => {
    const { items, rejected } = validateIcd10(
      [
        { phrase: 'cardiomegaly', code: 'cardiomegaly' },
        { phrase: 'effusion', code: '90' },
        { phrase: 'effusion', code: 'J90.123456' },
      ],
      REPORT,
    );
    expect(items).toEqual([]);
    expect(rejected.map((r) => r.code)).toEqual(['cardiomegaly', '90', 'J90.123456']);
    for (const r of rejected) expect(r.reason).toMatch(/is not an ICD-10-CM code/);
  });

  it('rejects empty phrases and codes, and duplicates, instead of dropping them silently', () => {
    const { items, rejected } = validateIcd10(
      [
        { phrase: '  ', code: 'J90' },
        { phrase: 'effusion', code: '' },
        { phrase: 'effusion', code: 'J90' },
        { phrase: 'Effusion', code: 'j90' },
      ],
      REPORT,
    );
    expect(items).toHaveLength(1);
    expect(rejected.map((r) => r.reason)).toEqual(['The phrase is empty.', 'The code is empty.', expect.stringMatching(/^Duplicate/)]);
  });

  it('flags a phrase that is not in the report', () => {
    const { items } = validateIcd10([{ phrase: 'pneumothorax', code: 'J93.9' }], REPORT);
    expect(items[0]).toMatchObject({ phrase: 'pneumothorax', code: 'J93.9', start: null, end: null, flags: ['not_in_text'] });
  });

  it('can carry both flags', () => {
    const { items } = validateIcd10([{ phrase: 'obesity', code: 'E66.9' }], REPORT);
    expect(items[0].flags).toEqual(['unverified', 'not_in_text']);
  });

  it('survives non-string values from a model answer', () => {
    const junk = [{ phrase: 42, code: null }] as unknown as { phrase: string; code: string }[];
    const { items, rejected } = validateIcd10(junk, REPORT);
    expect(items).toEqual([]);
    expect(rejected).toEqual([{ phrase: '42', code: '', reason: 'The code is empty.' }]);
  });
});

describe('locatePhrase', () => {
  it('prefers a whole word over the inside of a longer word', () => {
    const text = 'Effusions noted. A small effusion.';
    expect(locatePhrase(text, 'effusion')?.start).toBe(text.indexOf('effusion.'));
  });
});
