/**
 * Online weak labeling against the stand-in server on 127.0.0.1: retries and their delays, the concurrency and
 * rpm limits as the server saw them, timeouts, dropped connections, broken answers, resume, --retry-failed, the
 * patient-data guard, and that neither the key nor report text reaches the logs.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LabelRun } from '../training/engines.ts';
import { runOpenAiLabel } from '../training/openai/run.ts';
import type { LabelLine } from '../training/openai/store.ts';
import { startStandIn, writeIuSample, type ChatCall, type Reply, type StandInServer } from './support/openai-server.ts';

const KEY = 'sk-test-SECRET-0123456789abcdef';

let dir: string;
let server: StandInServer;
let stderr: string[];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rrx-openai-'));
  server = await startStandIn({ delayMs: 5 });
  stderr = [];
  vi.stubEnv('OPENAI_API_KEY', KEY);
  vi.stubEnv('OPENAI_BASE_URL', '');
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr.push(String(chunk));
    return true;
  });
});

afterEach(async () => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

function labelRun(input: string, extra: Partial<LabelRun> = {}): LabelRun {
  return {
    engine: 'openai',
    input,
    textColumn: 'findings,impression',
    idColumns: ['uid'],
    output: join(dir, 'labels.jsonl'),
    format: 'jsonl',
    task: 'findings',
    delimiter: ',',
    encoding: 'utf-8',
    progress: 'auto',
    quiet: false,
    ...extra,
  };
}

async function label(input: string, values: Record<string, unknown> = {}, extra: Partial<LabelRun> = {}): Promise<number> {
  return runOpenAiLabel(labelRun(input, extra), { 'base-url': server.baseURL, 'retry-base-ms': '20', ...values });
}

async function lines(path = join(dir, 'labels.jsonl')): Promise<LabelLine[]> {
  const text = await readFile(path, 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text.trimEnd().split('\n').map((l) => JSON.parse(l) as LabelLine);
}

type Report = { uid: string; findings: string; impression: string };

/** True when a prompt carries this report (findings and impression, joined as sections). */
const carries = (prompt: string, r: Report) => prompt.includes(r.findings.trim()) && prompt.includes(r.impression.trim());
/** Reports of the sample whose text no other report in it shares (IU has many identical normal reports). */
const distinct = (reports: Report[]) =>
  reports.filter((r) => r.findings.trim().length > 40 && r.impression.trim() && reports.filter((o) => o.findings === r.findings).length === 1);
/** Server-side arrival times of every request for `r`. */
const timesFor = (r: Report) => server.chatRequests.filter((q) => carries(JSON.stringify(q.body.messages.at(-1).content), r) || carries(q.body.messages.at(-1).content, r)).map((q) => q.time);
const gaps = (times: number[]) => times.slice(1).map((t, i) => t - times[i]);
const onRow = (r: Report, reply: (call: ChatCall) => Reply | undefined) => (call: ChatCall) => (carries(call.report, r) ? reply(call) : undefined);
const withText = (reports: Report[]) => reports.filter((r) => (r.findings + r.impression).trim() !== '');

