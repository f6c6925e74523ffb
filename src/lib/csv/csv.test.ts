import { describe, expect, it } from 'vitest';
import { emptyFindings } from '../findings.ts';
import { closest, guessIdColumn, guessTextColumn, resolveColumn, resolveColumnList, splitColumnSpec } from './columns.ts';
import { idKey, joinSections, joinText, prepareRow } from './records.ts';
import { findingColumns, parseFindingList, statusesFromCodes } from './truth.ts';
import { csvField, csvLine } from './write.ts';

const HEADER = ['study_id', 'Findings', 'impression', 'a,b'];

describe('columns', () => {
  it('resolves exact names, then case/space-insensitive ones', () => {
    expect(resolveColumn(HEADER, 'impression')).toBe(2);
    expect(resolveColumn(HEADER, ' findings ')).toBe(1);
  });

  it('throws MissingColumn naming the columns and the closest one', () => {
    try {
      resolveColumn(HEADER, 'impresion');
      expect.unreachable();
    } catch (e) {
      const err = e as { name: string; message: string; hint: string; available: string[] };
      expect(err.name).toBe('MissingColumn');
      expect(err.message).toContain('"impresion" is not in the file');
      expect(err.available).toEqual(HEADER);
      expect(err.hint).toContain('Did you mean "impression"?');
    }
    expect(() => resolveColumn(HEADER, 'xyz', 'id')).toThrow(/The id column "xyz"/);
  });

  it('splits column lists unless a column has the whole name', () => {
    expect(splitColumnSpec(HEADER, 'findings, impression')).toEqual(['findings', 'impression']);
    expect(splitColumnSpec(HEADER, 'a,b')).toEqual(['a,b']);
    expect(resolveColumnList(HEADER, 'Findings,impression')).toEqual([1, 2]);
  });

  it('suggests only likely typos', () => {
    expect(closest('repotr', ['report', 'id'])).toBe('report');
    expect(closest('banana', ['report', 'id'])).toBeUndefined();
  });

  it('guesses text and id columns', () => {
    expect(guessTextColumn(['id', 'Report'])).toBe(1);
    expect(guessTextColumn(['a', 'b'], [['x', 'a long cell of text'], ['y', 'another long one']])).toBe(1);
    expect(guessTextColumn([])).toBeUndefined();
    expect(guessIdColumn(['text', 'UID'])).toBe(1);
    expect(guessIdColumn(['text'])).toBeUndefined();
  });
});

describe('records', () => {
  const layout = { width: 3, textColumns: [1], idColumns: [0] };

  it('prepares good rows and explains bad ones, keeping whatever ids they have', () => {
    expect(prepareRow(['7', 'Clear lungs.', 'x'], layout, 1)).toEqual({ ok: true, ids: ['7'], text: 'Clear lungs.' });
    const more = prepareRow(['8', 'a', 'b', 'c'], layout, 2);
    expect(more).toMatchObject({ ok: false, ids: ['8'] });
    expect(!more.ok && more.message).toMatch(/Row 2 has 4 fields but the header has 3 \(an unquoted comma/);
    const fewer = prepareRow(['9'], layout, 3);
    expect(!fewer.ok && fewer.message).toMatch(/Row 3 has 1 field but the header has 3/);
  });

  it('joins text columns with a blank line, or as named sections', () => {
    expect(joinText(['A.', '  ', 'B.'])).toBe('A.\n\nB.');
    expect(joinSections([' Clear. ', '', 'Normal.'], ['findings', 'clinical_history', 'impression'])).toBe('FINDINGS: Clear.\n\nIMPRESSION: Normal.');
    const sections = prepareRow(['1', 'Clear.', 'Normal.'], { width: 3, textColumns: [1, 2], idColumns: [0], headings: ['findings', 'impression'] }, 1);
    expect(sections).toMatchObject({ ok: true, text: 'FINDINGS: Clear.\n\nIMPRESSION: Normal.' });
  });

  it('keys several ids without ambiguity', () => {
    expect(idKey(['a'])).toBe('a');
    expect(idKey(['a,b', 'c'])).not.toBe(idKey(['a', 'b,c']));
  });
});

describe('truth labels', () => {
  it('parses names lists with messy spellings, Normal and blanks', () => {
    expect([...parseFindingList('Cardiomegaly; pleural effusions').findings]).toEqual(['Cardiomegaly', 'Pleural Effusion']);
    expect([...parseFindingList('atelectasis, Support Device').findings]).toEqual(['Atelectasis', 'Support Devices']);
    expect(parseFindingList('Normal').findings.size).toBe(0);
    expect(parseFindingList('').findings.size).toBe(0);
    expect(parseFindingList('No Finding').unknown).toEqual([]);
    expect(parseFindingList('Cardiomegaly; Emphysema; hernia').unknown).toEqual(['Emphysema', 'hernia']);
  });

  it('finds CheXpert finding columns, preferring the canonical name', () => {
    const header = ['id', 'Effusion', 'Pleural Effusion', 'No Finding', 'Normal', 'cardiomegaly'];
    const cols = findingColumns(header);
    expect(cols.get('Pleural Effusion')).toBe(2);
    expect(cols.get('Cardiomegaly')).toBe(5);
    expect(cols.size).toBe(2);
  });

  it('reads coded cells and reports cells that are not codes', () => {
    const cols = new Map([['Edema', 1], ['Fracture', 2], ['Pneumonia', 3]] as const);
    const row = statusesFromCodes(['x', '-1.0', '1', ''], cols);
    expect(row.findings).toEqual({ ...emptyFindings(), Edema: 'uncertain', Fracture: 'positive' });
    expect(row.bad).toEqual([]);
    expect(statusesFromCodes(['x', 'yes', '0', '2'], cols).bad).toEqual(['Edema="yes"', 'Pneumonia="2"']);
  });
});

describe('csv writing', () => {
  it('quotes only when needed and doubles inner quotes', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('line\nbreak')).toBe('"line\nbreak"');
    expect(csvField(' padded')).toBe('" padded"');
    expect(csvLine(['1', 'a,b', ''])).toBe('1,"a,b",\n');
  });
});
