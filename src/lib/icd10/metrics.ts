/**
 * Task 1 metrics, micro-averaged over reports: code-level precision/recall/F1 (the set of codes per report, and the
 * same at the 3-character category level), and phrase-level F1 (a predicted phrase matches a reference phrase
 * when their spans overlap and their codes agree; each reference phrase is matched at most once).
 */
import { categoryOf, normaliseCode } from './code.ts';

/** One ICD-10 item as predictions and references carry it. */
export interface Icd10Reference {
  code: string;
  phrase?: string;
  start?: number | null;
  end?: number | null;
  /** Other phrases of the same code in the report (the rule engine lists a code once, with all its phrases). */
  supporting?: ReadonlyArray<{ phrase?: string; start?: number | null; end?: number | null }>;
}

/** One entry per phrase: an item and each of its supporting phrases, all with the item's code. */
function phrasesOf(items: readonly Icd10Reference[]): Icd10Reference[] {
  return items.flatMap((i) => [i, ...(i.supporting ?? []).map((s) => ({ code: i.code, phrase: s.phrase, start: s.start, end: s.end }))]);
}

export interface ReportPair {
  predicted: readonly Icd10Reference[];
  truth: readonly Icd10Reference[];
}

export interface PrF1 {
  tp: number;
  fp: number;
  fn: number;
  /** null when undefined (nothing predicted / nothing to find). */
  precision: number | null;
  recall: number | null;
  f1: number | null;
}

export interface Icd10Metrics {
  reports: number;
  code: PrF1;
  category: PrF1;
  phrase: PrF1;
}

export function prf1(tp: number, fp: number, fn: number): PrF1 {
  const precision = tp + fp ? tp / (tp + fp) : null;
  const recall = tp + fn ? tp / (tp + fn) : null;
  const f1 = precision === null || recall === null ? null : precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  return { tp, fp, fn, precision, recall, f1 };
}

/** Code-set P/R/F1 over reports; `category` compares 3-character categories ("J98.11" → "J98"). */
export function codeMetrics(pairs: readonly ReportPair[], level: 'code' | 'category' = 'code'): PrF1 {
  const key = level === 'code' ? normaliseCode : categoryOf;
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const { predicted, truth } of pairs) {
    const p = new Set(predicted.map((i) => key(i.code)));
    const t = new Set(truth.map((i) => key(i.code)));
    for (const c of p) (t.has(c) ? tp++ : fp++);
    for (const c of t) if (!p.has(c)) fn++;
  }
  return prf1(tp, fp, fn);
}

const hasSpan = (i: Icd10Reference): i is Icd10Reference & { start: number; end: number } =>
  typeof i.start === 'number' && typeof i.end === 'number' && i.end > i.start;
const words = (s: string | undefined) => (s ?? '').toLowerCase().replace(/\s+/g, ' ').trim();

/**
 * Whether two items refer to the same mention: overlapping spans when both have spans; otherwise (a list written
 * without offsets) when one phrase contains the other, case and spacing aside.
 */
export function samePhrase(a: Icd10Reference, b: Icd10Reference): boolean {
  if (normaliseCode(a.code) !== normaliseCode(b.code)) return false;
  if (hasSpan(a) && hasSpan(b)) return a.start < b.end && b.start < a.end;
  const x = words(a.phrase);
  const y = words(b.phrase);
  return !!x && !!y && (x.includes(y) || y.includes(x));
}

/** Phrase-level P/R/F1 over reports, one-to-one matching in order. */
export function phraseMetrics(pairs: readonly ReportPair[]): PrF1 {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const pair of pairs) {
    const predicted = phrasesOf(pair.predicted);
    const truth = phrasesOf(pair.truth);
    const used = new Set<number>();
    for (const p of predicted) {
      const j = truth.findIndex((t, k) => !used.has(k) && samePhrase(p, t));
      if (j >= 0) {
        used.add(j);
        tp++;
      } else fp++;
    }
    fn += truth.length - used.size;
  }
  return prf1(tp, fp, fn);
}

export function icd10Metrics(pairs: readonly ReportPair[]): Icd10Metrics {
  return {
    reports: pairs.length,
    code: codeMetrics(pairs, 'code'),
    category: codeMetrics(pairs, 'category'),
    phrase: phraseMetrics(pairs),
  };
}
