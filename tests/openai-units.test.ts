/** The small pure parts of weak-label generation: retry decisions, rate limiting, the guard, prices, the store. */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import { describe, expect, it } from 'vitest';
import { buildRequests, responseSchema, type ChatPromptRequest, type CompletionPromptRequest } from '../src/lib/prompts/index.ts';
import { checkDestination, isLoopbackHost, RemoteNotAllowedError } from '../training/openai/guard.ts';
import { RateLimiter, TokenBucket, type Clock } from '../training/openai/limiter.ts';
import { costOf, priceFor } from '../training/openai/pricing.ts';
import { redact } from '../training/openai/redact.ts';
import { chatBody, endpointOf, estimateTokens, requestBody } from '../training/openai/request.ts';
import { invalidBody } from './support/openai-server.ts';
import { backoffMs, CallFailed, classify, parseRetryAfter, withRetries } from '../training/openai/retry.ts';
import { RunStats } from '../training/openai/stats.ts';
import { labelsToCsv } from '../training/commands/labels-to-csv.ts';
import { LineWriter, readStore, statusCounts, type LabelLine } from '../training/openai/store.ts';

/** A clock that only moves when something sleeps, so limiter timings are exact. */
function fakeClock(): Clock & { t: number; sleeps: number[] } {
  const c = {
    t: 0,
    sleeps: [] as number[],
    now: () => c.t,
    sleep: async (ms: number) => {
      c.sleeps.push(ms);
      c.t += ms;
    },
  };
  return c;
}

describe('Retry-After and backoff', () => {
  it('reads retry-after-ms, retry-after seconds and an HTTP date', () => {
    expect(parseRetryAfter(new Headers({ 'retry-after-ms': '250' }))).toBe(250);
    expect(parseRetryAfter(new Headers({ 'retry-after': '3' }))).toBe(3000);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter(new Headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:07 GMT' }), now)).toBe(7000);
    expect(parseRetryAfter(new Headers({ 'retry-after': 'soon' }))).toBeUndefined();
    expect(parseRetryAfter(new Headers({ 'retry-after': '86400' }))).toBe(15 * 60_000);
  });

  it('grows exponentially with jitter and stops at the cap', () => {
    const policy = { maxRetries: 5, baseMs: 100, maxMs: 1000 };
    expect(backoffMs(0, { ...policy, random: () => 0 })).toBe(50);
    expect(backoffMs(0, { ...policy, random: () => 0.999 })).toBeLessThanOrEqual(100);
    expect(backoffMs(3, { ...policy, random: () => 0 })).toBe(400);
    expect(backoffMs(10, { ...policy, random: () => 0.999 })).toBeLessThanOrEqual(1000);
  });

  it('retries 429, 5xx, timeouts, dropped connections and broken bodies; not 400; stops on 401 and no quota', () => {
    const err = (status: number, body: object = {}, headers: Record<string, string> = {}) => APIError.generate(status, body, undefined, new Headers(headers));
    expect(classify(err(429, {}, { 'retry-after': '2' }))).toMatchObject({ kind: 'rate_limit', retryable: true, retryAfterMs: 2000 });
    expect(classify(err(503))).toMatchObject({ kind: 'server', retryable: true });
    expect(classify(new APIConnectionTimeoutError())).toMatchObject({ kind: 'timeout', retryable: true });
    expect(classify(new APIConnectionError({ message: 'socket hang up' }))).toMatchObject({ kind: 'connection', retryable: true });
    expect(classify(new SyntaxError('Unexpected end of JSON input'))).toMatchObject({ kind: 'malformed', retryable: true });
    expect(classify(err(400))).toMatchObject({ kind: 'client', retryable: false, fatal: false });
    expect(classify(err(401))).toMatchObject({ retryable: false, fatal: true });
    expect(classify(err(429, { error: { code: 'insufficient_quota', message: 'quota' } }))).toMatchObject({ kind: 'quota', fatal: true });
  });

  it('waits what the server asks, then backs off, and gives up after maxRetries', async () => {
    const clock = fakeClock();
    let calls = 0;
    const failing = async () => {
      calls++;
      throw calls === 1 ? APIError.generate(429, {}, undefined, new Headers({ 'retry-after-ms': '700' })) : APIError.generate(500, {}, undefined, new Headers());
    };
    const error = await withRetries(failing, { maxRetries: 3, baseMs: 100, maxMs: 10_000, random: () => 0 }, { clock }).catch((e) => e);
    expect(error).toBeInstanceOf(CallFailed);
    expect(error.attempts).toBe(4);
    expect(clock.sleeps).toEqual([700, 100, 200]);
  });
});

describe('rate limiter', () => {
  it('spaces requests 60000/rpm ms apart', async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter({ rpm: 600, clock });
    const starts: number[] = [];
    await Promise.all(Array.from({ length: 5 }, () => limiter.acquire(10).then(() => starts.push(clock.t))));
    expect(starts).toEqual([0, 100, 200, 300, 400]);
  });

  it('holds tokens per minute, and gives back what the estimate overcharged', () => {
    const bucket = new TokenBucket(6000, 1000, 0); // 100 tokens a second, 1000 saved up
    expect(bucket.waitFor(800, 0)).toBe(0);
    bucket.take(800, 0);
    expect(bucket.waitFor(800, 0)).toBe(6000); // 600 more tokens at 0.1 per ms
    bucket.adjust(500, 0); // the request used 300, not 800
    expect(bucket.waitFor(700, 0)).toBe(0);
  });

  it('pauses every caller after a 429', async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter({ clock });
    limiter.pause(1500);
    await limiter.acquire(1);
    expect(clock.t).toBe(1500);
  });
});

