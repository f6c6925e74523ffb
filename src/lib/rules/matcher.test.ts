import { describe, expect, it } from 'vitest';
import { FirstCharIndex, firstChars, firstTwoChars, forEachTokenStart, matchStarts, stickyAlternation } from './matcher.ts';

const chars = (p: string) => {
  const f = firstChars(p);
  return f ? [...f].sort().join('') : null;
};

describe('firstChars', () => {
  it('reads literal starts, groups, optional groups and escapes', () => {
    expect(chars('effusion')).toBe('e');
    expect(chars('Effusion')).toBe('e');
    expect(chars('(?:left|right) effusion')).toBe('lr');
    expect(chars('(?:small )?effusion')).toBe('es');
    expect(chars('(?:(?:is|are) )?not seen')).toBe('ain');
    expect(chars('\\d cm')).toBe('0123456789');
    expect(chars(';')).toBe(';');
    expect(chars('s?effusion')).toBe('es');
  });

  it('gives null when the start cannot be worked out', () => {
    expect(chars('[a-z]+')).toBeNull();
    expect(chars('\\w+ effusion')).toBeNull();
  });
});

describe('firstTwoChars', () => {
  const two = (p: string) => {
    const f = firstTwoChars(p);
    return f ? [...f].sort().join(',') : null;
  };
  it('reads two literal characters, through leading groups', () => {
    expect(two('Effusion')).toBe('ef');
    expect(two('(?:left|right) effusion')).toBe('le,ri');
    expect(two('(?:ng|og) tube')).toBe('ng,og');
    expect(two('fx')).toBe('fx');
  });
  it('gives null when a short or optional start makes it unsure', () => {
    expect(two('(?:small )?effusion')).toBeNull();
    expect(two('s?effusion')).toBeNull();
    expect(two('e?ffusion')).toBeNull();
    expect(two('(?:a|an) tube')).toBeNull();
    expect(two(';')).toBeNull();
    expect(two('\\d cm')).toBeNull();
  });
});

describe('matchStarts', () => {
  const starts = (p: string) => [...(matchStarts(p, 3) ?? ['null'])].sort().join(',');
  it('reads up to three letters through groups, optional parts, lookarounds and alternatives', () => {
    expect(starts('pleural effusions?')).toBe('ple');
    expect(starts('(?:small )?effusion')).toBe('eff,sma');
    expect(starts('(?:(?:is|are) )?not seen')).toBe('are,is#,not');
    expect(starts('(?<!normal )kyphosis')).toBe('kyp');
    expect(starts('ab|cd')).toBe('ab*,cd*');
  });
  it('marks a non-letter next with # and anything next with *', () => {
    expect(starts('T\\s?-?(?:1|12) fracture')).toBe('t#,t1#,t12');
    expect(starts('et tube')).toBe('et#');
    expect(starts('PE')).toBe('pe*');
    expect(starts('[a-z]+ mass')).toBe('*');
    expect(starts('\\d cm')).toBe('*');
  });
});

describe('FirstCharIndex', () => {
  it('rules out token starts whose first two characters begin no pattern', () => {
    const idx = new FirstCharIndex(['effusion', 'edema', '(?:small )?pneumothorax', 'sx'], (indices) => indices);
    const may = (s: string) => idx.mayStart(s.charCodeAt(0), s.charCodeAt(1));
    expect(may('ef')).toBe(true);
    expect(may('ED')).toBe(true);
    expect(may('ev')).toBe(false);
    expect(may('e')).toBe(false);
    expect(may('pq')).toBe(true); // "p" patterns have an unsure start: always tried
    expect(may('sm')).toBe(true);
  });

  it('returns the patterns that can start with a character, in order, plus unknown starts', () => {
    const idx = new FirstCharIndex(['apple', 'avocado', 'banana', '\\w+x'], (indices) => indices);
    expect(idx.bucketAt('a'.charCodeAt(0))).toEqual([0, 1, 3]);
    expect(idx.bucketAt('A'.charCodeAt(0))).toEqual([0, 1, 3]);
    expect(idx.bucketAt('b'.charCodeAt(0))).toEqual([2, 3]);
    expect(idx.bucketAt('z'.charCodeAt(0))).toEqual([3]);
  });
});

describe('stickyAlternation', () => {
  it('matches at the given index only, case-insensitively, never ending mid-word', () => {
    const re = stickyAlternation(['tube', 'no'], false);
    re.lastIndex = 0;
    expect(re.exec('Tube in place')?.[0]).toBe('Tube');
    re.lastIndex = 0;
    expect(re.exec('tuberculosis')).toBeNull();
    re.lastIndex = 0;
    expect(re.exec('a tube')).toBeNull();
    re.lastIndex = 0;
    expect(re.exec('nodule')).toBeNull();
  });

  it('allows a match that ends in punctuation before a letter', () => {
    const re = stickyAlternation([';'], false);
    re.lastIndex = 1;
    expect(re.exec('a;b')?.[0]).toBe(';');
  });
});

describe('forEachTokenStart', () => {
  it('visits word starts and punctuation marks, not spaces or word middles', () => {
    const text = 'No effusion; tube.';
    const seen: string[] = [];
    forEachTokenStart(text, 0, text.length, (i) => seen.push(text[i]));
    expect(seen).toEqual(['N', 'e', ';', 't', '.']);
  });

  it('does not treat a range that starts mid-word as a word start', () => {
    const seen: number[] = [];
    forEachTokenStart('tuberculosis', 2, 12, (i) => seen.push(i));
    expect(seen).toEqual([]);
  });
});
