/**
 * `radreportx evaluate`: scores predicted findings against reference labels. The numbers come from
 * src/lib/metrics.ts, the same functions the app's Evaluate view uses. `--task icd10` hands the whole command
 * to the ICD-10 evaluator (training/commands/evaluate-icd10.ts).
 */
import { orderWarning, evaluateSides, type EvaluationRun } from '../../src/lib/evaluate/evaluation.ts';
import { disagreementsCsv, metricsCsv, metricsJson } from '../../src/lib/evaluate/export.ts';
import { chooseJoin, parseJoin, type IdTransform } from '../../src/lib/evaluate/join.ts';
import type { UncertainPolicy } from '../../src/lib/metrics.ts';
import { RadReportXError } from '../../src/lib/errors.ts';
import { oneOf, parseCommandArgs, positiveInt, required } from '../lib/args.ts';
import { writeFileAtomic } from '../lib/atomic.ts';
import { checkInputFile, checkNotOverwritingInputs, checkOutputPath } from '../lib/files.ts';
import type { Command } from '../lib/command.ts';
import { joinableColumns, openLabelSide } from '../lib/label-files.ts';

const OPTIONS = {
  predictions: { type: 'string', short: 'p' },
  truth: { type: 'string' },
  'truth-column': { type: 'string' },
  'prediction-column': { type: 'string' },
  join: { type: 'string' },
  strict: { type: 'boolean' },
  'id-strip-prefix': { type: 'string' },
  'id-strip-suffix': { type: 'string' },
  'id-pad': { type: 'string' },
  uncertain: { type: 'string' },
  task: { type: 'string' },
  json: { type: 'string' },
  'metrics-csv': { type: 'string' },
  disagreements: { type: 'string' },
  bootstrap: { type: 'string' },
  seed: { type: 'string' },
} as const;

const help = `Usage: radreportx evaluate --predictions labels.csv --truth truth.csv [--truth-column NAME] [options]

Scores predicted findings against reference labels: per-finding precision, recall, F1 and support, micro and
macro averages, Normal as its own label, and the exact-match rate.

Required:
  -p, --predictions FILE    label output (.csv or .jsonl), or any CSV with a column listing finding names
      --truth FILE          reference labels (CSV)

Options:
      --truth-column NAME   truth column listing finding names ("Cardiomegaly; Pleural Effusion", comma or
                            semicolon separated; blank or Normal = no finding; spelling and case do not matter).
                            Without it the truth file's finding columns (Atelectasis, ... coded 1/0/-1/blank)
                            are used; with only some finding columns, only those findings are scored.
      --prediction-column NAME  predictions column listing names (default: label's finding columns)
      --join COLUMN         join rows on this id column (present in both files; in JSONL an "ids" key);
                            PRED=TRUTH joins differently named columns; "order" joins by row order.
                            Default (auto): by id when both files have an id column (id, uid, study_id,
                            accession, "Accession Number", MRN, ...), else by row order with a warning.
      --strict              exit 2 when a row-order join pairs rows whose ids differ
      --id-strip-prefix P   compare ids without this prefix (CXR123 and 123 join with --id-strip-prefix CXR)
      --id-strip-suffix S   compare ids without this suffix
      --id-pad N            compare numeric ids zero-padded to N digits (00123 and 123 join with --id-pad 5)
      --uncertain POLICY    negative (default) | positive: how uncertain (-1) labels count, both sides
                            (differentials are uncertain unless labeled with "label --differentials positive")
      --task TASK           findings (default) | icd10 (ICD-10 codes; see "evaluate --task icd10 --help")
      --bootstrap N         resamples for the 95% confidence intervals of micro-F1 and each F1 (default 1000;
                            0 for none); --seed N (default 1) makes them reproducible
      --json FILE           also write the full report as JSON (metrics, confusion counts, intervals, join)
      --metrics-csv FILE    also write the per-finding metrics with confusion counts and intervals as CSV
      --disagreements FILE  also write every row where predictions and reference differ, as CSV

Rows the labeler did not label (status empty, error or unparsed) are not scored; they are counted, as are
rows that could not be joined. A binary file, or a reports file given as labels, is refused with the reason. A ratio with a zero denominator counts as 0. The macro average covers the
findings with support > 0 (they are listed).

Example:
  node ../shared/data/iu-xray/truth.mjs > /tmp/iu_truth.csv
  radreportx label -i ../shared/data/iu-xray/indiana_reports.csv -t findings,impression --id-column uid -o /tmp/iu.csv
  radreportx evaluate -p /tmp/iu.csv --truth /tmp/iu_truth.csv --truth-column findings --join uid
`;

function nonNegativeInt(value: string, flag: string): number {
  if (!/^\d+$/.test(value)) throw new RadReportXError('BadUsage', `--${flag} must be a whole number (got "${value}").`);
  return Number(value);
}

