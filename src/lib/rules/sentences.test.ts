import { describe, expect, it } from 'vitest';
import { splitSections } from './sections.ts';
import { splitSentences } from './sentences.ts';

const sentences = (text: string) => splitSentences(text, splitSections(text)).map((s) => text.slice(s.start, s.end));

describe('splitSentences', () => {
  it('splits at periods followed by a space', () => {
    expect(sentences('No effusion. No pneumothorax.')).toEqual(['No effusion.', 'No pneumothorax.']);
  });

  it('keeps decimals together', () => {
    expect(sentences('A 1.5 cm nodule. Stable.')).toEqual(['A 1.5 cm nodule.', 'Stable.']);
  });

  it('splits where the space after a period is missing', () => {
    expect(sentences('Scarring in the left apex.There is more.')).toEqual(['Scarring in the left apex.', 'There is more.']);
  });

  it('drops list markers and splits numbered lists, with or without periods between items', () => {
    expect(sentences('1. Emphysema. 2. Scarring.')).toEqual(['Emphysema.', 'Scarring.']);
    expect(sentences('1. No effusion 2. Heart normal')).toEqual(['No effusion', 'Heart normal']);
    expect(sentences('- tube in place\n- no pneumothorax')).toEqual(['tube in place', 'no pneumothorax']);
  });

  it('does not split at abbreviations', () => {
    expect(sentences('Atelectasis vs. pneumonia. Dr. Smith called.')).toEqual(['Atelectasis vs. pneumonia.', 'Dr. Smith called.']);
    expect(sentences('Infection, e.g. pneumonia, is possible.')).toEqual(['Infection, e.g. pneumonia, is possible.']);
  });

  it('ends "no." as an answer but not before a number', () => {
    expect(sentences('Effusion: no. Pneumothorax: no.')).toEqual(['Effusion: no.', 'Pneumothorax: no.']);
  });

  it('splits at blank lines and at line breaks before a capital, not inside wrapped lines', () => {
    expect(sentences('No effusion\n\nno pneumothorax')).toEqual(['No effusion', 'no pneumothorax']);
    expect(sentences('Lungs clear\nNo effusion')).toEqual(['Lungs clear', 'No effusion']);
    expect(sentences('There is no\npneumothorax.')).toEqual(['There is no\npneumothorax.']);
  });

  it('splits at question and exclamation marks', () => {
    expect(sentences('Effusion?  Yes!')).toEqual(['Effusion?', 'Yes!']);
  });

  it('covers only labeled sections and names the section', () => {
    const text = 'INDICATION: r/o pneumonia. FINDINGS: Clear. IMPRESSION: Normal.';
    const got = splitSentences(text, splitSections(text));
    expect(got.map((s) => [text.slice(s.start, s.end), s.section])).toEqual([
      ['Clear.', 'findings'],
      ['Normal.', 'impression'],
    ]);
  });

  it('returns nothing for empty or blank text', () => {
    expect(sentences('')).toEqual([]);
    expect(sentences('   \n ')).toEqual([]);
  });
});
