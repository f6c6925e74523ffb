/**
 * `bench --jobs N`: the whole `label` command at 1, 2, ..., N threads on the same file, back to back in one run
 * (a shared machine's load moves between runs far less than between sessions), each in its own child process so
 * its peak memory is its own. It reports rows/s, the speed-up over one thread and peak RSS, checks that every
 * run wrote the same bytes, and prints the load average, without which a ratio on a shared machine means little.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { RadReportXError } from '../../../src/lib/errors.ts';
import type { Task } from '../../../src/lib/result.ts';
import type { LabelRun } from '../../engines.ts';
import type { LabelSummary } from '../label-csv.ts';
import type { Batch, RowItem } from './batch.ts';
import { WorkerSet, type WorkerMessage } from './pool.ts';

const CLI = fileURLToPath(new URL('../../cli.ts', import.meta.url));

export interface JobsRun {
  jobs: number;
  /** label's own figure: rows over the time from opening the input to the rename. */
  rowsPerSecond: number;
  seconds: number;
  /** The whole process, start to exit (Node and module loading included). */
  processSeconds: number;
  cpuSeconds: number;
  peakRssMb: number;
  sha256: string;
}

export interface JobsBench {
  mode: 'jobs';
  corpus: string;
  rows: number;
  megabytes: number;
  /** Every run, in the order they ran. */
  runs: JobsRun[];
  /** Per thread count, the fastest of its repeats, and its speed-up over one thread. */
  best: (JobsRun & { speedup: number })[];
  identical: boolean;
  loadAverage: { before: number[]; after: number[] };
  cores: number;
}

async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function labelOnce(input: string, textColumn: string, idColumn: string | undefined, jobs: number, dir: string): Promise<JobsRun> {
  const stats = join(dir, `stats-${jobs}.json`);
  const output = join(dir, `labels-${jobs}.csv`);
  const args = ['--import', 'tsx', CLI, 'label', '-i', input, '-t', textColumn, ...(idColumn ? ['--id-column', idColumn] : []), '-o', output, '--jobs', String(jobs), '--quiet', '--stats', stats];
  const start = performance.now();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const [code] = (await once(child, 'close')) as [number | null];
  const processSeconds = (performance.now() - start) / 1000;
  if (code !== 0) throw new RadReportXError('ExternalTool', `The label run with --jobs ${jobs} failed (exit ${code}): ${stderr.trim()}`);
  const s = JSON.parse(await readFile(stats, 'utf8')) as LabelSummary;
  const run: JobsRun = { jobs, rowsPerSecond: s.rowsPerSecond, seconds: s.seconds, processSeconds, cpuSeconds: s.cpuSeconds, peakRssMb: s.peakRssMb, sha256: await sha256(output) };
  await rm(output, { force: true });
  return run;
}

export interface JobsBenchOptions {
  input: string;
  textColumn: string;
  idColumn?: string;
  corpus: string;
  maxJobs: number;
  repeat: number;
}

/** For 1..maxJobs threads, the fastest of the runs and its speed-up over one thread (every run labels the same rows). */
function bestPerThreadCount<R extends { jobs: number; rowsPerSecond: number }>(runs: readonly R[], maxJobs: number): (R & { speedup: number })[] {
  const fastest = (jobs: number) => runs.filter((r) => r.jobs === jobs).reduce((a, b) => (b.rowsPerSecond > a.rowsPerSecond ? b : a));
  const one = fastest(1);
  return Array.from({ length: maxJobs }, (_, i) => {
    const b = fastest(i + 1);
    return { ...b, speedup: b.rowsPerSecond / one.rowsPerSecond };
  });
}

const formatLoad = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');

