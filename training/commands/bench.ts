/**
 * `radreportx bench`: speed and memory of the rule engine, alone (reports/s, MB/s on one core) or through the
 * real `label` command on a generated CSV (rows/s and peak memory of the whole streaming path).
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { csvLine, layoutFor, prepareRow } from '../../src/lib/csv/index.ts';
import { EmptyInputError, RadReportXError, UsageError } from '../../src/lib/errors.ts';
import { TASKS, type RowStatus, type Task } from '../../src/lib/result.ts';
import { generateReports, reportStream } from '../../src/lib/synthetic.ts';
import { oneOf, parseCommandArgs, positiveInt } from '../lib/args.ts';
import { writeFileAtomic } from '../lib/atomic.ts';
import { checkInputFile, checkNotOverwritingInputs, checkOutputPath } from '../lib/files.ts';
import type { Command } from '../lib/command.ts';
import { readCsvRows } from '../lib/csv-stream.ts';
import type { LabelSummary } from '../lib/label-csv.ts';
import { benchJobs, benchJobsInMemory, formatJobsBench, formatJobsInMemory } from '../lib/parallel/bench.ts';

const OPTIONS = {
  input: { type: 'string', short: 'i' },
  'text-column': { type: 'string', short: 't' },
  rows: { type: 'string', short: 'n' },
  seed: { type: 'string' },
  'label-path': { type: 'boolean' },
  check: { type: 'boolean' },
  json: { type: 'string' },
  task: { type: 'string' },
  jobs: { type: 'string', short: 'j' },
  repeat: { type: 'string' },
  'id-column': { type: 'string' },
  'in-memory': { type: 'boolean' },
} as const;

/** Targets from the project brief: the engine alone on one core, and the whole label path's memory. */
export const TARGETS = { engineReportsPerSecond: 10_000, labelPeakRssMb: 300 };

const help = `Usage: radreportx bench [--input FILE --text-column NAMES] [--rows N] [--label-path] [options]

Measures the rule engine. By default it labels N generated chest X-ray reports (~600 characters each, the
same reports for the same --seed) in this process and reports reports/s, MB/s and peak memory (one core).

Options:
  -i, --input FILE          benchmark on the reports of this CSV instead (needs --text-column)
  -t, --text-column NAMES   text column(s) of --input, as for label (e.g. findings,impression)
  -n, --rows N              reports to label (default 20000; with --input, all rows unless given; 200k ok)
      --seed N              seed of the generated corpus (default 1)
      --task TASK           findings (default) | icd10 | both: what the engine labels (the speed target is for findings)
      --label-path          write a generated CSV of N rows (default 200000) and run the real "label"
                            command on it in a child process: rows/s and its peak memory (target < ${TARGETS.labelPeakRssMb} MB)
  -j, --jobs N              run the real "label" command with --jobs 1, 2, ..., N on the same file (--input, or a
                            generated CSV of --rows rows, default 200000): rows/s, speed-up over one thread, peak
                            RSS, whether every run wrote the same bytes, and the load average
      --in-memory           with --jobs: what threads alone can give on these reports: read them into memory,
                            then 1, 2, ..., N fresh worker threads label them (no CSV, no output file); where
                            this shows no speed-up, label --jobs cannot show one either
      --repeat R            with --jobs: run the whole series R times (alternating) and keep each count's fastest
      --id-column NAMES     with --jobs and --input: id column(s) to copy into the output
      --check               exit with status 1 when a target is missed (engine >= ${TARGETS.engineReportsPerSecond.toLocaleString('en-US')} reports per
                            CPU-second, so a busy machine does not fail it; memory as above)
      --json FILE           also write the figures as JSON

Examples:
  radreportx bench --rows 50000
  radreportx bench -i ../shared/data/iu-xray/indiana_reports.csv -t findings,impression
  radreportx bench --label-path --rows 200000
  radreportx bench --jobs 2 --rows 200000 --repeat 3
  radreportx bench --jobs 2 -i ../shared/data/iu-xray/indiana_reports.csv -t findings,impression --id-column uid
  radreportx bench --jobs 2 --in-memory -i ../shared/data/iu-xray/indiana_reports.csv -t findings,impression
`;