describe('patient-data guard', () => {
  it('knows loopback', () => {
    for (const h of ['127.0.0.1', '127.8.9.10', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['10.0.0.1', '0.0.0.0', 'api.openai.com', 'localhost.example.com', '128.0.0.1', '::2']) expect(isLoopbackHost(h), h).toBe(false);
  });

  it('refuses a remote host unless allowed, naming the host and the count', () => {
    expect(() => checkDestination('https://api.example.invalid/v1', 12, false)).toThrow(RemoteNotAllowedError);
    expect(() => checkDestination('https://api.example.invalid/v1', 12, false)).toThrow(/12 reports would go to api\.example\.invalid/);
    expect(() => checkDestination('https://api.example.invalid/v1', 12, true)).not.toThrow();
    expect(() => checkDestination('http://127.0.0.1:8000/v1', 12, false)).not.toThrow();
  });
});

describe('prices and secrets', () => {
  it('prices dated snapshots by their family and leaves unknown models unpriced', () => {
    expect(priceFor('gpt-4o-2024-08-06')).toEqual(priceFor('gpt-4o'));
    expect(priceFor('gpt-4o-mini')!.input).toBeLessThan(priceFor('gpt-4o')!.input);
    expect(priceFor('radreportx-llama-3.1-8b')).toBeUndefined();
    expect(priceFor('radreportx', { input: 0.1, output: 0.2 })).toEqual({ input: 0.1, output: 0.2 });
    expect(costOf(priceFor('gpt-4o'), 1_000_000, 100_000)).toBeCloseTo(3.5);
    expect(costOf(priceFor('gpt-4o'), 1_000_000, 100_000, true)).toBeCloseTo(1.75);
  });

  it('redacts keys', () => {
    const text = 'Incorrect API key provided: sk-test-SECRET-abc123. Authorization: Bearer abcdefghijk https://x/?api-key=zzzzzz';
    const out = redact(text, ['sk-test-SECRET-abc123']);
    expect(out).not.toMatch(/SECRET|abcdefghijk|zzzzzz/);
  });
});

describe('request body', () => {
  it('asks for strict json_schema output with the shared schema', () => {
    const [request] = buildRequests('json', 'both', 'Mild cardiomegaly.') as ChatPromptRequest[];
    const body = chatBody(request, 'gpt-4o');
    expect(body.response_format).toEqual({ type: 'json_schema', json_schema: { name: 'radreportx_both', strict: true, schema: responseSchema('both') } });
    expect(body).toMatchObject({ model: 'gpt-4o', temperature: 0, max_tokens: request.maxTokens });
    expect(estimateTokens(request)).toBeGreaterThan(request.maxTokens);
  });

  it('sends the release profile as raw completions: prompt without BOS (the server adds it), greedy, 150 tokens, stop tokens', () => {
    const requests = buildRequests('release', 'both', 'Mild cardiomegaly.');
    expect(requests.map(endpointOf)).toEqual(['/completions', '/completions']);
    const bodies = requests.map((r) => requestBody(r, 'radreportx'));
    for (const [i, body] of bodies.entries()) {
      expect(body).toEqual({ model: 'radreportx', prompt: (requests[i] as CompletionPromptRequest).prompt, temperature: 0, max_tokens: 150, stop: ['<|eot_id|>', '<|end_of_text|>'] });
      expect(invalidBody('completions', body)).toBeUndefined();
      // The stand-in refuses a completion body on the chat endpoint, as the real servers do.
      expect(invalidBody('chat', body)).toMatch(/Unrecognized request argument supplied: prompt/);
      expect((body as { prompt: string }).prompt.startsWith('<|begin_of_text|>')).toBe(false);
    }
    expect(estimateTokens(requests[0])).toBeGreaterThan(150 + 100);
  });

  it('sends the teacher prompt as chat: system + user, temperature 0, 150 tokens, no response_format', () => {
    const [request] = buildRequests('release-weak-labels', 'icd10', 'Mild cardiomegaly.');
    expect(endpointOf(request)).toBe('/chat/completions');
    const body = requestBody(request, 'gpt-4o') as ReturnType<typeof chatBody>;
    expect(body).toMatchObject({ model: 'gpt-4o', temperature: 0, max_tokens: 150 });
    expect(body.response_format).toBeUndefined();
    expect(body.messages.map((m) => m.role)).toEqual(['system', 'user']);
    expect(invalidBody('chat', body)).toBeUndefined();
    expect(invalidBody('completions', body)).toMatch(/messages/);
  });
});

describe('JSONL store', () => {
  const line = (id: string, status: LabelLine['status']): LabelLine =>
    ({ id, row: Number(id), ids: { uid: id }, status, findings: {}, normal: false, evidence: [], engine: { name: 'openai', version: 'm' }, task: 'findings', model: 'm', profile: 'json', promptVersion: 'json-1', time: '', mode: 'online' }) as unknown as LabelLine;

  it('trims a cut-off last line with a warning and lets the latest line per id win', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rrx-store-'));
    const path = join(dir, 'labels.jsonl');
    const writer = new LineWriter(path);
    writer.append(line('1', 'error'));
    writer.append(line('2', 'ok'));
    writer.append(line('1', 'ok'));
    writer.close();
    const whole = await readFile(path, 'utf8');
    await writeFile(path, `${whole}{"id":"3","status":"o`);
    const warnings: string[] = [];
    const state = await readStore(path, (w) => warnings.push(w));
    expect(warnings.join()).toMatch(/cut-off line/);
    expect(await readFile(path, 'utf8')).toBe(whole);
    expect(state.latest.get('1')!.status).toBe('ok');
    expect(state.latest.has('3')).toBe(false);
    expect(statusCounts(state)).toMatchObject({ ok: 2, error: 0 });
  });

  it('treats a missing file as empty', async () => {
    const state = await readStore(join(tmpdir(), 'rrx-does-not-exist.jsonl'), () => {});
    expect(state.latest.size).toBe(0);
  });
});

