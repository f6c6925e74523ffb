/**
 * `label --jobs`, `--shard` and `merge` as real processes: the output with worker threads is the bytes of a
 * one-thread run, a run killed with SIGKILL and run again gives the same file, and shards merge back exactly.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { csvLine } from '../src/lib/csv/index.ts';
import { generateReports } from '../src/lib/synthetic.ts';
import { CLI, runCli, tempDir } from './fixtures/run-cli.ts';

/** Generated reports with the rows a real export has mixed in: empty text, a bad field count, repeated ids. */
function writeInput(dir: string, rows: number, seed = 5): string {
  const reports = generateReports(rows, seed);
  let text = csvLine(['id', 'site', 'report']);
  reports.forEach((r, i) => {
    if (i % 997 === 13) text += csvLine([`r${i}`, 'A', r, 'extra']); // too many fields: an error row
    else text += csvLine([i % 1499 === 7 ? 'dup' : `r${i}`, 'A', i % 1201 === 5 ? '  ' : r]);
  });
  const path = join(dir, 'in.csv');
  writeFileSync(path, text);
  return path;
}

const WAIT = { RADREPORTX_WAIT_FOR_WORKERS: '1' };
const label = (input: string, output: string, ...more: string[]) =>
  ['label', '-i', input, '-t', 'report', '--id-column', 'id', '-o', output, ...more];

function runWithEnv(args: string[], env: Record<string, string>) {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    return runCli(args);
  } finally {
    process.env = saved;
  }
}

describe('label --jobs', { timeout: 240_000 }, () => {
  it('writes the same bytes (and warnings) with 3 threads as with one, in CSV and JSONL, every thread labeling', async () => {
    const dir = tempDir();
    const input = writeInput(dir, 3000);
    for (const [ext, task] of [['csv', 'findings'], ['jsonl', 'both']] as const) {
      const one = join(dir, `one.${ext}`);
      const three = join(dir, `three.${ext}`);
      const stats = join(dir, `stats-${ext}.json`);
      const a = await runCli(label(input, one, '--jobs', '1', '--task', task));
      const b = await runWithEnv(label(input, three, '--jobs', '3', '--task', task, '--stats', stats), WAIT);
      expect([a.code, b.code]).toEqual([0, 0]);
      expect(readFileSync(three, 'utf8')).toBe(readFileSync(one, 'utf8'));
      const warnings = (s: string) => s.split('\n').filter((l) => l.startsWith('warning:'));
      expect(warnings(b.stderr)).toEqual(warnings(a.stderr));
      expect(warnings(a.stderr).length).toBeGreaterThan(2);
      const s = JSON.parse(readFileSync(stats, 'utf8'));
      expect(s.rows).toBe(3000);
      // This thread and both workers labeled rows, and together every row once.
      expect(s.threadRows).toHaveLength(3);
      expect(s.threadRows.slice(1).every((n: number) => n > 0)).toBe(true);
      expect(s.threadRows.reduce((x: number, y: number) => x + y, 0)).toBe(3000);
    }
    // Workers started from the tsx entry instead of the esbuild bundle (the fallback) write the same bytes.
    const tsx = join(dir, 'tsx.jsonl');
    expect((await runWithEnv(label(input, tsx, '--jobs', '2', '--task', 'both', '-q'), { ...WAIT, RADREPORTX_WORKER_BUNDLE: '0' })).code).toBe(0);
    expect(readFileSync(tsx, 'utf8')).toBe(readFileSync(join(dir, 'one.jsonl'), 'utf8'));
    const lines = readFileSync(join(dir, 'one.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.row)).toEqual(Array.from({ length: 3000 }, (_, i) => i + 1));
    expect(lines.filter((l) => l.duplicateId).length).toBe(1);
    expect(lines.filter((l) => l.status === 'error').length).toBe(3);
  });

  it('after kill -9 mid-run leaves no output, and a rerun writes what an uninterrupted run writes', async () => {
    const dir = tempDir();
    const input = writeInput(dir, 40_000, 9);
    const whole = join(dir, 'whole.csv');
    expect((await runCli(label(input, whole, '--jobs', '1', '-q'))).code).toBe(0);

    const out = join(dir, 'out.csv');
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...label(input, out, '--jobs', '2', '--progress')], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, ...WAIT },
    });
    // Killed once the workers are labeling and part of the output is on disk.
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        const partial = readdirSync(dir).find((f) => f.endsWith('.partial'));
        if (partial && statSync(join(dir, partial)).size > 200_000) {
          clearInterval(timer);
          child.kill('SIGKILL');
          resolve();
        }
      }, 20);
      child.on('exit', () => {
        clearInterval(timer);
        reject(new Error('label finished before it could be killed; use a larger input'));
      });
    });
    await new Promise((r) => child.on('close', r));
    expect(child.signalCode).toBe('SIGKILL');
    expect(existsSync(out)).toBe(false);
    const stale = readdirSync(dir).filter((f) => f.endsWith('.partial'));
    expect(stale).toHaveLength(1);
    unlinkSync(join(dir, stale[0]));

    const again = await runCli(label(input, out, '--jobs', '2', '-q'));
    expect(again.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(whole, 'utf8'));
  });

  it('rejects bad --jobs, --shard and --chunk-rows values as usage errors', async () => {
    const dir = tempDir();
    const input = writeInput(dir, 10);
    const out = join(dir, 'o.csv');
    for (const extra of [['--jobs', '0'], ['--jobs', 'many'], ['--shard', '4/3'], ['--shard', '0/3'], ['--shard', 'half'], ['--chunk-rows', '10']]) {
      const r = await runCli(label(input, out, ...extra));
      expect(r.code, extra.join(' ')).toBe(2);
    }
    expect((await runCli(['label', '-i', input, '-t', 'report', '-o', '-', '--shard', '1/2'])).stderr).toMatch(/--shard needs an output file/);
    const openai = await runCli(['label', '--engine', 'openai', '-i', input, '-t', 'report', '-o', join(dir, 'o.jsonl'), '--jobs', '2', '--model', 'x']);
    expect(openai.code).toBe(2);
    expect(openai.stderr).toMatch(/does not take --jobs/);
  });
});

