/**
 * Batch API mode end to end against the stand-in server: the uploaded JSONL, the batch, polling, merging the
 * output and error files into the label JSONL; --detach and collecting later; an expired batch followed by
 * --retry-failed; the release profile's two completions per row.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LabelRun } from '../training/engines.ts';
import { loadState } from '../training/openai/batch.ts';
import { runOpenAiLabel } from '../training/openai/run.ts';
import type { LabelLine } from '../training/openai/store.ts';
import { startStandIn, writeIuSample, type StandInOptions, type StandInServer } from './support/openai-server.ts';

let dir: string;
let server: StandInServer | undefined;
let stderr: string[];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rrx-batch-'));
  stderr = [];
  vi.stubEnv('OPENAI_API_KEY', 'sk-test-SECRET-batch-42424242');
  vi.stubEnv('OPENAI_BASE_URL', '');
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr.push(String(chunk));
    return true;
  });
});

afterEach(async () => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

const output = () => join(dir, 'labels.jsonl');

async function serve(options: StandInOptions = {}): Promise<StandInServer> {
  await server?.close();
  server = await startStandIn(options);
  return server;
}

function run(input: string, task: LabelRun['task'] = 'findings'): LabelRun {
  return { engine: 'openai', input, textColumn: 'findings,impression', idColumns: ['uid'], output: output(), format: 'jsonl', task, delimiter: ',', encoding: 'utf-8', progress: 'auto', quiet: false };
}

async function label(input: string, values: Record<string, unknown> = {}, task: LabelRun['task'] = 'findings'): Promise<number> {
  return runOpenAiLabel(run(input, task), { 'base-url': server!.baseURL, batch: true, 'poll-interval': '0.05', 'retry-base-ms': '20', ...values });
}

async function lines(): Promise<LabelLine[]> {
  return (await readFile(output(), 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l) as LabelLine);
}

const blank = (r: { findings: string; impression: string }) => (r.findings + r.impression).trim() === '';

describe('label --engine openai --batch', () => {
  it('uploads the requests, polls the batch, and merges output and error files', async () => {
    const s = await serve({ pollsToComplete: 3 });
    const { path, reports } = await writeIuSample(dir, 20);
    const failing = reports.find((r) => !blank(r) && r.findings.length > 60)!;
    s.script = (call) => (call.batch && call.report.includes(failing.findings.trim()) ? { kind: 'error', status: 500 } : undefined);
    expect(await label(path)).toBe(0);

    const upload = s.requests.find((r) => r.path === '/v1/files')!;
    expect(upload.method).toBe('POST');
    const [file] = [...s.files.values()];
    expect(file.purpose).toBe('batch');
    const requests = file.content.trimEnd().split('\n').map((l) => JSON.parse(l));
    const sent = reports.filter((r) => !blank(r));
    expect(requests.map((r) => r.custom_id)).toEqual(sent.map((r) => r.uid));
    for (const r of requests) {
      expect(r).toMatchObject({ method: 'POST', url: '/v1/chat/completions' });
      expect(r.body.response_format.json_schema).toMatchObject({ name: 'radreportx_findings', strict: true });
    }
    const [batch] = [...s.batches.values()];
    expect(batch).toMatchObject({ endpoint: '/v1/chat/completions', completion_window: '24h', status: 'completed' });
    expect(s.requests.filter((r) => r.path === `/v1/batches/${batch.id}`).length).toBe(3);
    expect(s.chatRequests).toHaveLength(0);

    const out = await lines();
    expect(out.map((l) => l.id).sort()).toEqual(reports.map((r) => r.uid).sort());
    const byId = new Map(out.map((l) => [l.id, l]));
    expect(byId.get(failing.uid)).toMatchObject({ status: 'error', mode: 'batch', batchId: batch.id });
    expect(byId.get(failing.uid)!.message).toMatch(/HTTP 500/);
    const ok = out.filter((l) => l.status === 'ok');
    expect(ok.length).toBe(sent.length - 1);
    for (const l of ok) expect(l).toMatchObject({ mode: 'batch', batchId: batch.id, model: 'gpt-4o', promptVersion: 'json-1' });
    expect(loadState(output())!.batches[0]).toMatchObject({ id: batch.id, merged: true });
    expect(stderr.join('')).toMatch(/batch batch_\w+: in_progress/);
    expect(stderr.join('')).toMatch(/1 failed/);

    // Nothing left: a rerun sends no new batch.
    expect(await label(path)).toBe(0);
    expect(s.batches.size).toBe(1);
  });

  it('--detach submits and exits; the same command later collects, once', async () => {
    const s = await serve();
    const { path, reports } = await writeIuSample(dir, 10);
    expect(await label(path, { detach: true })).toBe(0);
    const state = loadState(output())!;
    expect(state.batches).toHaveLength(1);
    expect(state.batches[0].merged).toBe(false);
    expect(stderr.join('')).toMatch(/Run the same command again to collect it/);
    const before = await readFile(output(), 'utf8').catch(() => '');
    expect(before.split('\n').filter(Boolean).length).toBe(reports.filter(blank).length);

    expect(await label(path)).toBe(0);
    expect(s.batches.size).toBe(1);
    const out = await lines();
    expect(out.map((l) => l.id).sort()).toEqual(reports.map((r) => r.uid).sort());
    expect(loadState(output())!.batches[0].merged).toBe(true);
  });

  it('an expired batch leaves failed rows; --retry-failed sends only those in a new batch', async () => {
    await serve({ batchEnd: 'expired' });
    const { path, reports } = await writeIuSample(dir, 12);
    const sent = reports.filter((r) => !blank(r));
    expect(await label(path)).toBe(0);
    let out = await lines();
    const failed = out.filter((l) => l.status === 'error');
    expect(failed.length).toBe(sent.length - Math.floor(sent.length / 2));
    expect(failed[0].message).toMatch(/expired/);

    const s = await serve();
    expect(await label(path, { 'retry-failed': true })).toBe(0);
    const [file] = [...s.files.values()];
    expect(file.content.trimEnd().split('\n').map((l) => JSON.parse(l).custom_id).sort()).toEqual(failed.map((l) => l.id).sort());
    out = await lines();
    const latest = new Map(out.map((l) => [l.id, l.status]));
    expect([...latest.values()].filter((v) => v === 'error')).toHaveLength(0);
    expect(latest.size).toBe(reports.length);
  });

  it('release task both: two completions per row to /v1/completions, custom ids id#findings and id#icd10, merged into one line', async () => {
    const s = await serve();
    const { path, reports } = await writeIuSample(dir, 6);
    expect(await label(path, { 'prompt-profile': 'release' }, 'both')).toBe(0);
    const [file] = [...s.files.values()];
    const sentLines = file.content.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(new Set(sentLines.map((l) => l.url))).toEqual(new Set(['/v1/completions']));
    expect([...s.batches.values()][0].endpoint).toBe('/v1/completions');
    expect(sentLines.every((l) => typeof l.body.prompt === 'string' && !('messages' in l.body) && l.body.max_tokens === 150)).toBe(true);
    const ids = sentLines.map((l) => l.custom_id);
    const sent = reports.filter((r) => !blank(r));
    expect(ids).toEqual(sent.flatMap((r) => [`${r.uid}#findings`, `${r.uid}#icd10`]));
    const out = await lines();
    expect(out).toHaveLength(reports.length);
    for (const l of out.filter((x) => x.status === 'ok')) {
      expect(l.icd10).toBeDefined();
      expect(l.finishReason).toEqual(['stop', 'stop']);
    }
  });

  it('collects a batch named with --batch-id that the state file does not know', async () => {
    const s = await serve();
    const { path, reports } = await writeIuSample(dir, 8);
    expect(await label(path, { detach: true })).toBe(0);
    const [batch] = [...s.batches.values()];
    await rm(`${output()}.batch.json`);
    expect(await label(path, { 'batch-id': batch.id })).toBe(0);
    expect(s.batches.size).toBe(1);
    expect((await lines()).map((l) => l.id).sort()).toEqual(reports.map((r) => r.uid).sort());
  });

  it('finds a batch whose creation was cut off before its id was saved, by its input file', async () => {
    const s = await serve();
    const { path, reports } = await writeIuSample(dir, 8);
    expect(await label(path, { detach: true })).toBe(0);
    const statePath = `${output()}.batch.json`;
    const state = JSON.parse(await readFile(statePath, 'utf8'));
    delete state.batches[0].id; // as if killed between batches.create and saving its answer
    await writeFile(statePath, JSON.stringify(state));
    expect(await label(path)).toBe(0);
    expect(s.batches.size).toBe(1);
    expect(s.requests.some((r) => r.method === 'GET' && r.path === '/v1/batches')).toBe(true);
    expect((await lines()).map((l) => l.id).sort()).toEqual(reports.map((r) => r.uid).sort());
  });
});
