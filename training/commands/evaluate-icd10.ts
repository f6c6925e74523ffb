/**
 * `radreportx evaluate --task icd10`: scores predicted ICD-10 items against reference items. Both files are JSONL,
 * one report per line, with an id and an `icd10` list of {phrase, code, start?, end?} (the `label --task icd10`
 * output is one such file). The numbers come from src/lib/icd10/metrics.ts.
 */
import { readFile } from 'node:fs/promises';
import { UsageError } from '../../src/lib/errors.ts';
import { icd10Metrics, type Icd10Metrics, type Icd10Reference, type PrF1, type ReportPair } from '../../src/lib/icd10/metrics.ts';
import { HelpRequested, oneOf, parseCommandArgs, required } from '../lib/args.ts';
import { writeFileAtomic } from '../lib/atomic.ts';
import { checkInputFile, checkNotOverwritingInputs, checkOutputPath } from '../lib/files.ts';

const OPTIONS = {
  task: { type: 'string' },
  predictions: { type: 'string', short: 'p' },
  truth: { type: 'string' },
  join: { type: 'string' },
  json: { type: 'string' },
} as const;

export const ICD10_EVALUATE_HELP = `Usage: radreportx evaluate --task icd10 --predictions p.jsonl --truth t.jsonl [--join id] [--json out.json]

Scores predicted ICD-10-CM items against reference items, micro-averaged over reports:
  code       precision / recall / F1 of the set of codes per report (codes compared with their dot, upper case)
  category   the same at the 3-character category level (J98.11 and J98.19 both count as J98)
  phrase     a predicted phrase matches a reference phrase when their spans overlap and their codes agree
             (each reference phrase matched once); items without offsets match when one phrase contains the
             other, case and spacing aside

Required:
  -p, --predictions FILE    JSONL, one report per line: {"id": ..., "icd10": [{"phrase", "code", "start"?, "end"?}]}
                            (label --task icd10|both -o x.jsonl writes this, with the id under "ids")
      --truth FILE          JSONL in the same shape

Options:
      --join KEY            join lines on this id (a top-level key or a key of "ids"); PRED=TRUTH joins differently
                            named keys. Default: by line order.
      --json FILE           also write the metrics as JSON
      --task icd10          selects this evaluator

Prediction lines whose "status" is not "ok" (empty, error, unparsed) are not scored; they are counted, as are
lines that could not be joined. A ratio with a zero denominator is shown as n/a (null in JSON).

Example:
  radreportx label -i reports.csv -t report --id-column id --task icd10 -o pred.jsonl
  radreportx evaluate --task icd10 -p pred.jsonl --truth truth.jsonl --join id --json icd10-metrics.json
`;

export interface Icd10FileRow {
  key: string;
  line: number;
  /** Undefined for a prediction line that was not labeled (status other than ok). */
  items?: Icd10Reference[];
  status?: string;
}

function asItems(value: unknown, where: string): Icd10Reference[] {
  if (!Array.isArray(value)) throw new UsageError(`${where} has no "icd10" list.`, 'Each line needs "icd10": [{"phrase": ..., "code": ...}].');
  return value.map((item, i) => {
    const o = item as Record<string, unknown> | null;
    if (!o || typeof o !== 'object' || typeof o.code !== 'string') {
      throw new UsageError(`${where}: icd10[${i}] has no "code" text.`);
    }
    const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
    // A code listed once with several phrases (`supporting`, as the rule engine writes it) scores each phrase.
    const supporting = Array.isArray(o.supporting)
      ? (o.supporting as Array<Record<string, unknown>>).filter((x) => x && typeof x === 'object').map((x) => ({ phrase: typeof x.text === 'string' ? x.text : undefined, start: num(x.start), end: num(x.end) }))
      : undefined;
    return { code: o.code, phrase: typeof o.phrase === 'string' ? o.phrase : undefined, start: num(o.start), end: num(o.end), ...(supporting?.length ? { supporting } : {}) };
  });
}

/** Reads one JSONL file of ICD-10 items; every problem names the file and line. */
export async function readIcd10Jsonl(path: string, joinKey: string | undefined, role: 'predictions' | 'truth'): Promise<Icd10FileRow[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(code === 'ENOENT' ? `The ${role} file "${path}" does not exist.` : `Cannot read the ${role} file "${path}": ${(e as Error).message}`);
  }
  const rows: Icd10FileRow[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    if (!raw.trim()) return;
    const where = `Line ${line} of "${path}"`;
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      throw new UsageError(`${where} is not valid JSON.`, 'The file must be JSONL: one JSON object per line.');
    }
    if (!record || typeof record !== 'object' || Array.isArray(record)) throw new UsageError(`${where} is not a JSON object.`);
    let key = String(rows.length);
    if (joinKey !== undefined) {
      const ids = (record.ids ?? {}) as Record<string, unknown>;
      const value = ids[joinKey] ?? record[joinKey];
      if (value === undefined || value === null || value === '') throw new UsageError(`${where} has no "${joinKey}" id to join on.`);
      key = String(value);
    }
    const status = typeof record.status === 'string' ? record.status : undefined;
    if (role === 'predictions' && status !== undefined && status !== 'ok') rows.push({ key, line, status });
    else rows.push({ key, line, status, items: asItems(record.icd10, where) });
  });
  if (!rows.length) throw new UsageError(`The ${role} file "${path}" has no lines.`);
  return rows;
}

