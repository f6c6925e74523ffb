import { describe, expect, it } from 'vitest';
import { labelFindings } from './index.ts';
import { typoHead, withinOneEdit } from './typos.ts';

describe('withinOneEdit', () => {
  it.each([
    ['cardiomegally', 'cardiomegaly', true], // insertion
    ['atelectsis', 'atelectasis', true], // deletion
    ['efusion', 'effusion', true],
    ['pnuemothorax', 'pneumothorax', true], // neighbours swapped
    ['consolidaton', 'consolidation', true],
    ['pneumothorax', 'pneumothorax', true],
    ['pnuemothroax', 'pneumothorax', false], // two edits
    ['infusion', 'effusion', false],
    ['cardiomyopathy', 'cardiomegaly', false],
  ])('%s ~ %s: %s', (a, b, want) => expect(withinOneEdit(a, b)).toBe(want));
});

describe('typoHead', () => {
  it('maps a one-edit misspelling of a head word to its finding', () => {
    expect(typoHead('Cardiomegally')?.finding).toBe('Cardiomegaly');
    expect(typoHead('pnuemothorax')?.finding).toBe('Pneumothorax');
  });
  it('leaves correct spellings, short words and non-head words alone', () => {
    expect(typoHead('effusion')).toBeUndefined(); // exact: the lexicon matches it
    expect(typoHead('edmea')).toBeUndefined(); // under 7 letters
    expect(typoHead('possibel')).toBeUndefined(); // trigger words are never fuzzy
    expect(typoHead('diffusion')).toBeUndefined();
  });
});

describe('typos in labeling', () => {
  it('labels the misspelt word as its finding, with the usual context', () => {
    expect(labelFindings('No pnuemothorax.').findings.Pneumothorax).toBe('negative');
    expect(labelFindings('Possible pneumothroax.').findings.Pneumothorax).toBe('uncertain');
    expect(labelFindings('Mild cardiomegally.').evidence[0].mention.text).toBe('cardiomegally');
  });
  it('never turns a word the lexicon knows, but excludes there, into a finding', () => {
    expect(labelFindings('The pacemaker lead is fractured.').findings.Fracture).toBe('absent');
  });
  it('can be turned off', () => {
    expect(labelFindings('Mild cardiomegally.', { typos: false }).findings.Cardiomegaly).toBe('absent');
  });
});
