/**
 * The real CLI (spawned with tsx) against the stand-in server: killed mid-run with SIGKILL and run again, every
 * id ends up exactly once and no line is broken; labels-to-csv turns the result into label's CSV; neither the
 * key nor any report text appears in what the CLI prints.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFile, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FINDINGS } from '../src/lib/findings.ts';
import { startStandIn, writeIuSample, type StandInServer } from './support/openai-server.ts';

const KEY = 'sk-test-SECRET-cli-0123456789';
const ROOT = fileURLToPath(new URL('..', import.meta.url));

let dir: string;
let server: StandInServer;
const logs: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rrx-openai-cli-'));
  server = await startStandIn({ delayMs: 30 });
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

function cli(args: string[]): { child: ChildProcess; done: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'training/cli.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, OPENAI_API_KEY: KEY, OPENAI_BASE_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const done = new Promise<number | null>((resolve) => child.on('close', (code) => {
    logs.push(out);
    resolve(code);
  }));
  return { child, done };
}

const lineCount = async (path: string) => {
  try {
    return (await readFile(path, 'utf8')).split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
};

describe('radreportx label --engine openai (spawned CLI)', () => {
  it('resumes after SIGKILL: every id exactly once, no broken line; labels-to-csv writes label CSV', async () => {
    const { path, reports } = await writeIuSample(dir, 60);
    const output = join(dir, 'labels.jsonl');
    const args = ['label', '--engine', 'openai', '-i', path, '-t', 'findings,impression', '--id-column', 'uid', '-o', output, '--base-url', server.baseURL, '--concurrency', '2', '--progress'];

    const first = cli(args);
    // Kill it once some rows are saved and long before all are.
    const deadline = Date.now() + 60_000;
    while ((await lineCount(output)) < 8 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    first.child.kill('SIGKILL');
    expect(await first.done).toBe(null);
    const saved = await lineCount(output);
    expect(saved).toBeGreaterThanOrEqual(8);
    expect(saved).toBeLessThan(reports.length);
    // As if the kill had landed in the middle of a write.
    await appendFile(output, '{"id":"999","row":999,"status":"o');

    const second = cli(args);
    expect(await second.done).toBe(0);
    expect(logs.at(-1)).toMatch(/cut-off line/);
    const text = await readFile(output, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.trimEnd().split('\n').map((l) => JSON.parse(l) as { id: string; status: string });
    const ids = lines.map((l) => l.id).sort();
    expect(ids).toEqual(reports.map((r) => r.uid).sort());
    expect(new Set(ids).size).toBe(ids.length);
    // The rerun sent only what was missing (plus at most the two rows in flight at the kill).
    expect(server.chatRequests.length).toBeLessThanOrEqual(reports.length + 2);

    const csv = join(dir, 'labels.csv');
    const convert = cli(['labels-to-csv', '-i', output, '-o', csv]);
    expect(await convert.done).toBe(0);
    const table = Papa.parse<string[]>(await readFile(csv, 'utf8'), { skipEmptyLines: true }).data;
    expect(table[0]).toEqual(['uid', 'findings', 'status', ...FINDINGS]);
    expect(table.slice(1).map((r) => r[0])).toEqual(reports.map((r) => r.uid));
    const byUid = new Map(lines.map((l) => [l.id, l.status]));
    for (const row of table.slice(1)) {
      expect(row[2]).toBe(byUid.get(row[0]));
      if (row[2] === 'ok') expect(row[1]).not.toBe('');
      else expect(row[1]).toBe('');
    }
    expect((await stat(csv)).size).toBeGreaterThan(0);
  });

  it('on Ctrl-C (SIGINT) stops, keeps the finished rows whole, and exits 130', async () => {
    const { path, reports } = await writeIuSample(dir, 60);
    const output = join(dir, 'interrupted.jsonl');
    const run = cli(['label', '--engine', 'openai', '-i', path, '-t', 'findings,impression', '--id-column', 'uid', '-o', output, '--base-url', server.baseURL, '--concurrency', '2']);
    const deadline = Date.now() + 60_000;
    while ((await lineCount(output)) < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    run.child.kill('SIGINT');
    expect(await run.done).toBe(130);
    expect(logs.at(-1)).toMatch(/SIGINT: stopping/);
    expect(logs.at(-1)).toMatch(/now holds \d+ rows/);
    const text = await readFile(output, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const ids = text.trimEnd().split('\n').map((l) => (JSON.parse(l) as { id: string }).id);
    expect(ids.length).toBeLessThan(reports.length);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('exits 2 and sends nothing for a remote host without --allow-remote', async () => {
    const { path } = await writeIuSample(dir, 3);
    const before = server.requests.length;
    const run = cli(['label', '--engine', 'openai', '-i', path, '-t', 'findings,impression', '--id-column', 'uid', '-o', join(dir, 'remote.jsonl'), '--base-url', 'https://api.example.invalid/v1']);
    expect(await run.done).toBe(2);
    expect(logs.at(-1)).toMatch(/3 reports would go to api\.example\.invalid/);
    expect(server.requests.length).toBe(before);
    await expect(stat(join(dir, 'remote.jsonl'))).rejects.toThrow();
  });

  it('printed neither the key nor report text', async () => {
    const { reports } = await writeIuSample(dir, 60);
    const all = logs.join('\n');
    expect(all.length).toBeGreaterThan(0);
    expect(all).not.toContain(KEY);
    expect(all).not.toContain('SECRET');
    for (const r of reports) {
      for (const part of [r.findings, r.impression]) if (part.trim().length >= 25) expect(all).not.toContain(part.trim().slice(0, 25));
    }
  });
});
