import { describe, expect, it } from 'vitest';
import { assertMention, findTriggers, minMatchLength } from './context.ts';
import type { Sentence } from './sentences.ts';

const whole = (text: string): Sentence => ({ start: 0, end: text.length, section: 'findings' });
/** Asserts the first occurrence of `mention` in `text`, as one sentence. */
const assert = (text: string, mention: string) => {
  const start = text.indexOf(mention);
  if (start < 0) throw new Error(`"${mention}" not in "${text}"`);
  return assertMention(text, whole(text), start, start + mention.length);
};

describe('assertMention', () => {
  it('is positive with no trigger', () => {
    expect(assert('Small effusion.', 'effusion')).toEqual({ status: 'positive' });
  });

  it('returns the deciding trigger with its span, text and kind', () => {
    const text = 'There is no pneumothorax.';
    expect(assert(text, 'pneumothorax')).toEqual({
      status: 'negative',
      trigger: { start: 0, end: 11, text: 'There is no', kind: 'negation' },
    });
  });

  it('marks resolved findings negative with kind "resolved"', () => {
    expect(assert('Resolved pneumothorax.', 'pneumothorax')).toMatchObject({ status: 'negative', trigger: { kind: 'resolved', text: 'Resolved' } });
    expect(assert('The effusion has resolved.', 'effusion')).toMatchObject({ status: 'negative', trigger: { kind: 'resolved' } });
  });

  it('marks hypothetical and historical mentions uncertain, with their kind', () => {
    expect(assert('Evaluate for pneumonia.', 'pneumonia')).toMatchObject({ status: 'uncertain', trigger: { kind: 'hypothetical' } });
    expect(assert('History of pneumonia.', 'pneumonia')).toMatchObject({ status: 'uncertain', trigger: { kind: 'historical' } });
  });

  it('lets the nearest trigger decide', () => {
    const text = 'Possible atelectasis, no effusion.';
    expect(assert(text, 'atelectasis')).toMatchObject({ status: 'uncertain' });
    expect(assert(text, 'effusion')).toMatchObject({ status: 'negative' });
  });

  it('ignores triggers outside the given sentence', () => {
    const text = 'No effusion. Pneumothorax.';
    const sentence: Sentence = { start: 13, end: text.length, section: 'findings' };
    expect(assertMention(text, sentence, 13, 25)).toEqual({ status: 'positive' });
  });

  it('does not let a backward trigger cross a comma', () => {
    expect(assert('Heart is enlarged, effusion is not seen.', 'Heart is enlarged')).toEqual({ status: 'positive' });
  });

  it('does not negate a clause mention from before it ("no effusion and the heart is enlarged")', () => {
    expect(assert('No effusion and heart is enlarged.', 'heart is enlarged')).toEqual({ status: 'positive' });
  });
});

describe('findTriggers', () => {
  it('prefers pseudo-triggers and longer phrases at the same place', () => {
    const text = 'No change in the effusion; there is no pneumothorax.';
    const found = findTriggers(text, whole(text)).map((t) => [text.slice(t.start, t.end), t.kind]);
    expect(found).toEqual([
      ['No change', 'pseudo'],
      [';', 'terminator'],
      ['there is no', 'negation'],
    ]);
  });
});

describe('minMatchLength', () => {
  it('estimates the shortest text a pattern matches', () => {
    expect(minMatchLength('there (?:is|are) no')).toBe('there is no'.length);
    expect(minMatchLength('(?:small )?effusion')).toBe('effusion'.length);
    expect(minMatchLength('vs\\.?')).toBe(2);
  });
});
