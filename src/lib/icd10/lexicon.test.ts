import { describe, expect, it } from 'vitest';
import { FINDINGS } from '../findings.ts';
import { TABLE_CODE_SHAPE } from './code.ts';
import { RuleDataError } from '../errors.ts';
import { compileIcd10Lexicon, icd10Lexicon, validatePhrases, validateTable } from './lexicon.ts';
import { PHRASE_RULES } from './phrases.ts';
import { ICD10_TABLE, type Icd10TableRow } from './table.ts';

describe('the shipped ICD-10 data', () => {
  it('loads through the strict loader', () => {
    const lexicon = icd10Lexicon();
    expect(lexicon.table.size).toBe(ICD10_TABLE.length);
    expect(lexicon.phrases.length).toBeGreaterThan(PHRASE_RULES.length);
  });

  it('has at least 200 billable codes, each with the ICD-10-CM shape and a title', () => {
    const billable = ICD10_TABLE.filter((r) => !r.category);
    expect(billable.length).toBeGreaterThanOrEqual(200);
    for (const row of ICD10_TABLE) {
      expect(row.code, row.code).toMatch(TABLE_CODE_SHAPE);
      expect(row.title.trim().length, row.code).toBeGreaterThan(3);
    }
  });

  it('maps every phrase to a code in the table', () => {
    const codes = new Set(ICD10_TABLE.map((r) => r.code));
    for (const rule of PHRASE_RULES) expect(codes.has(rule.code), rule.code).toBe(true);
  });

  it('relates each of the 13 findings to at least one code', () => {
    const related = new Set(ICD10_TABLE.flatMap((r) => r.findings));
    for (const f of FINDINGS) expect(related.has(f), f).toBe(true);
  });

  it('names the default chosen for every code with a 7th character or an unspecified side', () => {
    for (const row of ICD10_TABLE) {
      if (/^[ST]\d\d\.\w{3}A$|^M\d\d\.\w{3}A$/.test(row.code)) expect(row.defaults, row.code).toContain('initial-encounter');
      if (/fracture$/.test(row.title) && row.code.startsWith('S')) expect(row.defaults, row.code).toContain('closed-fracture');
      if (/unspecified side|unspecified (?:bronchus|lung|clavicle|humerus)\b/.test(row.title)) expect(row.defaults, row.code).toContain('unspecified-side');
    }
  });

  it('gives the codes the issue names for the 13 findings', () => {
    const title = (code: string) => ICD10_TABLE.find((r) => r.code === code)?.title;
    expect(title('J98.11')).toBe('Atelectasis');
    expect(title('J90')).toBe('Pleural effusion, not elsewhere classified');
    expect(title('J93.9')).toBe('Pneumothorax, unspecified');
    expect(title('J81.0')).toBe('Acute pulmonary edema');
    expect(title('J18.9')).toBe('Pneumonia, unspecified organism');
    expect(title('I51.7')).toBe('Cardiomegaly');
    expect(title('R91.1')).toBe('Solitary pulmonary nodule');
    expect(title('R91.8')).toBe('Other nonspecific abnormal finding of lung field');
    expect(title('Z95.0')).toBe('Presence of cardiac pacemaker');
  });
});

describe('the loader rejects bad data, naming the entry and field', () => {
  const row: Icd10TableRow = { code: 'J90', title: 'Pleural effusion, not elsewhere classified', findings: ['Pleural Effusion'], defaults: [] };

  it('table: unknown key', () => {
    expect(() => validateTable([{ ...row, colour: 'red' }])).toThrow(/row 0: unknown field "colour"/);
  });
  it('table: malformed code', () => {
    expect(() => validateTable([{ ...row, code: 'J9811' }])).toThrow(/field "code" \("J9811"\)/);
  });
  it('table: duplicate code', () => {
    expect(() => validateTable([row, row])).toThrow(/"J90" has a second row/);
  });
  it('table: unknown finding and unknown default', () => {
    expect(() => validateTable([{ ...row, findings: ['Effusion'] }])).toThrow(/"Effusion" is not one of the 13 findings/);
    expect(() => validateTable([{ ...row, defaults: ['left'] }])).toThrow(/field "defaults": "left"/);
  });
  it('table: missing title', () => {
    const { title: _t, ...rest } = row;
    expect(() => validateTable([rest])).toThrow(/missing field "title"/);
  });
  it('phrases: code not in the table', () => {
    expect(() => validatePhrases([{ code: 'J99', patterns: ['x'] }], [row])).toThrow(/"J99"\) is not in the code table/);
  });
  it('phrases: unknown key, no phrase, bad or empty pattern', () => {
    expect(() => validatePhrases([{ code: 'J90', phrase: 'effusion' }], [row])).toThrow(/unknown field "phrase"/);
    expect(() => validatePhrases([{ code: 'J90' }], [row])).toThrow(/at least one of "patterns" or "abbreviations"/);
    expect(() => validatePhrases([{ code: 'J90', patterns: ['effusion(s'] }], [row])).toThrow(/not a valid pattern/);
    expect(() => validatePhrases([{ code: 'J90', patterns: ['(?:effusion)?'] }], [row])).toThrow(/matches empty text/);
    expect(() => validatePhrases([{ code: 'J90', patterns: ['pleural *effusion'] }], [row])).toThrow(/puts a quantifier other than "\?" on a space/);
    expect(() => validatePhrases([{ code: 'J90', patterns: ['pleural (effusion)'] }], [row])).toThrow(/capturing group/);
  });
  it('phrases share the findings lexicon\'s pattern syntax: " ?" is an optional run of spaces or hyphens', () => {
    const lex = compileIcd10Lexicon([row], [{ code: 'J90', patterns: ['pleural ?effusion'] }]);
    const [phrase] = lex.phrases;
    for (const text of ['pleuraleffusion', 'pleural effusion', 'pleural-effusion']) expect(text.match(phrase.regex)?.[0]).toBe(text);
  });
  it('errors are named InvalidConfig', () => {
    try {
      validateTable('nope');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(RuleDataError);
      expect((e as Error).name).toBe('InvalidConfig');
    }
  });
  it('compiles case-sensitive abbreviations and whole-word patterns', () => {
    const lex = compileIcd10Lexicon([row], [{ code: 'J90', patterns: ['pleural effusion'], abbreviations: ['PE'] }]);
    const [pattern, abbreviation] = lex.phrases;
    expect('small pleural-effusion'.match(pattern.regex)?.[0]).toBe('pleural-effusion');
    expect('pleural effusions'.match(pattern.regex)).toBeNull();
    expect('PE seen'.match(abbreviation.regex)?.[0]).toBe('PE');
    expect('pe seen, PEG tube'.match(abbreviation.regex)).toBeNull();
  });
});