describe('label --shard and merge', { timeout: 240_000 }, () => {
  it('round-trips: the merged shards are the bytes of one whole run, CSV and JSONL, in any order given', async () => {
    const dir = tempDir();
    const input = writeInput(dir, 2500, 11);
    for (const ext of ['csv', 'jsonl']) {
      const whole = join(dir, `whole.${ext}`);
      expect((await runCli(label(input, whole, '--jobs', '1', '-q'))).code).toBe(0);
      const parts = [1, 2, 3].map((k) => join(dir, `part-${k}.${ext}`));
      for (const [i, part] of parts.entries()) {
        const r = await runCli(label(input, part, '--shard', `${i + 1}/3`, '--chunk-rows', '300', '--jobs', i === 1 ? '2' : '1', '-q'));
        expect(r.code).toBe(0);
        expect(existsSync(`${part}.shard.json`)).toBe(true);
      }
      const manifest = JSON.parse(readFileSync(`${parts[0]}.shard.json`, 'utf8'));
      // Chunks 0, 3, 6 of 300 rows (rows 1-300, 901-1200, 1801-2100): 900 rows.
      expect(manifest).toMatchObject({ shard: 1, of: 3, chunkRows: 300, inputRows: 2500, rows: 900, format: ext });
      const merged = join(dir, `merged.${ext}`);
      const r = await runCli(['merge', '-o', merged, parts[2], parts[0], parts[1]]);
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/Merged 3 shards: 2,500 rows/);
      expect(readFileSync(merged, 'utf8')).toBe(readFileSync(whole, 'utf8'));
    }
  });

  it('detects a missing, a repeated, an unfinished, a foreign and a truncated shard, and writes nothing', async () => {
    const dir = tempDir();
    const input = writeInput(dir, 1000, 12);
    const parts = [1, 2, 3].map((k) => join(dir, `p${k}.csv`));
    for (const [i, part] of parts.entries()) {
      expect((await runCli(label(input, part, '--shard', `${i + 1}/3`, '--chunk-rows', '100', '-q'))).code).toBe(0);
    }
    const merged = join(dir, 'merged.csv');
    const fails = async (files: string[], message: RegExp) => {
      const r = await runCli(['merge', '-o', merged, ...files]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(existsSync(merged)).toBe(false);
    };
    await fails([parts[0], parts[2]], /Shard 2\/3 is missing \(got 2 of 3\); nothing was written/);
    await fails([parts[0], parts[1], parts[2], parts[1]], /Shard 2\/3 is given twice/);

    // A shard of another file (one more row) does not belong.
    const otherDir = tempDir();
    const other = writeInput(otherDir, 1001, 12);
    const foreign = join(otherDir, 'p2.csv');
    expect((await runCli(label(other, foreign, '--shard', '2/3', '--chunk-rows', '100', '-q'))).code).toBe(0);
    await fails([parts[0], foreign, parts[2]], /not from the same run|different input/);

    // An output without its manifest is not a finished shard.
    const copy = join(dir, 'copy.csv');
    writeFileSync(copy, readFileSync(parts[1]));
    await fails([parts[0], copy, parts[2]], /has no shard manifest/);

    // A truncated shard: its manifest promises more rows than it has.
    const text = readFileSync(parts[1], 'utf8');
    writeFileSync(parts[1], text.slice(0, text.lastIndexOf('\n', text.length - 2) + 1));
    await fails(parts, /ends early/);
    await fails([parts[0], parts[0].replace('p1', 'nope')], /has no shard manifest/);
    expect((await runCli(['merge', '-o', parts[0], ...parts])).code).toBe(2);
  });
});