/** The `--task` value in argv, read before full parsing because `icd10` has options of its own. */
function taskOf(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--task') return argv[i + 1];
    if (argv[i].startsWith('--task=')) return argv[i].slice('--task='.length);
  }
  return undefined;
}

async function runIcd10(argv: string[]): Promise<number> {
  // Loaded only for --task icd10 (a literal specifier, so the type-check and the layer checks follow it).
  const { runIcd10Evaluate } = await import('./evaluate-icd10.ts');
  return runIcd10Evaluate(argv);
}

export interface EvaluateOptions {
  predictions: string;
  truth: string;
  truthColumn?: string;
  predictionColumn?: string;
  join?: string;
  transform?: IdTransform;
  uncertain: UncertainPolicy;
  resamples?: number;
  seed?: number;
  /** Keep every disagreement (for --disagreements), not just the first 2,000. */
  allDisagreements?: boolean;
}

/** The evaluation, with the CLI's own field names kept in its JSON (`report`, `truthFormat`, ...). */
export interface EvaluationResult extends EvaluationRun {
  report: EvaluationRun['metrics'];
  join: string | null;
  truthFormat: string;
  predictionFormat: string;
}

export async function evaluateFiles(o: EvaluateOptions): Promise<EvaluationResult> {
  const rule = chooseJoin(parseJoin(o.join), await joinableColumns(o.truth, 'reference'), await joinableColumns(o.predictions, 'predictions'));
  const reference = await openLabelSide(o.truth, 'reference', rule.kind === 'id' ? rule.reference : rule.referenceId, o.truthColumn);
  const predictions = await openLabelSide(o.predictions, 'predictions', rule.kind === 'id' ? rule.predictions : rule.predictionsId, o.predictionColumn);
  const run = await evaluateSides(reference, predictions, {
    uncertain: o.uncertain,
    join: rule,
    transform: o.transform,
    bootstrap: { resamples: o.resamples, seed: o.seed },
    maxDisagreements: o.allDisagreements ? Infinity : undefined,
  });
  const malformed = run.referenceMalformed ? ` (${run.referenceMalformed} malformed rows skipped)` : '';
  return {
    ...run,
    report: run.metrics,
    join: rule.kind === 'id' ? (rule.reference === rule.predictions ? rule.reference : `${rule.predictions}=${rule.reference}`) : null,
    truthFormat: `${run.formats.reference}${malformed}`,
    predictionFormat: run.formats.predictions,
  };
}

const f3 = (x: number) => x.toFixed(3);
const n = (x: number) => x.toLocaleString('en-US');

/** The plain-text report printed on stdout. */
export function formatEvaluation(e: EvaluationResult): string {
  const r = e.report;
  const width = Math.max(26, ...r.findings.map((f) => f.finding.length));
  const line = (name: string, p: number, rc: number, f1: number, support: string, predicted: string) =>
    `${name.padEnd(width)}  ${f3(p).padStart(9)}  ${f3(rc).padStart(6)}  ${f3(f1).padStart(6)}  ${support.padStart(7)}  ${predicted.padStart(9)}`;
  const out = [
    `Scored ${n(r.rows)} rows (${e.joinDescription}${e.join && e.transform ? ', ids transformed' : ''}; uncertain counted as ${e.uncertain}).`,
    `Predictions: ${e.predictionFormat}. Truth: ${e.truthFormat}.`,
    '',
    `${'finding'.padEnd(width)}  precision  recall      f1  support  predicted`,
    ...r.findings.map((f) => line(f.finding, f.precision, f.recall, f.f1, n(f.support), n(f.predicted))),
    '',
    line('micro average', r.micro.precision, r.micro.recall, r.micro.f1, n(r.micro.support), n(r.micro.tp + r.micro.fp)),
    line('macro average', r.macro.precision, r.macro.recall, r.macro.f1, '', ''),
    line('Normal (no finding)', r.normal.precision, r.normal.recall, r.normal.f1, n(r.normal.support), n(r.normal.tp + r.normal.fp)),
    '',
    `Macro average over the ${r.macro.findings.length} findings with support > 0` +
      (r.macro.findings.length < r.findings.length
        ? `; left out (no reference positives): ${r.findings.filter((f) => f.support === 0).map((f) => f.finding).join(', ')}.`
        : '.'),
    `Exact match (all ${r.findings.length} findings right): ${f3(r.exactMatch)}.`,
  ];
  out.push('', ...confusionTable(e, width));
  const skipped = Object.entries(e.notScored).filter(([, c]) => c);
  if (skipped.length) out.push(`Not scored (not labeled): ${skipped.map(([s, c]) => `${n(c)} ${s}`).join(', ')}.`);
  const u = e.unjoined;
  if (u.predictions || u.truth) {
    out.push(
      `Could not join: ${n(u.predictions)} prediction rows without a truth row${u.predictionKeys.length ? ` (${u.predictionKeys.join(', ')}${u.predictions > u.predictionKeys.length ? ', ...' : ''})` : ''}; ` +
        `${n(u.truth)} truth rows without a prediction${u.truthKeys.length ? ` (${u.truthKeys.join(', ')}${u.truth > u.truthKeys.length ? ', ...' : ''})` : ''}.`,
    );
  } else out.push('Every row joined.');
  if (e.duplicates.predictions || e.duplicates.truth) {
    out.push(`Duplicate keys: ${n(e.duplicates.predictions)} in predictions (each scored), ${n(e.duplicates.truth)} in truth (first kept).`);
  }
  return `${out.join('\n')}\n`;
}

