/**
 * `radreportx evaluate`: scores predicted findings against reference labels. The numbers come from
 * src/lib/metrics.ts, the same functions the app's Evaluate view uses. `--task icd10` hands the whole command
 * to the ICD-10 evaluator (training/commands/evaluate-icd10.ts).
 */
import type { Finding } from '../../src/lib/findings.ts';
import { MetricsAccumulator, presentFindings, type MetricsReport, type UncertainPolicy } from '../../src/lib/metrics.ts';
import { RadReportXError, UsageError } from '../../src/lib/errors.ts';
import type { RowStatus } from '../../src/lib/result.ts';
import { oneOf, parseCommandArgs, required } from '../lib/args.ts';
import { writeFileAtomic } from '../lib/atomic.ts';
import { checkInputFile, checkNotOverwritingInputs, checkOutputPath } from '../lib/files.ts';
import type { Command } from '../lib/command.ts';
import { openLabelSource, type LabeledRow } from '../lib/label-files.ts';

const OPTIONS = {
  predictions: { type: 'string', short: 'p' },
  truth: { type: 'string' },
  'truth-column': { type: 'string' },
  'prediction-column': { type: 'string' },
  join: { type: 'string' },
  uncertain: { type: 'string' },
  task: { type: 'string' },
  json: { type: 'string' },
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
                            PRED=TRUTH joins differently named columns. Default: by row order.
      --uncertain POLICY    negative (default) | positive: how uncertain (-1) labels count, both sides
      --task TASK           findings (default) | icd10 (ICD-10 codes; see "evaluate --task icd10 --help")
      --json FILE           also write the full report as JSON

Rows the labeler did not label (status empty, error or unparsed) are not scored; they are counted, as are
rows that could not be joined. A ratio with a zero denominator counts as 0. The macro average covers the
findings with support > 0 (they are listed).

Example:
  node ../shared/data/iu-xray/truth.mjs > /tmp/iu_truth.csv
  radreportx label -i ../shared/data/iu-xray/indiana_reports.csv -t findings,impression --id-column uid -o /tmp/iu.csv
  radreportx evaluate -p /tmp/iu.csv --truth /tmp/iu_truth.csv --truth-column findings --join uid
`;

/** The `--task` value in argv, read before full parsing because `icd10` has options of its own. */
function taskOf(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--task') return argv[i + 1];
    if (argv[i].startsWith('--task=')) return argv[i].slice('--task='.length);
  }
  return undefined;
}

interface IcdEvaluateModule {
  runIcd10Evaluate(argv: string[]): Promise<number>;
}

async function runIcd10(argv: string[]): Promise<number> {
  // A variable specifier: the module belongs to the ICD-10 area and is loaded only for --task icd10.
  const specifier = './evaluate-icd10.ts';
  let module: IcdEvaluateModule;
  try {
    module = (await import(specifier)) as IcdEvaluateModule;
  } catch (e) {
    throw new RadReportXError('ExternalTool', `ICD-10 evaluation is not available: ${(e as Error).message}`);
  }
  return module.runIcd10Evaluate(argv);
}

export interface EvaluationResult {
  report: MetricsReport;
  uncertain: UncertainPolicy;
  join: string | null;
  truthFormat: string;
  predictionFormat: string;
  /** Prediction rows left out because they were not labeled, by status. */
  notScored: Partial<Record<RowStatus, number>>;
  unjoined: { predictions: number; truth: number; predictionKeys: string[]; truthKeys: string[] };
  duplicates: { predictions: number; truth: number };
}

export interface EvaluateOptions {
  predictions: string;
  truth: string;
  truthColumn?: string;
  predictionColumn?: string;
  join?: string;
  uncertain: UncertainPolicy;
}

const SHOW_KEYS = 10;

export async function evaluateFiles(o: EvaluateOptions): Promise<EvaluationResult> {
  const [predJoin, truthJoin] = o.join?.includes('=') ? o.join.split('=', 2).map((s) => s.trim()) : [o.join, o.join];
  const truthSource = await openLabelSource(o.truth, { role: 'truth', join: truthJoin, namesColumn: o.truthColumn });
  const truth = new Map<string, LabeledRow>();
  let truthDuplicates = 0;
  let truthUnreadable = 0;
  for await (const row of truthSource.rows) {
    if (row.status === 'error') {
      truthUnreadable++;
      continue;
    }
    if (truth.has(row.key)) truthDuplicates++;
    else truth.set(row.key, row);
  }

  const predSource = await openLabelSource(o.predictions, { role: 'predictions', join: predJoin, namesColumn: o.predictionColumn });
  const scored: Finding[] = truthSource.covers.filter((f) => predSource.covers.includes(f));
  if (scored.length === 0) throw new UsageError('The predictions and the truth have no finding in common to score.');
  const acc = new MetricsAccumulator(scored);
  const notScored: Partial<Record<RowStatus, number>> = {};
  const matched = new Set<string>();
  const unjoinedPredictions: string[] = [];
  let unjoinedPredictionCount = 0;
  let predictionDuplicates = 0;
  const seen = new Set<string>();
  for await (const row of predSource.rows) {
    if (seen.has(row.key)) predictionDuplicates++;
    seen.add(row.key);
    const reference = truth.get(row.key);
    if (!reference) {
      unjoinedPredictionCount++;
      if (unjoinedPredictions.length < SHOW_KEYS) unjoinedPredictions.push(row.key);
      continue;
    }
    matched.add(row.key);
    if (row.status !== undefined && row.status !== 'ok') {
      notScored[row.status] = (notScored[row.status] ?? 0) + 1;
      continue;
    }
    acc.add(presentFindings(reference.findings, o.uncertain), presentFindings(row.findings, o.uncertain));
  }
  const truthKeys = [...truth.keys()].filter((k) => !matched.has(k));
  return {
    report: acc.report(),
    uncertain: o.uncertain,
    join: o.join ?? null,
    truthFormat: `${truthSource.describe}${truthUnreadable ? ` (${truthUnreadable} malformed rows skipped)` : ''}`,
    predictionFormat: predSource.describe,
    notScored,
    unjoined: {
      predictions: unjoinedPredictionCount,
      truth: truthKeys.length,
      predictionKeys: unjoinedPredictions,
      truthKeys: truthKeys.slice(0, SHOW_KEYS),
    },
    duplicates: { predictions: predictionDuplicates, truth: truthDuplicates },
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
    `Scored ${n(r.rows)} rows (${e.join ? `joined on ${e.join}` : 'joined by row order'}; uncertain counted as ${e.uncertain}).`,
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

/** Both inputs exist and are files; the --json report is neither of them. */
export function checkFiles(predictions: string | undefined, truth: string | undefined, json: string | undefined): void {
  checkNotOverwritingInputs([predictions, truth], [json]);
  if (predictions !== undefined) checkInputFile(predictions, 'predictions');
  if (truth !== undefined) checkInputFile(truth, 'truth');
  if (json !== undefined) checkOutputPath(json, '--json report');
}

export const evaluate: Command = {
  name: 'evaluate',
  summary: 'score predicted labels against reference labels (precision, recall, F1)',
  help,
  async run(argv) {
    if (taskOf(argv) === 'icd10') return runIcd10(argv);
    const { values } = parseCommandArgs(argv, OPTIONS);
    oneOf(values.task, 'task', ['findings', 'icd10'], 'findings');
    checkFiles(values.predictions, values.truth, values.json);
    const result = await evaluateFiles({
      predictions: required(values.predictions, 'predictions'),
      truth: required(values.truth, 'truth'),
      truthColumn: values['truth-column'],
      predictionColumn: values['prediction-column'],
      join: values.join,
      uncertain: oneOf(values.uncertain, 'uncertain', ['negative', 'positive'], 'negative'),
    });
    if (result.report.rows === 0) {
      process.stderr.write('warning: no row could be scored; check --join and that the files describe the same reports.\n');
    }
    process.stdout.write(formatEvaluation(result));
    if (values.json) await writeFileAtomic(values.json, `${JSON.stringify(result, null, 2)}\n`);
    return 0;
  },
};
