/**
 * Scores for predicted findings against reference labels: per-finding precision, recall, F1 and support, micro
 * and macro averages, plus Normal and exact-match rates. Pure functions, shared by the CLI's `evaluate` and the
 * app's Evaluate view so both show the same numbers.
 *
 * Conventions (stated in every report):
 * - A finding is present when its status is `positive`; `uncertain` counts as present or absent by policy.
 * - A ratio with a zero denominator is 0 (a finding never predicted has precision 0).
 * - The macro average covers only findings with support > 0: a finding absent from the reference cannot be
 *   recalled, and averaging in its zeros would measure the data set, not the labeler.
 */
import { FINDINGS, type Finding, type FindingStatus } from './findings.ts';

export type UncertainPolicy = 'negative' | 'positive';

export interface Counts {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

export interface Score {
  precision: number;
  recall: number;
  f1: number;
}

export interface FindingScore extends Score, Counts {
  finding: Finding;
  /** Reference positives (tp + fn). */
  support: number;
  /** Predicted positives (tp + fp). */
  predicted: number;
}

export interface MetricsReport {
  /** Rows scored. */
  rows: number;
  findings: FindingScore[];
  micro: Score & Counts & { support: number };
  macro: Score & { findings: Finding[] };
  /** Normal as its own yes/no label: reference has no finding vs prediction has none. */
  normal: Score & Counts & { support: number };
  /** Share of rows whose whole set of present findings matches the reference exactly. */
  exactMatch: number;
}

/** The findings counted as present in a status record, under the uncertainty policy. */
export function presentFindings(findings: Partial<Record<Finding, FindingStatus>>, uncertain: UncertainPolicy = 'negative'): Set<Finding> {
  const present = new Set<Finding>();
  for (const f of FINDINGS) {
    const s = findings[f];
    if (s === 'positive' || (s === 'uncertain' && uncertain === 'positive')) present.add(f);
  }
  return present;
}

export function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}

export function score({ tp, fp, fn }: Counts): Score {
  const precision = ratio(tp, tp + fp);
  const recall = ratio(tp, tp + fn);
  return { precision, recall, f1: ratio(2 * precision * recall, precision + recall) };
}

const zero = (): Counts => ({ tp: 0, fp: 0, fn: 0, tn: 0 });

function tally(c: Counts, truth: boolean, predicted: boolean): void {
  if (truth && predicted) c.tp++;
  else if (predicted) c.fp++;
  else if (truth) c.fn++;
  else c.tn++;
}

/** Accumulates one row at a time, so a large evaluation streams in constant memory. */
export class MetricsAccumulator {
  readonly #scored: readonly Finding[];
  readonly #counts = new Map<Finding, Counts>();
  readonly #normal = zero();
  #rows = 0;
  #exact = 0;

  /** `findings`: the findings to score (all 13 by default; fewer when the reference covers only some). */
  constructor(findings: readonly Finding[] = FINDINGS) {
    this.#scored = FINDINGS.filter((f) => findings.includes(f));
    for (const f of this.#scored) this.#counts.set(f, zero());
  }

  add(truth: ReadonlySet<Finding>, predicted: ReadonlySet<Finding>): void {
    this.#rows++;
    let same = true;
    let truthAny = false;
    let predictedAny = false;
    for (const f of this.#scored) {
      const t = truth.has(f);
      const p = predicted.has(f);
      tally(this.#counts.get(f)!, t, p);
      same &&= t === p;
      truthAny ||= t;
      predictedAny ||= p;
    }
    tally(this.#normal, !truthAny, !predictedAny);
    if (same) this.#exact++;
  }

  report(): MetricsReport {
    const findings = this.#scored.map((finding): FindingScore => {
      const c = this.#counts.get(finding)!;
      return { finding, ...c, ...score(c), support: c.tp + c.fn, predicted: c.tp + c.fp };
    });
    const sum = findings.reduce((acc, f) => ({ tp: acc.tp + f.tp, fp: acc.fp + f.fp, fn: acc.fn + f.fn, tn: acc.tn + f.tn }), zero());
    const covered = findings.filter((f) => f.support > 0);
    const mean = (key: keyof Score) => ratio(covered.reduce((s, f) => s + f[key], 0), covered.length);
    return {
      rows: this.#rows,
      findings,
      micro: { ...sum, ...score(sum), support: sum.tp + sum.fn },
      macro: { precision: mean('precision'), recall: mean('recall'), f1: mean('f1'), findings: covered.map((f) => f.finding) },
      normal: { ...this.#normal, ...score(this.#normal), support: this.#normal.tp + this.#normal.fn },
      exactMatch: ratio(this.#exact, this.#rows),
    };
  }
}

/** Scores a whole list of (reference, prediction) pairs at once. */
export function computeMetrics(
  pairs: Iterable<{ truth: ReadonlySet<Finding>; predicted: ReadonlySet<Finding> }>,
  findings: readonly Finding[] = FINDINGS,
): MetricsReport {
  const acc = new MetricsAccumulator(findings);
  for (const { truth, predicted } of pairs) acc.add(truth, predicted);
  return acc.report();
}