/** Both inputs exist and are files; no output (--json, --metrics-csv, --disagreements) is one of them. */
function checkFiles(predictions: string | undefined, truth: string | undefined, outputs: Record<string, string | undefined>): void {
  checkNotOverwritingInputs([predictions, truth], Object.values(outputs));
  if (predictions !== undefined) checkInputFile(predictions, 'predictions');
  if (truth !== undefined) checkInputFile(truth, 'truth');
  for (const [flag, path] of Object.entries(outputs)) if (path !== undefined) checkOutputPath(path, `${flag} file`);
}

/** Per finding: the confusion counts, and F1 with its bootstrap interval. */
function confusionTable(e: EvaluationResult, width: number): string[] {
  const ci = e.ci;
  const interval = (i: { low: number; high: number } | undefined) => (i ? `${f3(i.low)}–${f3(i.high)}` : '');
  const row = (name: string, c: { tp: number; fp: number; fn: number; tn: number }, f1: number, i?: { low: number; high: number }) =>
    `${name.padEnd(width)}  ${n(c.tp).padStart(6)}  ${n(c.fp).padStart(6)}  ${n(c.fn).padStart(6)}  ${n(c.tn).padStart(7)}  ${f3(f1).padStart(6)}  ${interval(i).padStart(13)}`;
  const r = e.report;
  return [
    `Confusion per finding${ci ? ` and 95% bootstrap interval of F1 (${n(ci.resamples)} resamples, seed ${ci.seed})` : ''}:`,
    `${'finding'.padEnd(width)}  ${'TP'.padStart(6)}  ${'FP'.padStart(6)}  ${'FN'.padStart(6)}  ${'TN'.padStart(7)}  ${'F1'.padStart(6)}  ${'95% CI'.padStart(13)}`,
    ...r.findings.map((f) => row(f.finding, f, f.f1, ci?.findings[f.finding])),
    row('micro', r.micro, r.micro.f1, ci?.micro),
  ];
}

export const evaluate: Command = {
  name: 'evaluate',
  summary: 'score predicted labels against reference labels (precision, recall, F1)',
  help,
  async run(argv) {
    if (taskOf(argv) === 'icd10') return runIcd10(argv);
    const { values } = parseCommandArgs(argv, OPTIONS);
    oneOf(values.task, 'task', ['findings', 'icd10'], 'findings');
    checkFiles(values.predictions, values.truth, { '--json': values.json, '--metrics-csv': values['metrics-csv'], '--disagreements': values.disagreements });
    const pad = values['id-pad'] === undefined ? undefined : positiveInt(values['id-pad'], 'id-pad', 1);
    const transform: IdTransform | undefined =
      values['id-strip-prefix'] || values['id-strip-suffix'] || pad
        ? { stripPrefix: values['id-strip-prefix'], stripSuffix: values['id-strip-suffix'], padTo: pad }
        : undefined;
    const result = await evaluateFiles({
      predictions: required(values.predictions, 'predictions'),
      truth: required(values.truth, 'truth'),
      truthColumn: values['truth-column'],
      predictionColumn: values['prediction-column'],
      join: values.join,
      transform,
      uncertain: oneOf(values.uncertain, 'uncertain', ['negative', 'positive'], 'negative'),
      resamples: values.bootstrap === undefined ? undefined : nonNegativeInt(values.bootstrap, 'bootstrap'),
      seed: values.seed === undefined ? undefined : nonNegativeInt(values.seed, 'seed'),
      allDisagreements: values.disagreements !== undefined,
    });
    const warning = orderWarning(result);
    if (warning) process.stderr.write(`warning: ${warning}\n`);
    if (result.report.rows === 0) {
      process.stderr.write('warning: no row could be scored; check --join and that the files describe the same reports.\n');
    }
    process.stdout.write(formatEvaluation(result));
    if (values.json) await writeFileAtomic(values.json, metricsJson(result));
    if (values['metrics-csv']) await writeFileAtomic(values['metrics-csv'], metricsCsv(result));
    if (values.disagreements) await writeFileAtomic(values.disagreements, disagreementsCsv(result));
    if (values.strict && result.orderCheck?.mismatches) {
      process.stderr.write('evaluate: --strict: the row-order join pairs rows whose ids differ; exit 2.\n');
      return 2;
    }
    return 0;
  },
};
