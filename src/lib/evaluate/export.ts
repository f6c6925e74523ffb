/**
 * The evaluation as files, the same from the CLI (`--metrics-csv`, `--json`, `--disagreements`) and the page's
 * downloads: the metrics with their confusion counts and intervals as CSV or JSON, and the disagreement list.
 */
import { csvLine } from '../csv/write.ts';
import type { EvaluationSummary } from './evaluation.ts';

const num = (x: number | undefined) => (x === undefined ? '' : String(Number(x.toFixed(6))));

export const METRICS_COLUMNS = ['finding', 'tp', 'fp', 'fn', 'tn', 'support', 'predicted', 'precision', 'recall', 'f1', 'f1_ci_low', 'f1_ci_high'];

/** One row per scored finding, then micro, macro and Normal; intervals where computed. */
export function metricsCsv(s: EvaluationSummary): string {
  const m = s.metrics;
  let out = csvLine(METRICS_COLUMNS);
  for (const f of m.findings) {
    const ci = s.ci?.findings[f.finding];
    out += csvLine([f.finding, ...[f.tp, f.fp, f.fn, f.tn, f.support, f.predicted, f.precision, f.recall, f.f1, ci?.low, ci?.high].map(num)]);
  }
  out += csvLine(['micro', ...[m.micro.tp, m.micro.fp, m.micro.fn, m.micro.tn, m.micro.support, m.micro.tp + m.micro.fp, m.micro.precision, m.micro.recall, m.micro.f1, s.ci?.micro.low, s.ci?.micro.high].map(num)]);
  out += csvLine(['macro', '', '', '', '', '', '', num(m.macro.precision), num(m.macro.recall), num(m.macro.f1), '', '']);
  out += csvLine(['Normal', ...[m.normal.tp, m.normal.fp, m.normal.fn, m.normal.tn, m.normal.support, m.normal.tp + m.normal.fp, m.normal.precision, m.normal.recall, m.normal.f1].map(num), '', '']);
  return out;
}

/** The whole summary (metrics, join, counts, intervals, disagreements kept) as pretty JSON. */
export function metricsJson(s: EvaluationSummary): string {
  return `${JSON.stringify(s, null, 2)}\n`;
}

export const DISAGREEMENT_COLUMNS = ['key', 'reference_row', 'prediction_row', 'expected', 'predicted', 'missed', 'extra'];

/** One row per disagreeing report: what the reference has, what was predicted, and the difference. */
export function disagreementsCsv(s: EvaluationSummary): string {
  let out = csvLine(DISAGREEMENT_COLUMNS);
  for (const d of s.disagreements) {
    const missed = d.expected.filter((f) => !d.predicted.includes(f));
    const extra = d.predicted.filter((f) => !d.expected.includes(f));
    out += csvLine([d.key, String(d.referenceRow), String(d.predictionRow), d.expected.join('; '), d.predicted.join('; '), missed.join('; '), extra.join('; ')]);
  }
  return out;
}
