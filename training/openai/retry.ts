/**
 * Which failed calls are worth repeating, and how long to wait first. The SDK's own retries are switched off
 * (maxRetries: 0), so this is the only retry loop: it honours the server's Retry-After (seconds, an HTTP date,
 * or `retry-after-ms`) and otherwise backs off exponentially with jitter.
 */
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { CallFailed, type CallFailure as Failure } from '../../src/lib/errors.ts';
import { realClock, type Clock } from './limiter.ts';
import { redact } from './redact.ts';

// Callers have imported these from here; they live with every other error.
export { CallFailed };
export type { CallFailure as Failure } from '../../src/lib/errors.ts';

export interface RetryPolicy {
  maxRetries: number;
  baseMs: number;
  maxMs: number;
  random?: () => number;
}

// A server asking for more than this is treated as this, so one header cannot park a run for hours.
const MAX_RETRY_AFTER_MS = 15 * 60_000;

type HeaderSource = Headers | Record<string, string | string[] | undefined> | undefined | null;

function header(headers: HeaderSource, name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const v = (headers as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The wait a response asks for, in ms: `retry-after-ms`, then `retry-after` as seconds or an HTTP date. */
export function parseRetryAfter(headers: HeaderSource, now = Date.now()): number | undefined {
  const ms = header(headers, 'retry-after-ms');
  if (ms !== undefined && /^\s*\d+(\.\d+)?\s*$/.test(ms)) return Math.min(Number(ms), MAX_RETRY_AFTER_MS);
  const after = header(headers, 'retry-after');
  if (after === undefined) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(after)) return Math.min(Number(after) * 1000, MAX_RETRY_AFTER_MS);
  const date = Date.parse(after);
  if (Number.isNaN(date)) return undefined;
  return Math.min(Math.max(0, date - now), MAX_RETRY_AFTER_MS);
}

/** Exponential backoff with jitter: attempt 0 waits base·[0.5, 1), attempt 1 base·2·[0.5, 1), ... capped. */
export function backoffMs(attempt: number, policy: RetryPolicy): number {
  const random = policy.random ?? Math.random;
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** attempt);
  return Math.round(ceiling * (0.5 + 0.5 * random()));
}

export function retryDelay(failure: Failure, attempt: number, policy: RetryPolicy): number {
  return failure.retryAfterMs ?? backoffMs(attempt, policy);
}

function errorType(e: APIError): string {
  const body = e.error as { type?: unknown; code?: unknown } | undefined;
  const t = e.code ?? (typeof body?.code === 'string' ? body.code : undefined) ?? e.type ?? (typeof body?.type === 'string' ? body.type : undefined);
  return t ? ` ${t}` : '';
}

/** Sorts any error a call can throw into a Failure. */
export function classify(e: unknown): Failure {
  const message = redact(e instanceof Error ? e.message : String(e)).slice(0, 500);
  if (e instanceof APIUserAbortError || (e instanceof Error && e.name === 'AbortError')) {
    return { kind: 'aborted', retryable: false, fatal: false, summary: 'aborted', message };
  }
  if (e instanceof APIConnectionTimeoutError) {
    return { kind: 'timeout', retryable: true, fatal: false, summary: 'timed out', message };
  }
  if (e instanceof APIConnectionError) {
    return { kind: 'connection', retryable: true, fatal: false, summary: 'connection failed', message };
  }
  if (e instanceof APIError && typeof e.status === 'number') {
    const status = e.status;
    const type = errorType(e);
    const summary = `HTTP ${status}${type}`;
    const retryAfterMs = parseRetryAfter(e.headers as HeaderSource);
    if (status === 429 && /insufficient_quota/.test(type)) return { kind: 'quota', retryable: false, fatal: true, status, summary, message };
    if (status === 429) return { kind: 'rate_limit', retryable: true, fatal: false, status, retryAfterMs, summary, message };
    if (status === 408 || status === 409 || status >= 500) return { kind: 'server', retryable: true, fatal: false, status, retryAfterMs, summary, message };
    if (status === 401 || status === 403 || status === 404) return { kind: 'auth', retryable: false, fatal: true, status, summary, message };
    return { kind: 'client', retryable: false, fatal: false, status, summary, message };
  }
  // A 200 whose body is not JSON (a proxy's error page, a cut-off body): the request itself was fine.
  if (e instanceof SyntaxError) return { kind: 'malformed', retryable: true, fatal: false, summary: 'malformed response', message };
  return { kind: 'connection', retryable: true, fatal: false, summary: (e as Error)?.name ?? 'error', message };
}

export interface RetryHooks {
  clock?: Clock;
  signal?: AbortSignal;
  /** Called before each wait, e.g. to pause the rate limiter on a 429. */
  onRetry?(failure: Failure, attempt: number, delayMs: number): void;
}

/** Runs `call` until it succeeds, a failure is not retryable, or `maxRetries` retries are spent. */
export async function withRetries<T>(call: (attempt: number) => Promise<T>, policy: RetryPolicy, hooks: RetryHooks = {}): Promise<{ value: T; attempts: number }> {
  const clock = hooks.clock ?? realClock;
  for (let attempt = 0; ; attempt++) {
    try {
      return { value: await call(attempt), attempts: attempt + 1 };
    } catch (e) {
      const failure = classify(e);
      if (hooks.signal?.aborted) throw new CallFailed({ ...failure, kind: 'aborted', retryable: false }, attempt + 1);
      if (!failure.retryable || attempt >= policy.maxRetries) throw new CallFailed(failure, attempt + 1);
      const delay = retryDelay(failure, attempt, policy);
      hooks.onRetry?.(failure, attempt, delay);
      await clock.sleep(delay, hooks.signal);
    }
  }
}