describe('label --engine openai (online)', () => {
  it('labels every row once, with usage, model, prompt version, and sends a strict json_schema request', async () => {
    const { path, reports } = await writeIuSample(dir, 12);
    expect(await label(path, { concurrency: '4' })).toBe(0);
    const out = await lines();
    expect(out.map((l) => l.id).sort()).toEqual(reports.map((r) => r.uid).sort());
    const ok = out.filter((l) => l.status === 'ok');
    expect(ok.length).toBeGreaterThan(9);
    for (const l of ok) {
      expect(l).toMatchObject({ model: 'gpt-4o', profile: 'json', promptVersion: 'json-1', mode: 'online', attempts: 1, finishReason: ['stop'] });
      expect(l.usage!.promptTokens).toBeGreaterThan(0);
      expect(typeof l.raw).toBe('string');
      expect(Number.isNaN(Date.parse(l.time))).toBe(false);
    }
    const body = server.chatRequests[0].body;
    expect(body.response_format).toMatchObject({ type: 'json_schema', json_schema: { name: 'radreportx_findings', strict: true } });
    expect(server.chatRequests[0].headers.authorization).toBe(`Bearer ${KEY}`);
    expect(stderr.join('')).toMatch(/This run: 12 rows .*\d+ ok, 0 failed, 0 unparsed/);
  });

  it('retries 5xx with growing backoff and honours Retry-After in seconds, milliseconds and as a date', async () => {
    const { path, reports } = await writeIuSample(dir, 30);
    const rows = distinct(reports).slice(0, 4);
    const [a, b, c, d] = rows.map((r) => r.uid);
    const scripts = [
      onRow(rows[0], (call) => (call.attempt <= 3 ? { kind: 'error', status: 500 } : undefined)),
      onRow(rows[1], (call) => (call.attempt === 1 ? { kind: 'error', status: 429, headers: { 'retry-after': '1' } } : undefined)),
      onRow(rows[2], (call) => (call.attempt === 1 ? { kind: 'error', status: 429, headers: { 'retry-after-ms': '300' } } : undefined)),
      onRow(rows[3], (call) =>
        call.attempt === 1 ? { kind: 'error', status: 503, headers: { 'retry-after': new Date(Date.now() + 2000).toUTCString() } } : undefined,
      ),
    ];
    server.script = (call) => scripts.map((s) => s(call)).find(Boolean);
    // One worker, so a 429's account-wide pause cannot stretch another row's backoff.
    expect(await label(path, { 'retry-base-ms': '100', concurrency: '1' })).toBe(0);
    const byId = new Map((await lines()).map((l) => [l.id, l]));
    expect(byId.get(a)).toMatchObject({ status: 'ok', attempts: 4 });
    const backoff = gaps(timesFor(rows[0]));
    expect(backoff).toHaveLength(3);
    // base 100 ms with jitter in [0.5, 1): waits of 50-100, 100-200, 200-400 ms; arrival times at the server
    // jitter by some ms on a busy machine, hence the slack.
    expect(backoff[0]).toBeGreaterThanOrEqual(35);
    expect(backoff[1]).toBeGreaterThanOrEqual(80);
    expect(backoff[2]).toBeGreaterThanOrEqual(170);
    expect(backoff[2]).toBeGreaterThan(backoff[0]);
    expect(gaps(timesFor(rows[1]))[0]).toBeGreaterThanOrEqual(920);
    expect(gaps(timesFor(rows[2]))[0]).toBeGreaterThanOrEqual(260);
    // An HTTP date has whole seconds: 2 s ahead means more than 1 s from now.
    expect(gaps(timesFor(rows[3]))[0]).toBeGreaterThanOrEqual(920);
    expect([b, c, d].map((id) => byId.get(id)!.attempts)).toEqual([2, 2, 2]);
  });

  it('retries a hang past --timeout (1.5 s), a dropped connection and a broken body; a bad answer is kept as unparsed', async () => {
    const { path, reports } = await writeIuSample(dir, 30);
    const rows = distinct(reports).slice(0, 5);
    const [hang, drop, broken, badAnswer, cut] = rows.map((r) => r.uid);
    const scripts = [
      onRow(rows[0], (call) => (call.attempt === 1 ? { kind: 'hang' } : undefined)),
      onRow(rows[1], (call) => (call.attempt === 1 ? { kind: 'drop' } : undefined)),
      onRow(rows[2], (call) => (call.attempt === 1 ? { kind: 'malformed' } : undefined)),
      onRow(rows[3], () => ({ kind: 'ok', content: 'The heart looks big to me.' })),
      onRow(rows[4], () => ({ kind: 'truncated' })),
    ];
    server.script = (call) => scripts.map((s) => s(call)).find(Boolean);
    // 1.5 s: short for a test, long enough that a busy machine does not time out ordinary answers.
    expect(await label(path, { timeout: '1.5', concurrency: '6' })).toBe(0);
    const byId = new Map((await lines()).map((l) => [l.id, l]));
    expect(byId.get(hang)).toMatchObject({ status: 'ok', attempts: 2 });
    // The timer starts before the request reaches the server (by up to a few hundred ms on a busy machine), so
    // the gap the server sees is under 1.5 s; a retry without waiting out the timeout would come after ~20 ms.
    expect(gaps(timesFor(rows[0]))[0]).toBeGreaterThanOrEqual(1000);
    // A dropped connection can take a pooled keep-alive socket with it, so the client may need one more try.
    expect(byId.get(drop)!.status).toBe('ok');
    expect(byId.get(drop)!.attempts).toBeGreaterThanOrEqual(2);
    expect(byId.get(broken)).toMatchObject({ status: 'ok', attempts: 2 });
    expect(byId.get(badAnswer)).toMatchObject({ status: 'unparsed', attempts: 1, raw: 'The heart looks big to me.' });
    expect(byId.get(cut)).toMatchObject({ status: 'unparsed', finishReason: ['length'] });
    expect(byId.get(cut)!.message).toMatch(/token limit/);
    expect(byId.get(cut)!.normal).toBe(false);
  });

  it('keeps no more requests in flight than --concurrency', async () => {
    const { path, reports } = await writeIuSample(dir, 24);
    server.script = () => ({ kind: 'ok', delayMs: 60 });
    expect(await label(path, { concurrency: '3' })).toBe(0);
    expect(server.chatRequests).toHaveLength(withText(reports).length);
    expect(server.maxInFlight).toBe(3);
  });

  it('spaces requests to stay under --rpm', async () => {
    const { path, reports } = await writeIuSample(dir, 9);
    expect(await label(path, { concurrency: '8', rpm: '600' })).toBe(0);
    const times = server.chatRequests.map((r) => r.time).sort((x, y) => x - y);
    expect(times).toHaveLength(withText(reports).length);
    // 600 rpm starts one request every 100 ms; arrival times jitter by a few ms on a busy machine.
    expect(times.at(-1)! - times[0]).toBeGreaterThanOrEqual(100 * (times.length - 1) - 60);
    for (const g of gaps(times)) expect(g).toBeGreaterThanOrEqual(40);
  });

  it('records rows that keep failing, then --retry-failed sends only those and the latest line wins', async () => {
    const { path, reports } = await writeIuSample(dir, 12);
    const target = distinct(reports)[0];
    const doomed = target.uid;
    server.script = onRow(target, () => ({ kind: 'error', status: 502 }));
    expect(await label(path, { 'max-retries': '2' })).toBe(0);
    let out = await lines();
    expect(out.find((l) => l.id === doomed)).toMatchObject({ status: 'error', attempts: 3 });
    expect(timesFor(target)).toHaveLength(3);
    expect(stderr.join('')).toMatch(/ 1 failed/);
    expect(stderr.join('')).toMatch(/--retry-failed/);

    // A plain rerun sends nothing: every id has a line.
    const before = server.chatRequests.length;
    expect(await label(path)).toBe(0);
    expect(server.chatRequests.length).toBe(before);

    server.script = () => undefined;
    expect(await label(path, { 'retry-failed': true })).toBe(0);
    expect(server.chatRequests.length).toBe(before + 1);
    out = await lines();
    const forDoomed = out.filter((l) => l.id === doomed);
    expect(forDoomed.map((l) => l.status)).toEqual(['error', 'ok']);
    expect(out).toHaveLength(reports.length + 1);
  });

  it('stops at once on a refused key, writes no line for it, and never prints the key', async () => {
    const { path } = await writeIuSample(dir, 30);
    server.script = () => ({ kind: 'error', status: 401, body: { error: { message: `Incorrect API key provided: ${KEY}.`, type: 'invalid_request_error', code: 'invalid_api_key' } } });
    expect(await label(path, { concurrency: '2' })).toBe(1);
    expect(server.chatRequests.length).toBeLessThanOrEqual(2);
    expect(existsSync(join(dir, 'labels.jsonl')) ? await readFile(join(dir, 'labels.jsonl'), 'utf8') : '').toBe('');
    const log = stderr.join('');
    expect(log).toMatch(/HTTP 401 invalid_api_key/);
    expect(log).not.toContain('SECRET');
  });

  it('refuses mixing settings in one output', async () => {
    const { path } = await writeIuSample(dir, 2);
    expect(await label(path)).toBe(0);
    await expect(label(path, { model: 'gpt-4o-mini' })).rejects.toThrow(/different settings/);
  });
});

