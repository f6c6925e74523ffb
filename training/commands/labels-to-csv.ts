/**
 * `radreportx labels-to-csv`: turns label JSONL (from `label --engine openai`, or `label --format jsonl`) into
 * the CSV format of `label`, so `evaluate` and the app read weak labels like any other labels. Where an id has
 * several lines (a retried row), the latest wins; rows come out in input order.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { csvLine, idKey } from '../../src/lib/csv/index.ts';
import { EmptyInputError, UsageError } from '../../src/lib/errors.ts';
import { outputColumns, outputRecord } from '../../src/lib/output.ts';
import { TASKS, type LabelResult, type RowStatus, type Task } from '../../src/lib/result.ts';
import { oneOf, parseCommandArgs, required } from '../lib/args.ts';
import { openOutput } from '../lib/atomic.ts';
import type { Command } from '../lib/command.ts';
import { checkInputFile, checkNotOverwritingInputs, checkOutputPath } from '../lib/files.ts';
import { fileSize } from '../lib/csv-stream.ts';

const OPTIONS = {
  input: { type: 'string', short: 'i' },
  output: { type: 'string', short: 'o' },
  task: { type: 'string' },
} as const;


const help = `Usage: radreportx labels-to-csv --input labels.jsonl --output labels.csv [--task TASK]

Turns label JSONL (written by "label --engine openai" or "label --format jsonl") into label's CSV format: the
id columns, findings, status, [icd10], then one column per finding coded 1 / 0 / -1 / blank. When an id has
several lines (rows sent again with --retry-failed), the latest line wins. Rows are written in input order.

Required:
  -i, --input FILE     label JSONL
  -o, --output FILE    CSV to write (written to a temporary file and renamed when complete); - for stdout

Options:
      --task TASK      findings | icd10 | both (default: the task recorded in the lines)

Example:
  radreportx labels-to-csv -i iu-gpt4o.jsonl -o iu-gpt4o.csv
  radreportx evaluate -p iu-gpt4o.csv --truth iu_truth.csv --truth-column findings --join uid
`;

interface Line extends Partial<LabelResult> {
  id?: string;
  row?: number;
  ids?: Record<string, string>;
  task?: Task;
}

interface Kept {
  order: number;
  ids: Record<string, string>;
  result: LabelResult;
}

const STATUSES = new Set<RowStatus>(['ok', 'empty', 'error', 'unparsed']);

export async function labelsToCsv(input: string, output: string, taskOption: Task | undefined, log: (s: string) => void): Promise<{ rows: number; replaced: number; status: Record<RowStatus, number> }> {
  if ((await fileSize(input)) === 0) throw new EmptyInputError(`The file "${input}"`);
  const latest = new Map<string, Kept>();
  const idNames: string[] = [];
  const tasks = new Set<Task>();
  let lineNumber = 0;
  let bad = 0;
  let replaced = 0;
  for await (const text of createInterface({ input: createReadStream(input, { encoding: 'utf8' }), crlfDelay: Infinity })) {
    lineNumber++;
    if (!text.trim()) continue;
    let line: Line;
    try {
      line = JSON.parse(text) as Line;
    } catch {
      if (++bad <= 3) log(`warning: line ${lineNumber} of ${input} is not JSON (cut off by a stopped run?); skipped.`);
      continue;
    }
    if (!line.status || !STATUSES.has(line.status) || !line.findings) {
      if (++bad <= 3) log(`warning: line ${lineNumber} of ${input} is not a label line; skipped.`);
      continue;
    }
    const ids = line.ids ?? {};
    for (const k of Object.keys(ids)) if (!idNames.includes(k)) idNames.push(k);
    const key = line.id ?? (Object.keys(ids).length ? idKey(Object.values(ids)) : `row-${line.row ?? lineNumber}`);
    if (line.task) tasks.add(line.task);
    const previous = latest.get(key);
    if (previous) replaced++;
    // Input order: the row number when the line has one, else the order lines were first seen.
    latest.set(key, { order: line.row ?? previous?.order ?? lineNumber, ids, result: line as LabelResult });
  }
  if (bad > 3) log(`warning: ${bad} lines skipped in all.`);
  if (latest.size === 0) throw new EmptyInputError(`The file "${input}" (no label lines)`);

  let task = taskOption;
  if (!task) {
    if (tasks.size > 1) throw new UsageError(`${input} mixes tasks (${[...tasks].join(', ')}).`, 'Choose the columns with --task findings, icd10 or both.');
    task = tasks.values().next().value ?? 'findings';
  }
  const status: Record<RowStatus, number> = { ok: 0, empty: 0, error: 0, unparsed: 0 };
  const sink = openOutput(output);
  try {
    await sink.write(csvLine(outputColumns(idNames, task)));
    for (const kept of [...latest.values()].sort((a, b) => a.order - b.order)) {
      status[kept.result.status]++;
      await sink.write(csvLine(outputRecord(idNames.map((k) => kept.ids[k] ?? ''), kept.result, task)));
    }
    await sink.commit();
  } catch (e) {
    await sink.abort();
    throw e;
  }
  return { rows: latest.size, replaced, status };
}

export const labelsToCsvCommand: Command = {
  name: 'labels-to-csv',
  summary: 'turn label JSONL (weak labels from label --engine openai) into label CSV',
  help,
  async run(argv) {
    const { values } = parseCommandArgs(argv, OPTIONS);
    const input = required(values.input, 'input');
    const output = required(values.output, 'output');
    const task = values.task === undefined ? undefined : oneOf(values.task, 'task', TASKS, 'findings');
    checkNotOverwritingInputs([input], [output]);
    checkInputFile(input);
    checkOutputPath(output);
    const log = (s: string) => process.stderr.write(`${s}\n`);
    const r = await labelsToCsv(input, output, task, log);
    const n = (x: number) => x.toLocaleString('en-US');
    log(
      `Wrote ${n(r.rows)} rows to ${output === '-' ? 'standard output' : output}: ${n(r.status.ok)} ok, ${n(r.status.error)} failed, ` +
        `${n(r.status.unparsed)} unparsed, ${n(r.status.empty)} empty` +
        (r.replaced ? `; ${n(r.replaced)} earlier lines replaced by later ones for the same id.` : '.'),
    );
    return 0;
  },
};