export interface EngineBench {
  mode: 'engine';
  corpus: string;
  task: Task;
  reports: number;
  megabytes: number;
  seconds: number;
  reportsPerSecond: number;
  megabytesPerSecond: number;
  /** CPU time of the timed loop; reports per CPU-second stays steady when other programs share the cores. */
  cpuSeconds: number;
  reportsPerCpuSecond: number;
  peakRssMb: number;
  status: Record<RowStatus, number>;
  /** Judged for task `findings` only; other tasks always count as met. */
  target: { reportsPerSecond: number; met: boolean };
}

export interface LabelPathBench {
  mode: 'label-path';
  rows: number;
  csvMegabytes: number;
  seconds: number;
  rowsPerSecond: number;
  megabytesPerSecond: number;
  cpuSeconds: number;
  rowsPerCpuSecond: number;
  peakRssMb: number;
  target: { peakRssMb: number; met: boolean };
}

async function loadTexts(path: string, textColumn: string, limit: number): Promise<string[]> {
  const rows = readCsvRows(path);
  const first = await rows.next();
  if (first.done) throw new EmptyInputError(`The file "${path}"`);
  const header = first.value;
  const layout = layoutFor(header, textColumn);
  const texts: string[] = [];
  let row = 0;
  for await (const fields of rows) {
    const prepared = prepareRow(fields, layout, ++row);
    if (prepared.ok) texts.push(prepared.text);
    if (texts.length >= limit) break;
  }
  return texts;
}

/** The reports a bench labels from memory: --input's (all rows, or --rows), else `generatedRows` generated ones. */
async function benchReports(values: { input?: string; 'text-column'?: string; rows?: string }, seed: number, generatedRows: number): Promise<{ texts: string[]; corpus: string }> {
  if (!values.input) return { texts: generateReports(positiveInt(values.rows, 'rows', generatedRows), seed), corpus: `generated reports (seed ${seed})` };
  if (!values['text-column']) throw new UsageError('--input needs --text-column to know where the reports are.');
  const texts = await loadTexts(values.input, values['text-column'], positiveInt(values.rows, 'rows', Number.MAX_SAFE_INTEGER));
  if (texts.length === 0) throw new EmptyInputError(`The file "${values.input}" (no readable rows)`);
  return { texts, corpus: `"${values.input}"` };
}

export async function benchEngine(texts: readonly string[], corpus: string, task: Task = 'findings'): Promise<EngineBench> {
  const { labelReport } = await import('../../src/lib/rules/engine.ts');
  const options = { task };
  const status: Record<RowStatus, number> = { ok: 0, empty: 0, error: 0, unparsed: 0 };
  // Warm-up lets the JIT compile the hot paths, as it would be in any long run.
  for (let i = 0; i < Math.min(500, texts.length); i++) labelReport(texts[i], options);
  const bytes = texts.reduce((sum, t) => sum + Buffer.byteLength(t), 0);
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  for (const text of texts) status[labelReport(text, options).status]++;
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const reportsPerSecond = texts.length / Math.max(seconds, 1e-9);
  const perCpuSecond = texts.length / Math.max(cpuSeconds, 1e-9);
  return {
    mode: 'engine',
    corpus,
    task,
    reports: texts.length,
    megabytes: bytes / 1e6,
    seconds,
    reportsPerSecond,
    megabytesPerSecond: bytes / 1e6 / Math.max(seconds, 1e-9),
    cpuSeconds,
    reportsPerCpuSecond: perCpuSecond,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    status,
    // Judged per CPU-second (what one idle core does), so a busy shared machine does not fail the check.
    target: { reportsPerSecond: TARGETS.engineReportsPerSecond, met: task !== 'findings' || perCpuSecond >= TARGETS.engineReportsPerSecond },
  };
}

