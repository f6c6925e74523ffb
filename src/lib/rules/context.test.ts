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

describe('assertion categories', () => {
  const siblingsOf = (text: string, words: string[]) => words.map((w) => ({ start: text.indexOf(w), end: text.indexOf(w) + w.length }));
  const pair = (text: string, mention: string, other: string) => {
    const start = text.indexOf(mention);
    return assertMention(text, whole(text), start, start + mention.length, { siblings: siblingsOf(text, [other]) });
  };

  it('"X or Y" is a differential only with a diagnosis on the other side', () => {
    expect(pair('Atelectasis or scarring.', 'Atelectasis', 'scarring')).toMatchObject({ status: 'uncertain', trigger: { kind: 'differential', text: 'or' } });
    expect(assert('Atelectasis or something else.', 'Atelectasis')).toEqual({ status: 'positive' });
  });

  it('a negation beats a paired "or" however far it is', () => {
    expect(pair('No effusion or pneumothorax.', 'pneumothorax', 'effusion')).toMatchObject({ status: 'negative', trigger: { kind: 'negation' } });
  });

  it('an "or" after a comma list is a list', () => {
    expect(pair('Consolidation, effusion or pneumothorax.', 'pneumothorax', 'effusion')).toEqual({ status: 'positive' });
  });

  it('a history decides only when nothing else reaches the mention', () => {
    expect(assert('Prior right lower lobe pneumonia.', 'pneumonia')).toMatchObject({ status: 'uncertain', trigger: { kind: 'historical' } });
    expect(assert('Status post removal of the chest tube.', 'chest tube')).toMatchObject({ status: 'negative', trigger: { kind: 'resolved' } });
  });

  it('skips rules whose `except` names the finding', () => {
    const text = 'Prior rib fractures.';
    const start = text.indexOf('fractures');
    expect(assertMention(text, whole(text), start, start + 9, { finding: 'Fracture' })).toEqual({ status: 'positive' });
    expect(assertMention(text, whole(text), start, start + 9, { finding: 'Pneumonia' })).toMatchObject({ status: 'uncertain' });
  });

  it('a current-state word cancels a history', () => {
    expect(assert('Prior right pleural effusion, now smaller.', 'effusion')).toEqual({ status: 'positive' });
    expect(assert('Previous pleural effusion has decreased.', 'effusion')).toEqual({ status: 'positive' });
  });

  it('post-position denials, structured lines and query shorthand', () => {
    expect(assert('Pneumonia is unlikely.', 'Pneumonia')).toMatchObject({ status: 'negative' });
    expect(assert('Pneumothorax: none.', 'Pneumothorax')).toMatchObject({ status: 'negative', trigger: { text: ': none' } });
    expect(assert('?pneumonia right base', 'pneumonia')).toMatchObject({ status: 'uncertain', trigger: { kind: 'hypothetical', text: '?' } });
    expect(assert('Nearly resolved pneumothorax.', 'pneumothorax')).toEqual({ status: 'positive' });
  });
});