describe('progress line', () => {
  it('shows done/total, failures, tokens and the cost estimate, and never a report', () => {
    const stats = new RunStats(10, priceFor('gpt-4o'));
    stats.add('ok', { promptTokens: 400_000, completionTokens: 50_000 });
    stats.add('error');
    stats.add('unparsed', { promptTokens: 100_000, completionTokens: 10_000 });
    const line = stats.line();
    expect(line).toMatch(/^3\/10 rows · 1 failed · 1 unparsed · [\d.]+ rows\/s/);
    expect(line).toMatch(/560,000 tokens · ~\$1\.85/);
    expect(new RunStats(1, undefined).line()).not.toMatch(/\$/);
  });
});

describe('labels-to-csv', () => {
  it('keeps the latest line per id, writes rows in input order, skips a cut-off line, and blanks unlabeled rows', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rrx-l2c-'));
    const input = join(dir, 'labels.jsonl');
    const findings = (over: Record<string, string> = {}) => ({ Atelectasis: 'absent', Cardiomegaly: 'absent', Consolidation: 'absent', Edema: 'absent', 'Enlarged Cardiomediastinum': 'absent', Fracture: 'absent', 'Lung Lesion': 'absent', 'Lung Opacity': 'absent', 'Pleural Effusion': 'absent', 'Pleural Other': 'absent', Pneumonia: 'absent', Pneumothorax: 'absent', 'Support Devices': 'absent', ...over });
    const l = (id: string, row: number, status: string, f = findings(), normal = false) => JSON.stringify({ id, row, ids: { uid: id }, status, findings: f, normal, evidence: [], engine: { name: 'openai', version: 'gpt-4o' }, task: 'findings' });
    await writeFile(
      input,
      [l('b', 2, 'ok', findings({ Cardiomegaly: 'positive', Edema: 'negative' })), l('a', 1, 'error'), l('c', 3, 'unparsed'), l('a', 1, 'ok', findings(), true)].join('\n') + '\n{"id":"d","row":4,"sta',
    );
    const warnings: string[] = [];
    const output = join(dir, 'labels.csv');
    const r = await labelsToCsv(input, output, undefined, (w) => warnings.push(w));
    expect(r).toMatchObject({ rows: 3, replaced: 1, status: { ok: 2, error: 0, unparsed: 1 } });
    expect(warnings.join()).toMatch(/line 5 .* not JSON/);
    const csv = (await readFile(output, 'utf8')).trimEnd().split('\n');
    expect(csv[0]).toBe('uid,findings,status,Atelectasis,Cardiomegaly,Consolidation,Edema,Enlarged Cardiomediastinum,Fracture,Lung Lesion,Lung Opacity,Pleural Effusion,Pleural Other,Pneumonia,Pneumothorax,Support Devices');
    expect(csv[1]).toBe('a,Normal,ok,,,,,,,,,,,,,');
    expect(csv[2]).toBe('b,Cardiomegaly,ok,,1,,0,,,,,,,,,');
    expect(csv[3]).toBe('c,,unparsed,,,,,,,,,,,,,');
  });
});