/** Writes `rows` generated reports as `id,report` CSV without holding them in memory. */
export async function writeSyntheticCsv(path: string, rows: number, seed: number): Promise<void> {
  const out = createWriteStream(path);
  const reports = reportStream(seed);
  out.write(csvLine(['id', 'report']));
  for (let i = 1; i <= rows; i++) {
    if (!out.write(csvLine([`r${i}`, reports.next().value]))) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

const CLI = fileURLToPath(new URL('../cli.ts', import.meta.url));

export async function benchLabelPath(rows: number, seed: number): Promise<LabelPathBench> {
  const dir = await mkdtemp(join(tmpdir(), 'radreportx-bench-'));
  try {
    const input = join(dir, 'reports.csv');
    await writeSyntheticCsv(input, rows, seed);
    const stats = join(dir, 'stats.json');
    // A child process, so its peak memory is the label path's own and not this process's corpus generation. One
    // thread, so the figure (and its memory target) means the same on any machine; bench --jobs measures threads.
    const args = ['--import', 'tsx', CLI, 'label', '-i', input, '-t', 'report', '--id-column', 'id', '-o', join(dir, 'labels.csv'), '--quiet', '--stats', stats, '--jobs', '1'];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const [code] = (await once(child, 'close')) as [number | null];
    if (code !== 0) throw new RadReportXError('ExternalTool', `The label run failed (exit ${code}): ${stderr.trim()}`);
    const s = JSON.parse(await readFile(stats, 'utf8')) as LabelSummary;
    return {
      mode: 'label-path',
      rows: s.rows,
      csvMegabytes: s.bytes / 1e6,
      seconds: s.seconds,
      rowsPerSecond: s.rowsPerSecond,
      megabytesPerSecond: s.megabytesPerSecond,
      cpuSeconds: s.cpuSeconds,
      rowsPerCpuSecond: s.rowsPerCpuSecond,
      peakRssMb: s.peakRssMb,
      target: { peakRssMb: TARGETS.labelPeakRssMb, met: s.peakRssMb < TARGETS.labelPeakRssMb },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const n = (x: number) => Math.round(x).toLocaleString('en-US');

export function formatBench(b: EngineBench | LabelPathBench): string {
  if (b.mode === 'engine') {
    return [
      `Rule engine (task ${b.task}) on ${b.corpus}: ${n(b.reports)} reports, ${b.megabytes.toFixed(1)} MB, one core.`,
      `  ${n(b.reportsPerSecond)} reports/s, ${b.megabytesPerSecond.toFixed(2)} MB/s, ${b.seconds.toFixed(2)} s, peak RSS ${n(b.peakRssMb)} MB`,
      `  ${n(b.reportsPerCpuSecond)} reports per CPU-second (${b.cpuSeconds.toFixed(2)} CPU-s; the steadier figure on a shared machine)`,
      `  status: ${Object.entries(b.status).filter(([, c]) => c).map(([s, c]) => `${n(c)} ${s}`).join(', ')}`,
      b.task === 'findings'
        ? `  target >= ${n(b.target.reportsPerSecond)} reports per CPU-second on one core: ${b.target.met ? 'met' : 'MISSED'}`
        : '  (the speed target is for the findings task)',
      '',
    ].join('\n');
  }
  return [
    `label --engine rules on a generated CSV: ${n(b.rows)} rows, ${b.csvMegabytes.toFixed(1)} MB.`,
    `  ${n(b.rowsPerSecond)} rows/s, ${b.megabytesPerSecond.toFixed(2)} MB/s, ${b.seconds.toFixed(1)} s, peak RSS ${n(b.peakRssMb)} MB`,
    `  ${n(b.rowsPerCpuSecond)} rows per CPU-second (${b.cpuSeconds.toFixed(1)} CPU-s, all threads)`,
    `  target peak RSS < ${n(b.target.peakRssMb)} MB: ${b.target.met ? 'met' : 'MISSED'}`,
    '',
  ].join('\n');
}

export const bench: Command = {
  name: 'bench',
  summary: 'measure the rule engine: reports/s, MB/s, peak memory',
  help,
  async run(argv) {
    const { values } = parseCommandArgs(argv, OPTIONS);
    const seed = positiveInt(values.seed, 'seed', 1);
    const task = oneOf(values.task, 'task', TASKS, 'findings');
    checkNotOverwritingInputs([values.input], [values.json]);
    if (values.input) checkInputFile(values.input);
    if (values.json) checkOutputPath(values.json, '--json report');
    if (values['in-memory'] && values.jobs === undefined) throw new UsageError('--in-memory goes with --jobs N.');
    if (values.jobs !== undefined) return values['in-memory'] ? runInMemoryBench(values, seed, task) : runJobsBench(values, seed);
    let result: EngineBench | LabelPathBench;
    if (values['label-path']) {
      if (values.input) throw new UsageError('--label-path generates its own CSV; leave out --input.');
      result = await benchLabelPath(positiveInt(values.rows, 'rows', 200_000), seed);
    } else {
      const { texts, corpus } = await benchReports(values, seed, 20_000);
      result = await benchEngine(texts, corpus, task);
    }
    process.stdout.write(formatBench(result));
    if (values.json) await writeFileAtomic(values.json, `${JSON.stringify(result, null, 2)}\n`);
    return values.check && !result.target.met ? 1 : 0;
  },
};

/** `bench --jobs N`: the label command's scaling over threads (training/lib/parallel/bench.ts). */
async function runJobsBench(values: { jobs?: string; repeat?: string; rows?: string; input?: string; 'text-column'?: string; 'id-column'?: string; json?: string; check?: boolean; 'label-path'?: boolean }, seed: number): Promise<number> {
  if (values['label-path']) throw new UsageError('--jobs already runs the whole label path; leave out --label-path.');
  const maxJobs = positiveInt(values.jobs, 'jobs', 2);
  const repeat = positiveInt(values.repeat, 'repeat', 1);
  const dir = await mkdtemp(join(tmpdir(), 'radreportx-bench-'));
  try {
    let options;
    if (values.input) {
      if (!values['text-column']) throw new UsageError('--input needs --text-column to know where the reports are.');
      options = { input: values.input, textColumn: values['text-column'], idColumn: values['id-column'], corpus: `"${values.input}"` };
    } else {
      const rows = positiveInt(values.rows, 'rows', 200_000);
      const input = join(dir, 'reports.csv');
      await writeSyntheticCsv(input, rows, seed);
      options = { input, textColumn: 'report', idColumn: 'id', corpus: `a generated CSV (seed ${seed})` };
    }
    const result = await benchJobs({ ...options, maxJobs, repeat });
    process.stdout.write(formatJobsBench(result));
    if (values.json) await writeFileAtomic(values.json, `${JSON.stringify(result, null, 2)}\n`);
    const met = result.identical && result.best.every((r) => r.peakRssMb < JOBS_PEAK_RSS_MB);
    return values.check && !met ? 1 : 0;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** `bench --jobs N --in-memory`: worker threads alone on reports read into memory (training/lib/parallel/bench.ts). */
async function runInMemoryBench(values: { jobs?: string; repeat?: string; rows?: string; input?: string; 'text-column'?: string; json?: string; check?: boolean; 'label-path'?: boolean }, seed: number, task: Task): Promise<number> {
  if (values['label-path']) throw new UsageError('--in-memory labels reports from memory; leave out --label-path.');
  const maxJobs = positiveInt(values.jobs, 'jobs', 2);
  const repeat = positiveInt(values.repeat, 'repeat', 1);
  const { texts, corpus } = await benchReports(values, seed, 200_000);
  const result = await benchJobsInMemory(texts, corpus, maxJobs, repeat, task);
  process.stdout.write(formatJobsInMemory(result));
  if (values.json) await writeFileAtomic(values.json, `${JSON.stringify(result, null, 2)}\n`);
  return values.check && !result.identical ? 1 : 0;
}

/** Peak memory allowed for label with several threads (each thread holds its own engine tables). */
const JOBS_PEAK_RSS_MB = 400;
