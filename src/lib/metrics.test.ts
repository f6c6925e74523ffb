import { describe, expect, it } from 'vitest';
import { emptyFindings, type Finding } from './findings.ts';
import { MetricsAccumulator, computeMetrics, presentFindings, ratio, score } from './metrics.ts';

const set = (...f: Finding[]) => new Set<Finding>(f);

// Four rows worked by hand (A = Atelectasis, C = Cardiomegaly, E = Pleural Effusion):
//   row 1: truth {A, C}  predicted {A}      row 2: truth {C}  predicted {C, E}
//   row 3: truth {}      predicted {}       row 4: truth {E}  predicted {A}
// A: tp 1 (r1), fp 1 (r4), fn 0      → P 1/2, R 1,   F1 2/3, support 1
// C: tp 1 (r2), fp 0,      fn 1 (r1) → P 1,   R 1/2, F1 2/3, support 2
// E: tp 0,      fp 1 (r2), fn 1 (r4) → P 0,   R 0,   F1 0,   support 1
// micro: tp 2, fp 2, fn 2 → P 1/2, R 1/2, F1 1/2; macro over A, C, E: P 1/2, R 1/2, F1 4/9
// Normal: only row 3 on both sides → P = R = F1 = 1; exact match: row 3 only → 1/4.
const PAIRS = [
  { truth: set('Atelectasis', 'Cardiomegaly'), predicted: set('Atelectasis') },
  { truth: set('Cardiomegaly'), predicted: set('Cardiomegaly', 'Pleural Effusion') },
  { truth: set(), predicted: set() },
  { truth: set('Pleural Effusion'), predicted: set('Atelectasis') },
];

describe('computeMetrics', () => {
  const r = computeMetrics(PAIRS);
  const by = (f: Finding) => r.findings.find((x) => x.finding === f)!;

  it('scores each finding as worked out by hand', () => {
    expect(by('Atelectasis')).toMatchObject({ tp: 1, fp: 1, fn: 0, tn: 2, support: 1, predicted: 2, precision: 0.5, recall: 1 });
    expect(by('Atelectasis').f1).toBeCloseTo(2 / 3, 12);
    expect(by('Cardiomegaly')).toMatchObject({ tp: 1, fp: 0, fn: 1, tn: 2, support: 2, precision: 1, recall: 0.5 });
    expect(by('Cardiomegaly').f1).toBeCloseTo(2 / 3, 12);
    expect(by('Pleural Effusion')).toMatchObject({ tp: 0, fp: 1, fn: 1, precision: 0, recall: 0, f1: 0, support: 1 });
    expect(by('Edema')).toMatchObject({ tp: 0, fp: 0, fn: 0, tn: 4, support: 0, precision: 0, recall: 0, f1: 0 });
    expect(r.rows).toBe(4);
  });

  it('micro-averages over all findings and macro-averages over findings with support', () => {
    expect(r.micro).toMatchObject({ tp: 2, fp: 2, fn: 2, support: 4, precision: 0.5, recall: 0.5, f1: 0.5 });
    expect(r.macro.findings).toEqual(['Atelectasis', 'Cardiomegaly', 'Pleural Effusion']);
    expect(r.macro.precision).toBeCloseTo(0.5, 12);
    expect(r.macro.recall).toBeCloseTo(0.5, 12);
    expect(r.macro.f1).toBeCloseTo(4 / 9, 12);
  });

  it('scores Normal as its own label and counts exact matches', () => {
    expect(r.normal).toMatchObject({ tp: 1, fp: 0, fn: 0, tn: 3, support: 1, precision: 1, recall: 1, f1: 1 });
    expect(r.exactMatch).toBe(0.25);
  });

  it('scores only the findings asked for', () => {
    const only = computeMetrics(PAIRS, ['Cardiomegaly', 'Atelectasis']);
    expect(only.findings.map((f) => f.finding)).toEqual(['Atelectasis', 'Cardiomegaly']); // canonical order
    expect(only.micro).toMatchObject({ tp: 2, fp: 1, fn: 1 });
    // Without Effusion, row 2 predicted only C (matches) and row 4 truth has nothing: Normal changes too.
    expect(only.normal).toMatchObject({ tp: 1, fp: 0, fn: 1 });
    expect(only.exactMatch).toBe(0.5);
  });

  it('gives the same numbers row by row as all at once', () => {
    const acc = new MetricsAccumulator();
    for (const p of PAIRS) acc.add(p.truth, p.predicted);
    expect(acc.report()).toEqual(r);
  });

  it('reports zeros for an empty evaluation', () => {
    const empty = computeMetrics([]);
    expect(empty).toMatchObject({ rows: 0, exactMatch: 0, micro: { precision: 0, recall: 0, f1: 0 }, macro: { findings: [], f1: 0 } });
  });
});

describe('presentFindings', () => {
  const findings = { ...emptyFindings(), Edema: 'uncertain' as const, Cardiomegaly: 'positive' as const, Atelectasis: 'negative' as const };
  it('counts uncertain as absent by default and as present on request', () => {
    expect([...presentFindings(findings)]).toEqual(['Cardiomegaly']);
    expect([...presentFindings(findings, 'positive')]).toEqual(['Cardiomegaly', 'Edema']);
  });
});

describe('score and ratio', () => {
  it('treats a zero denominator as 0', () => {
    expect(ratio(0, 0)).toBe(0);
    expect(score({ tp: 0, fp: 0, fn: 3, tn: 1 })).toEqual({ precision: 0, recall: 0, f1: 0 });
    expect(score({ tp: 3, fp: 1, fn: 1, tn: 0 })).toEqual({ precision: 0.75, recall: 0.75, f1: 0.75 });
  });
});
