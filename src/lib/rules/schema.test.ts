import { describe, expect, it } from 'vitest';
import { FINDINGS } from '../findings.ts';
import { compileTriggers } from './context.ts';
import { LEXICON_DATA } from './lexicon.ts';
import { compileLexicon } from './mentions.ts';
import type { RuleDataError } from '../errors.ts';
import { patternSource } from './rule-data.ts';
import { validateLexicon, validateTriggers } from './schema.ts';
import { TRIGGER_DATA } from './triggers.ts';

const err = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e as RuleDataError;
  }
  throw new Error('expected a RuleDataError');
};

describe('shipped rule data', () => {
  it('loads, validates and compiles every lexicon entry and trigger rule', () => {
    const lexicon = validateLexicon(LEXICON_DATA);
    expect(lexicon.map((e) => e.finding).sort()).toEqual([...FINDINGS].sort());
    expect(() => compileLexicon(LEXICON_DATA)).not.toThrow();
    const triggers = validateTriggers(TRIGGER_DATA);
    expect(new Set(triggers.map((r) => r.kind))).toEqual(
      new Set(['negation', 'uncertainty', 'differential', 'resolved', 'hypothetical', 'current', 'historical', 'pseudo', 'terminator']),
    );
    expect(() => compileTriggers(TRIGGER_DATA)).not.toThrow();
  });

  it('has no pattern in two trigger rules (each pattern belongs to one kind and direction)', () => {
    const seen = new Map<string, string>();
    for (const r of TRIGGER_DATA) {
      for (const p of r.patterns) {
        expect(seen.get(p), `"${p}" is in ${seen.get(p)} and ${r.kind}/${r.direction}`).toBeUndefined();
        seen.set(p, `${r.kind}/${r.direction}`);
      }
    }
  });
});

describe('validateLexicon', () => {
  it('rejects unknown keys, naming the field', () => {
    const e = err(() => validateLexicon([{ finding: 'Edema', mentions: ['edema'], mention: ['x'] }]));
    expect(e.name).toBe('InvalidConfig');
    expect(e.message).toContain('unknown field "mention"');
    expect(e.message).toContain('entry 0');
  });

  it('rejects a finding that is not one of the 13', () => {
    expect(err(() => validateLexicon([{ finding: 'Emphysema', mentions: ['emphysema'] }])).message).toContain('field "finding"');
  });

  it('rejects missing, empty and invalid pattern lists', () => {
    expect(err(() => validateLexicon([{ finding: 'Edema' }])).message).toContain('missing field "mentions"');
    expect(err(() => validateLexicon([{ finding: 'Edema', mentions: [] }])).message).toContain('field "mentions"');
    expect(err(() => validateLexicon([{ finding: 'Edema', mentions: ['(?:edema'] }])).message).toContain('not a valid pattern');
    expect(err(() => validateLexicon([{ finding: 'Edema', mentions: ['(edema)'] }])).message).toContain('capturing group');
    expect(err(() => validateLexicon([{ finding: 'Edema', mentions: ['x?'] }])).message).toContain('matches empty text');
    expect(err(() => validateLexicon([{ finding: 'Edema', mentions: ['edema'], exclusions: 'x' }])).message).toContain('field "exclusions"');
  });

  it('rejects a second entry for the same finding', () => {
    const data = [
      { finding: 'Edema', mentions: ['edema'] },
      { finding: 'Edema', mentions: ['oedema'] },
    ];
    expect(err(() => validateLexicon(data)).message).toContain('second entry');
  });

  it('rejects data that is not a list', () => {
    expect(err(() => validateLexicon({ finding: 'Edema' })).message).toContain('expected a list');
  });
});

describe('validateTriggers', () => {
  it('rejects unknown keys, kinds and directions, naming the field', () => {
    expect(err(() => validateTriggers([{ kind: 'negation', direction: 'forward', patterns: ['no'], scope: 3 }])).message).toContain(
      'unknown field "scope"',
    );
    expect(err(() => validateTriggers([{ kind: 'denial', direction: 'forward', patterns: ['no'] }])).message).toContain('field "kind"');
    expect(err(() => validateTriggers([{ kind: 'negation', direction: 'left', patterns: ['no'] }])).message).toContain('field "direction"');
    expect(err(() => validateTriggers([{ kind: 'negation', direction: 'forward' }])).message).toContain('missing field "patterns"');
    expect(err(() => validateTriggers([{ kind: 'historical', direction: 'forward', patterns: ['prior'], except: ['Fractures'] }])).message).toContain('field "except"');
    expect(validateTriggers([{ kind: 'historical', direction: 'forward', patterns: ['prior'], except: ['Fracture'] }])[0].except).toEqual(['Fracture']);
  });
});

describe('patternSource', () => {
  it('turns a space into any run of spaces or hyphens, and " ?" into an optional one', () => {
    const re = new RegExp(`^${patternSource('plate like')}$`);
    expect(re.test('plate-like')).toBe(true);
    expect(re.test('plate  like')).toBe(true);
    expect(re.test('platelike')).toBe(false);
    const optional = new RegExp(`^${patternSource('air ?space')}$`);
    expect(['airspace', 'air space', 'air-space'].every((s) => optional.test(s))).toBe(true);
  });
});
