/** Statistics of a built training set: label prevalence, report and example lengths, what was dropped and why. */
import { FINDINGS, type Finding } from '../../../src/lib/findings.ts';
import type { LabelResult } from '../../../src/lib/result.ts';

export type DropReason =
  | 'no_label'
  | 'label_error'
  | 'label_empty'
  | 'label_unparsed'
  | 'no_icd10_labels'
  | 'report_unreadable'
  | 'report_blank'
  | 'duplicate_report'
  | 'text_mismatch';

export const DROP_REASONS: Record<DropReason, string> = {
  no_label: 'no label for the report id',
  label_error: 'label failed (status error)',
  label_empty: 'label says the report is empty',
  label_unparsed: "labeler's answer could not be read (status unparsed)",
  no_icd10_labels: 'label has no ICD-10 answer (labeled without --task icd10/both)',
  report_unreadable: 'report row unreadable (wrong number of fields)',
  report_blank: 'report text blank',
  duplicate_report: 'same text as an earlier report (whitespace ignored)',
  text_mismatch: "label's evidence does not match the report text (labeled from other columns?)",
};

export interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export function percentiles(values: readonly number[]): Percentiles {
  if (!values.length) return { p50: 0, p90: 0, p99: 0, max: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  // Nearest-rank percentile: always a value that occurs.
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
  return { p50: at(50), p90: at(90), p99: at(99), max: sorted[sorted.length - 1] };
}

export interface Prevalence {
  positive: number;
  negative: number;
  uncertain: number;
  /** Positives in train and validation, to show the stratification. */
  train: number;
  validation: number;
}

export function prevalence(results: readonly LabelResult[], inValidation: (i: number) => boolean): Record<Finding, Prevalence> {
  const out = Object.fromEntries(FINDINGS.map((f) => [f, { positive: 0, negative: 0, uncertain: 0, train: 0, validation: 0 }])) as Record<Finding, Prevalence>;
  results.forEach((r, i) => {
    for (const f of FINDINGS) {
      const s = r.findings[f];
      if (s === 'absent') continue;
      out[f][s]++;
      if (s === 'positive') out[f][inValidation(i) ? 'validation' : 'train']++;
    }
  });
  return out;
}

const pct = (n: number, d: number) => (d ? `${((100 * n) / d).toFixed(1)}%` : '-');

export interface DatasetStats {
  reports: { read: number; kept: number; train: number; validation: number };
  examples: { train: number; validation: number };
  dropped: Partial<Record<DropReason, number>>;
  labels: { read: number; invalid: number; duplicateIds: number; withoutReport: number };
  normal: number;
  prevalence: Record<Finding, Prevalence>;
  icd10: { items: number; reportsWithCodes: number; topCodes: [string, number][] };
  reportChars: Percentiles;
  reportTokens: Percentiles;
  promptTokens: Percentiles;
  answerTokens: Percentiles;
}

/** The statistics as a plain-text block for stderr (no report text, only counts). */
export function formatStats(s: DatasetStats, task: string): string {
  const lines: string[] = [];
  const n = (x: number) => x.toLocaleString('en-US');
  lines.push(`Reports: ${n(s.reports.read)} read, ${n(s.reports.kept)} kept (${n(s.reports.train)} train, ${n(s.reports.validation)} validation); ` +
    `examples: ${n(s.examples.train)} train, ${n(s.examples.validation)} validation.`);
  lines.push(`Labels: ${n(s.labels.read)} read, ${n(s.labels.invalid)} unreadable, ${n(s.labels.duplicateIds)} repeated ids, ${n(s.labels.withoutReport)} without a report.`);
  const dropped = Object.entries(s.dropped).filter(([, c]) => c);
  if (dropped.length) {
    lines.push('Dropped:');
    for (const [reason, count] of dropped) lines.push(`  ${String(count).padStart(7)}  ${DROP_REASONS[reason as DropReason]}`);
  } else lines.push('Dropped: none.');
  if (task !== 'icd10') {
    lines.push(`Label prevalence over ${n(s.reports.kept)} kept reports (Normal: ${n(s.normal)}, ${pct(s.normal, s.reports.kept)}):`);
    lines.push(`  ${'finding'.padEnd(27)} ${'positive'.padStart(14)} ${'negative'.padStart(8)} ${'uncertain'.padStart(9)}   positive train / validation`);
    for (const f of FINDINGS) {
      const p = s.prevalence[f];
      lines.push(`  ${f.padEnd(27)} ${`${n(p.positive)} ${pct(p.positive, s.reports.kept).padStart(6)}`.padStart(14)} ${n(p.negative).padStart(8)} ${n(p.uncertain).padStart(9)}   ` +
        `${pct(p.train, s.reports.train)} / ${pct(p.validation, s.reports.validation)}`);
    }
  }
  if (task !== 'findings') {
    lines.push(`ICD-10: ${n(s.icd10.items)} phrases in ${n(s.icd10.reportsWithCodes)} reports; most common: ` +
      (s.icd10.topCodes.map(([c, k]) => `${c} (${k})`).join(', ') || 'none'));
  }
  const row = (label: string, p: Percentiles) => `  ${label.padEnd(26)} ${[p.p50, p.p90, p.p99, p.max].map((v) => n(v).padStart(7)).join(' ')}`;
  lines.push(`Lengths                       p50     p90     p99     max`);
  lines.push(row('report, characters', s.reportChars));
  lines.push(row('report, tokens (est.)', s.reportTokens));
  lines.push(row('prompt, tokens (est.)', s.promptTokens));
  lines.push(row('answer, tokens (est.)', s.answerTokens));
  return lines.join('\n');
}