describe('bench --jobs', { timeout: 240_000 }, () => {
  it('prints rows/s and the speed-up at 1 and 2 threads and checks the outputs are identical', async () => {
    const dir = tempDir();
    const json = join(dir, 'jobs.json');
    const r = await runCli(['bench', '--jobs', '2', '--rows', '2000', '--json', json, '--check']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/label --jobs 1\.\.2 on a generated CSV \(seed 1\): 2,000 rows/);
    expect(r.stdout).toMatch(/load average [\d.]+ [\d.]+ [\d.]+ before/);
    expect(r.stdout).toMatch(/^\s+2\s+[\d,]+\s+[\d.]+x/m);
    expect(r.stdout).toContain('output identical across thread counts: yes');
    const b = JSON.parse(readFileSync(json, 'utf8'));
    expect(b.best.map((x: { jobs: number }) => x.jobs)).toEqual([1, 2]);
    expect(b.best[0].speedup).toBe(1);
    expect(b.best[1].speedup).toBeCloseTo(b.best[1].rowsPerSecond / b.best[0].rowsPerSecond, 6);
    expect(b.identical).toBe(true);
  });

  it('--in-memory: worker threads alone on reports read into memory, with the same labels at 1 and 2 threads', async () => {
    const dir = tempDir();
    const json = join(dir, 'memory.json');
    const r = await runCli(['bench', '--jobs', '2', '--in-memory', '--rows', '3000', '--json', json, '--check']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Worker threads alone \(reports in memory, no CSV, no output\) on generated reports \(seed 1\): 3,000 reports/);
    expect(r.stdout).toMatch(/^\s+2\s+[\d.]+\s+[\d,]+\s+[\d.]+x/m);
    expect(r.stdout).toContain('labels identical across thread counts: yes');
    const b = JSON.parse(readFileSync(json, 'utf8'));
    expect(b.rows).toBe(3000);
    expect(b.best.map((x: { jobs: number }) => x.jobs)).toEqual([1, 2]);
    expect(b.best[1].speedup).toBeCloseTo(b.best[0].seconds / b.best[1].seconds, 6);
    expect(new Set(b.runs.map((x: { sha256: string }) => x.sha256)).size).toBe(1);
  });

  it('--in-memory without --jobs is a usage error', async () => {
    const r = await runCli(['bench', '--in-memory']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--in-memory goes with --jobs N/);
  });
});
