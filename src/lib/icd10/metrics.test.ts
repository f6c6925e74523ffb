import { describe, expect, it } from 'vitest';
import { codeMetrics, icd10Metrics, phraseMetrics, prf1, samePhrase, type ReportPair } from './metrics.ts';

// Two reports, numbers worked out by hand below.
const PAIRS: ReportPair[] = [
  {
    // Codes: predicted {J90, I51.7, J98.19}, truth {J90, J98.11}: tp 1 (J90), fp 2, fn 1.
    // Categories: predicted {J90, I51, J98}, truth {J90, J98}: tp 2, fp 1, fn 0.
    // Phrases: J90 [10,26) overlaps truth J90 [12,26): tp. I51.7 no truth: fp. J98.19 vs J98.11 codes differ: fp;
    // truth J98.11 unmatched: fn. → tp 1, fp 2, fn 1.
    predicted: [
      { phrase: 'pleural effusion', code: 'J90', start: 10, end: 26 },
      { phrase: 'cardiomegaly', code: 'I51.7', start: 30, end: 42 },
      { phrase: 'collapse', code: 'J98.19', start: 50, end: 58 },
    ],
    truth: [
      { phrase: 'effusion', code: 'J90', start: 18, end: 26 },
      { phrase: 'atelectasis', code: 'J98.11', start: 50, end: 61 },
    ],
  },
  {
    // Codes: predicted {J18.9}, truth {J18.9, J90}: tp 1, fn 1. Categories: tp 1 (J18), fn 1 (J90).
    // Phrases (no spans: text containment): "pneumonia" ⊂ "left lower lobe pneumonia": tp; second predicted
    // "pneumonia" finds no unused truth: fp; truth J90 unmatched: fn. → tp 1, fp 1, fn 1.
    predicted: [
      { phrase: 'pneumonia', code: 'j189' },
      { phrase: 'pneumonia', code: 'J18.9' },
    ],
    truth: [
      { phrase: 'left lower lobe pneumonia', code: 'J18.9' },
      { phrase: 'effusion', code: 'J90' },
    ],
  },
];

describe('icd10 metrics', () => {
  it('code level: micro over reports', () => {
    // tp 2, fp 2, fn 2 → P 0.5, R 0.5, F1 0.5
    expect(codeMetrics(PAIRS)).toEqual({ tp: 2, fp: 2, fn: 2, precision: 0.5, recall: 0.5, f1: 0.5 });
  });

  it('category level (3 characters)', () => {
    // tp 3, fp 1, fn 1 → P 0.75, R 0.75, F1 0.75
    expect(codeMetrics(PAIRS, 'category')).toEqual({ tp: 3, fp: 1, fn: 1, precision: 0.75, recall: 0.75, f1: 0.75 });
  });

  it('phrase level: overlapping spans with the same code, one-to-one', () => {
    // tp 2, fp 3, fn 2 → P 0.4, R 0.5, F1 = 2*0.4*0.5/0.9 = 0.4444…
    const m = phraseMetrics(PAIRS);
    expect(m).toMatchObject({ tp: 2, fp: 3, fn: 2, precision: 0.4, recall: 0.5 });
    expect(m.f1).toBeCloseTo(4 / 9, 10);
  });

  it('puts it together', () => {
    const m = icd10Metrics(PAIRS);
    expect(m.reports).toBe(2);
    expect(m.code.f1).toBe(0.5);
    expect(m.category.f1).toBe(0.75);
  });

  it('leaves undefined ratios null instead of inventing 0 or 1', () => {
    expect(prf1(0, 0, 0)).toEqual({ tp: 0, fp: 0, fn: 0, precision: null, recall: null, f1: null });
    expect(prf1(0, 3, 0)).toMatchObject({ precision: 0, recall: null, f1: null });
    expect(prf1(0, 1, 1)).toMatchObject({ precision: 0, recall: 0, f1: 0 });
  });

  it('samePhrase: touching spans do not overlap; codes must agree', () => {
    expect(samePhrase({ code: 'J90', start: 0, end: 5 }, { code: 'J90', start: 5, end: 9 })).toBe(false);
    expect(samePhrase({ code: 'J90', start: 0, end: 6 }, { code: 'J90', start: 5, end: 9 })).toBe(true);
    expect(samePhrase({ code: 'J90', start: 0, end: 6 }, { code: 'J91.0', start: 0, end: 6 })).toBe(false);
  });
});

describe('phrase metrics with supporting phrases', () => {
  it('scores every phrase of a code listed once', () => {
    const predicted = [{ code: 'J90', phrase: 'effusion', start: 0, end: 8, supporting: [{ phrase: 'effusion', start: 20, end: 28 }] }];
    const truth = [{ code: 'J90', phrase: 'effusion', start: 0, end: 8 }, { code: 'J90', phrase: 'effusion', start: 20, end: 28 }];
    expect(icd10Metrics([{ predicted, truth }]).phrase).toMatchObject({ tp: 2, fp: 0, fn: 0 });
    expect(icd10Metrics([{ predicted: [{ ...predicted[0], supporting: undefined }], truth }]).phrase).toMatchObject({ tp: 1, fn: 1 });
  });
});