export async function benchJobs(o: JobsBenchOptions): Promise<JobsBench> {
  const dir = await mkdtemp(join(tmpdir(), 'radreportx-bench-jobs-'));
  try {
    const before = loadavg();
    const runs: JobsRun[] = [];
    let rows = 0;
    let megabytes = 0;
    for (let r = 0; r < o.repeat; r++) {
      for (let jobs = 1; jobs <= o.maxJobs; jobs++) {
        runs.push(await labelOnce(o.input, o.textColumn, o.idColumn, jobs, dir));
        if (!rows) {
          const s = JSON.parse(await readFile(join(dir, `stats-${jobs}.json`), 'utf8')) as LabelSummary;
          rows = s.rows;
          megabytes = s.bytes / 1e6;
        }
      }
    }
    const after = loadavg();
    return {
      mode: 'jobs',
      corpus: o.corpus,
      rows,
      megabytes,
      runs,
      best: bestPerThreadCount(runs, o.maxJobs),
      identical: runs.every((r) => r.sha256 === runs[0].sha256),
      loadAverage: { before, after },
      cores: availableParallelism(),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function formatJobsBench(b: JobsBench): string {
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  return [
    `label --jobs 1..${b.best.length} on ${b.corpus}: ${n(b.rows)} rows, ${b.megabytes.toFixed(1)} MB; ${b.cores} cores; ` +
      `load average ${formatLoad(b.loadAverage.before)} before, ${formatLoad(b.loadAverage.after)} after.`,
    '  jobs  rows/s    speed-up  seconds  process s  CPU s  cores used  rows/CPU-s  peak RSS',
    ...b.best.map((r) =>
      `  ${String(r.jobs).padStart(4)}  ${n(r.rowsPerSecond).padStart(8)}  ${r.speedup.toFixed(2).padStart(7)}x  ${r.seconds.toFixed(2).padStart(7)}  ` +
      `${r.processSeconds.toFixed(2).padStart(9)}  ${r.cpuSeconds.toFixed(2).padStart(5)}  ${(r.cpuSeconds / r.seconds).toFixed(2).padStart(10)}  ` +
      `${n(b.rows / r.cpuSeconds).padStart(10)}  ${n(r.peakRssMb).padStart(5)} MB`),
    // On a shared machine the scheduler may give this run less than N cores ("cores used"); rows per CPU-second
    // shows the cost of the threads themselves, whatever the load.
    `  threads' overhead: rows per CPU-second at ${b.best.length} threads is ${((b.best[0].cpuSeconds / b.best.at(-1)!.cpuSeconds) * 100).toFixed(0)}% of one thread's`,
    b.runs.length > b.best.length ? `  (fastest of ${b.runs.length / b.best.length} runs each; every run: ${b.runs.map((r) => `${r.jobs}:${n(r.rowsPerSecond)}`).join(' ')})` : '',
    `  output identical across thread counts: ${b.identical ? 'yes' : 'NO'}`,
    '',
  ].filter(Boolean).join('\n') + '\n';
}

export interface InMemoryRun {
  jobs: number;
  seconds: number;
  rowsPerSecond: number;
  sha256: string;
}

export interface InMemoryBench {
  mode: 'jobs-in-memory';
  corpus: string;
  rows: number;
  runs: InMemoryRun[];
  best: (InMemoryRun & { speedup: number })[];
  identical: boolean;
  loadAverage: { before: number[]; after: number[] };
  cores: number;
}

/**
 * N fresh worker threads label `items` in N contiguous parts, one message each: seconds from their start to the
 * last output, and the outputs joined in order (the same text whatever N, or the threads disagree).
 */
async function labelInWorkers(run: LabelRun, items: RowItem[], jobs: number): Promise<{ seconds: number; sha256: string }> {
  const start = performance.now();
  const workers = await WorkerSet.start(run, jobs);
  try {
    const per = Math.ceil(items.length / jobs);
    const outputs = await Promise.all(workers.started.map(({ worker, results }, i) => new Promise<string>((resolve, reject) => {
      results.ref();
      worker.once('error', reject);
      results.on('message', (m: WorkerMessage) => {
        if (!('ready' in m)) resolve(m.text);
      });
      const batch: Batch = { seq: i, items: items.slice(i * per, (i + 1) * per), format: { format: 'csv', task: run.task, idHeader: [] } };
      worker.postMessage(batch);
    })));
    const seconds = (performance.now() - start) / 1000;
    const hash = createHash('sha256');
    for (const text of outputs) hash.update(text);
    return { seconds, sha256: hash.digest('hex') };
  } finally {
    await workers.close();
  }
}

/**
 * `bench --jobs N --in-memory`: what threads alone can give on these reports. They are read into memory first,
 * then 1, 2, ... N fresh worker threads each label a contiguous part (no CSV reading, no output, one message per
 * thread); every thread starts cold, as in a real run. Where this shows no speed-up, `label --jobs` cannot show one
 * either: on a small file each thread's warm-up (unoptimised code, the optimising compiler busy on the other cores)
 * costs more than its share of the work.
 */
export async function benchJobsInMemory(texts: readonly string[], corpus: string, maxJobs: number, repeat: number, task: Task): Promise<InMemoryBench> {
  // What the workers build their engine from: label's defaults for the rule engine.
  const run: LabelRun = {
    engine: 'rules', input: corpus, textColumn: '', idColumns: [], output: '-', format: 'csv', task,
    delimiter: 'auto', encoding: 'auto', progress: 'auto', quiet: true,
  };
  const items: RowItem[] = texts.map((text, i) => ({ row: i + 1, ids: [], text }));
  const before = loadavg();
  const runs: InMemoryRun[] = [];
  for (let r = 0; r < repeat; r++) {
    for (let jobs = 1; jobs <= maxJobs; jobs++) {
      const { seconds, sha256 } = await labelInWorkers(run, items, jobs);
      runs.push({ jobs, seconds, rowsPerSecond: items.length / seconds, sha256 });
    }
  }
  const after = loadavg();
  return {
    mode: 'jobs-in-memory', corpus, rows: items.length, runs, best: bestPerThreadCount(runs, maxJobs),
    identical: runs.every((x) => x.sha256 === runs[0].sha256),
    loadAverage: { before, after }, cores: availableParallelism(),
  };
}

export function formatJobsInMemory(b: InMemoryBench): string {
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  return [
    `Worker threads alone (reports in memory, no CSV, no output) on ${b.corpus}: ${n(b.rows)} reports; ${b.cores} cores; ` +
      `load average ${formatLoad(b.loadAverage.before)} before, ${formatLoad(b.loadAverage.after)} after.`,
    '  threads  seconds  reports/s  speed-up',
    ...b.best.map((r) => `  ${String(r.jobs).padStart(7)}  ${r.seconds.toFixed(2).padStart(7)}  ${n(r.rowsPerSecond).padStart(9)}  ${r.speedup.toFixed(2).padStart(7)}x`),
    b.runs.length > b.best.length ? `  (fastest of ${b.runs.length / b.best.length} runs each; every run: ${b.runs.map((r) => `${r.jobs}:${r.seconds.toFixed(2)}s`).join(' ')})` : '',
    `  labels identical across thread counts: ${b.identical ? 'yes' : 'NO'}`,
    '',
  ].filter(Boolean).join('\n') + '\n';
}