export interface Icd10Evaluation {
  metrics: Icd10Metrics;
  join: string | null;
  /** Prediction lines not scored, by status. */
  notScored: Record<string, number>;
  unjoined: { predictions: number; truth: number };
  duplicates: { predictions: number; truth: number };
}

/** Joins predictions to truth (first line of a duplicated key wins) and computes the metrics. */
export function evaluateIcd10Rows(predictions: readonly Icd10FileRow[], truth: readonly Icd10FileRow[], join: string | null): Icd10Evaluation {
  const byKey = <T extends Icd10FileRow>(rows: readonly T[]) => {
    const map = new Map<string, T>();
    let duplicates = 0;
    for (const r of rows) (map.has(r.key) ? duplicates++ : map.set(r.key, r));
    return { map, duplicates };
  };
  const p = byKey(predictions);
  const t = byKey(truth);
  const pairs: ReportPair[] = [];
  const notScored: Record<string, number> = {};
  let unjoinedTruth = 0;
  for (const [key, truthRow] of t.map) {
    const pred = p.map.get(key);
    if (!pred) {
      unjoinedTruth++;
      continue;
    }
    if (!pred.items) {
      const s = pred.status ?? 'unknown';
      notScored[s] = (notScored[s] ?? 0) + 1;
      continue;
    }
    pairs.push({ predicted: pred.items, truth: truthRow.items ?? [] });
  }
  const unjoinedPredictions = [...p.map.keys()].filter((k) => !t.map.has(k)).length;
  return {
    metrics: icd10Metrics(pairs),
    join,
    notScored,
    unjoined: { predictions: unjoinedPredictions, truth: unjoinedTruth },
    duplicates: { predictions: p.duplicates, truth: t.duplicates },
  };
}

const ratio = (v: number | null) => (v === null ? 'n/a' : v.toFixed(3));

export function formatIcd10Evaluation(e: Icd10Evaluation): string {
  const rows: [string, PrF1][] = [
    ['code', e.metrics.code],
    ['category', e.metrics.category],
    ['phrase', e.metrics.phrase],
  ];
  const out = [
    `ICD-10 evaluation: ${e.metrics.reports} reports scored (${e.join ? `joined on ${e.join}` : 'joined by line order'}).`,
    '',
    `${'level'.padEnd(10)}${'tp'.padStart(7)}${'fp'.padStart(7)}${'fn'.padStart(7)}${'precision'.padStart(11)}${'recall'.padStart(9)}${'f1'.padStart(8)}`,
    ...rows.map(([name, m]) =>
      `${name.padEnd(10)}${String(m.tp).padStart(7)}${String(m.fp).padStart(7)}${String(m.fn).padStart(7)}${ratio(m.precision).padStart(11)}${ratio(m.recall).padStart(9)}${ratio(m.f1).padStart(8)}`,
    ),
    '',
  ];
  const skipped = Object.entries(e.notScored);
  if (skipped.length) out.push(`Not scored (not labeled): ${skipped.map(([s, n]) => `${n} ${s}`).join(', ')}.`);
  if (e.unjoined.predictions || e.unjoined.truth) {
    out.push(`Could not join: ${e.unjoined.predictions} prediction lines without a truth line; ${e.unjoined.truth} truth lines without a prediction.`);
  } else out.push('Every line joined.');
  if (e.duplicates.predictions || e.duplicates.truth) {
    out.push(`Duplicate ids (first kept): ${e.duplicates.predictions} in predictions, ${e.duplicates.truth} in truth.`);
  }
  return `${out.join('\n')}\n`;
}

// Help is handled here: the runner would print the findings evaluator's help, not this one.
function parseOrHelp(argv: string[]) {
  try {
    return parseCommandArgs(argv, OPTIONS);
  } catch (e) {
    if (e instanceof HelpRequested) return undefined;
    throw e;
  }
}

/** Entry point `evaluate` hands `--task icd10` to, with the whole argv. Resolves to the exit code. */
export async function runIcd10Evaluate(argv: string[]): Promise<number> {
  const parsed = parseOrHelp(argv);
  if (!parsed) {
    process.stdout.write(ICD10_EVALUATE_HELP);
    return 0;
  }
  const { values } = parsed;
  oneOf(values.task, 'task', ['icd10'], 'icd10');
  const predictionsPath = required(values.predictions, 'predictions');
  const truthPath = required(values.truth, 'truth');
  checkNotOverwritingInputs([predictionsPath, truthPath], [values.json]);
  checkInputFile(predictionsPath, 'predictions');
  checkInputFile(truthPath, 'truth');
  if (values.json) checkOutputPath(values.json, '--json report');
  const join = values.join?.trim() || null;
  const [predJoin, truthJoin] = join?.includes('=') ? join.split('=', 2).map((s) => s.trim()) : [join ?? undefined, join ?? undefined];
  const predictions = await readIcd10Jsonl(predictionsPath, predJoin, 'predictions');
  const truth = await readIcd10Jsonl(truthPath, truthJoin, 'truth');
  process.stderr.write(`Read ${predictions.length} prediction lines and ${truth.length} truth lines.\n`);
  const evaluation = evaluateIcd10Rows(predictions, truth, join);
  if (evaluation.metrics.reports === 0) {
    process.stderr.write('warning: no report could be scored; check --join and that the files describe the same reports.\n');
  }
  process.stdout.write(formatIcd10Evaluation(evaluation));
  if (values.json) await writeFileAtomic(values.json, `${JSON.stringify(evaluation, null, 2)}\n`);
  return 0;
}