describe('Azure OpenAI', () => {
  it('sends to the deployment path with the api-version and the api-key header', async () => {
    const { path, reports } = await writeIuSample(dir, 3);
    vi.stubEnv('AZURE_OPENAI_ENDPOINT', server.url);
    vi.stubEnv('AZURE_OPENAI_API_KEY', 'azure-test-SECRET-key-77');
    // A leftover OpenAI setting must not redirect or break the Azure client.
    vi.stubEnv('OPENAI_BASE_URL', 'http://127.0.0.1:9/v1');
    expect(await runOpenAiLabel(labelRun(path), { 'azure-deployment': 'gpt4o-labels', 'retry-base-ms': '20' })).toBe(0);
    const first = server.chatRequests[0];
    expect(first.path).toBe('/openai/deployments/gpt4o-labels/chat/completions');
    expect(first.query.get('api-version')).toBe('2024-10-21');
    expect(first.headers['api-key']).toBe('azure-test-SECRET-key-77');
    expect((await lines()).filter((l) => l.status === 'ok').map((l) => l.model)).toEqual(withText(reports).map(() => 'gpt4o-labels'));
    expect(stderr.join('')).not.toContain('azure-test-SECRET');
  });
});

describe('patient-data guard', () => {
  it('sends nothing to a host that is not this machine without --allow-remote, and exits 2', async () => {
    const { path } = await writeIuSample(dir, 5);
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    const connectSpy = vi.spyOn(net.Socket.prototype, 'connect');
    const code = await runOpenAiLabel(labelRun(path), { 'base-url': 'https://api.example.invalid/v1' });
    expect(code).toBe(2);
    expect(stderr.join('')).toMatch(/5 reports would go to api\.example\.invalid/);
    expect(stderr.join('')).toMatch(/--allow-remote/);
    expect(fetchSpy).not.toHaveBeenCalled();
    expect(connectSpy).not.toHaveBeenCalled();
    expect(existsSync(join(dir, 'labels.jsonl'))).toBe(false);

    // With the flag a dry run passes the guard (and still sends nothing).
    expect(await runOpenAiLabel(labelRun(path), { 'base-url': 'https://api.example.invalid/v1', 'allow-remote': true, 'dry-run': true })).toBe(0);
    expect(stderr.join('')).toMatch(/Dry run: 5 reports to send to api\.example\.invalid/);
    expect(connectSpy).not.toHaveBeenCalled();
  });

  it('estimates tokens and cost in a dry run', async () => {
    const { path } = await writeIuSample(dir, 20);
    expect(await label(path, { 'dry-run': true })).toBe(0);
    expect(server.requests).toHaveLength(0);
    expect(stderr.join('')).toMatch(/About [\d,]+ prompt tokens and at most [\d,]+ answer tokens: at most ~\$0\.\d\d/);
  });
});
