/**
 * Online mode: rows go to the chat-completions endpoint (the completions endpoint for the `release` profile) with a fixed number of workers (the concurrency limit),
 * each call paced by the rate limiter and repeated by the retry loop. A row's line is appended the moment its
 * last answer is back; a row interrupted mid-flight writes nothing and is sent again by the next run.
 */
import type OpenAI from 'openai';
import { APIUserAbortError } from 'openai';
import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import type { CompletionCreateParamsNonStreaming } from 'openai/resources/completions';
import type { PromptRequest } from '../../src/lib/prompts/index.ts';
import { failedResult } from '../../src/lib/result.ts';
import { engineInfo, makeLine, requestsFor, resultFromAnswers, type Answer } from './label-line.ts';
import { RateLimiter, realClock, type Clock } from './limiter.ts';
import type { OpenAiConfig } from './options.ts';
import { estimateTokens, requestBody } from './request.ts';
import { CallFailed, withRetries } from './retry.ts';
import type { InputRow } from './rows.ts';
import type { RunStats } from './stats.ts';
import type { LabelLine } from './store.ts';

/** Rows in a row that failed for good before the run gives up (the server is down, or refuses every request). */
export const MAX_CONSECUTIVE_FAILURES = 20;

export interface OnlineContext {
  config: OpenAiConfig;
  client: OpenAI;
  /** Appends a finished row's line (and counts it). */
  record(line: LabelLine): void;
  stats: RunStats;
  log: (message: string) => void;
  /** Aborted on Ctrl-C: no new rows start, calls in flight are cancelled. */
  signal: AbortSignal;
  clock?: Clock;
}

export interface StopReason {
  kind: 'fatal' | 'failures' | 'interrupted';
  message: string;
}

/** A 200 whose body is not a (chat) completion; retried like a malformed body. */
class MalformedCompletion extends SyntaxError {}

export async function runOnline(ctx: OnlineContext, rows: AsyncIterable<InputRow>): Promise<StopReason | undefined> {
  const { config, client, record, stats, log } = ctx;
  const clock = ctx.clock ?? realClock;
  const limiter = new RateLimiter({ rpm: config.rpm, tpm: config.tpm, clock });
  const stop = new AbortController();
  const signal = AbortSignal.any([ctx.signal, stop.signal]);
  let reason: StopReason | undefined;
  let consecutive = 0;
  const iterator = rows[Symbol.asyncIterator]();
  // At scale a rate limit hits many requests at once: one retry line every few seconds, with a count, is enough.
  let lastRetryLog = -Infinity;
  let quiet = 0;
  const retryLog = (line: string) => {
    const now = clock.now();
    if (now - lastRetryLog < 5000) {
      quiet++;
      return;
    }
    log(quiet ? `${line} (and ${quiet} more retries since the last note)` : line);
    lastRetryLog = now;
    quiet = 0;
  };

  /** One request to its endpoint: the answer text, finish reason and usage, whichever endpoint it was. */
  const send = async (request: PromptRequest, options: { signal: AbortSignal; timeout: number; maxRetries: 0 }) => {
    const body = requestBody(request, config.model);
    if (request.kind === 'completion') {
      const completion = await client.completions.create(body as CompletionCreateParamsNonStreaming, options);
      const choice = completion?.choices?.[0];
      if (!choice || typeof choice.text !== 'string') throw new MalformedCompletion('the response has no choices');
      return { content: choice.text, finishReason: choice.finish_reason, usage: completion.usage };
    }
    const completion = await client.chat.completions.create(body as ChatCompletionCreateParamsNonStreaming, options);
    const choice = completion?.choices?.[0];
    if (!choice || typeof choice.message !== 'object') throw new MalformedCompletion('the response has no choices');
    return { content: choice.message.content ?? choice.message.refusal ?? '', finishReason: choice.finish_reason, usage: completion.usage };
  };

  const call = async (request: PromptRequest, estimate: number): Promise<{ answer: Answer; attempts: number; ms: number }> => {
    let ms = 0;
    const { value, attempts } = await withRetries(
      async () => {
        await limiter.acquire(estimate, signal);
        if (signal.aborted) throw new APIUserAbortError();
        const t0 = clock.now();
        // The SDK never removes the listener it adds to a signal, so each call gets its own short-lived one.
        const scoped = new AbortController();
        const cancel = () => scoped.abort();
        signal.addEventListener('abort', cancel, { once: true });
        let reply;
        try {
          reply = await send(request, { signal: scoped.signal, timeout: config.timeoutMs, maxRetries: 0 });
        } finally {
          signal.removeEventListener('abort', cancel);
        }
        ms += clock.now() - t0;
        const used = reply.usage;
        limiter.settle(estimate, used ? used.prompt_tokens + used.completion_tokens : estimate);
        return {
          content: reply.content,
          finishReason: reply.finishReason ?? 'unknown',
          promptTokens: used?.prompt_tokens ?? 0,
          completionTokens: used?.completion_tokens ?? 0,
        } satisfies Answer;
      },
      config.retry,
      {
        clock,
        signal,
        onRetry(failure, attempt, delay) {
          stats.retries++;
          // A 429 speaks for the whole account: hold every worker back, not just this one.
          if (failure.kind === 'rate_limit') limiter.pause(delay);
          retryLog(`retrying: ${failure.summary}; waiting ${(delay / 1000).toFixed(1)} s`);
        },
      },
    );
    return { answer: value, attempts, ms };
  };

  const worker = async () => {
    try {
      await work();
    } catch (e) {
      // A broken output file or a bug: stop the other workers too rather than label rows that cannot be saved.
      stop.abort();
      throw e;
    }
  };

  const work = async () => {
    while (!signal.aborted) {
      const next = await iterator.next();
      if (next.done || signal.aborted) return;
      const row = next.value;
      const requests = requestsFor(config, row);
      const answers: Answer[] = [];
      let attempts = 0;
      let latencyMs = 0;
      let failed: CallFailed | undefined;
      for (const request of requests) {
        try {
          const r = await call(request, estimateTokens(request));
          answers.push(r.answer);
          attempts += r.attempts;
          latencyMs += r.ms;
        } catch (e) {
          if (!(e instanceof CallFailed)) throw e;
          attempts += e.attempts;
          failed = e;
          break;
        }
      }
      if (failed?.failure.kind === 'aborted' || (signal.aborted && !failed && answers.length < requests.length)) return;
      if (failed?.failure.fatal) {
        reason ??= { kind: 'fatal', message: `The server refused the request (${failed.failure.summary}); stopping. Check the key, the model name and the quota.` };
        stop.abort();
        return;
      }
      const result = failed
        ? failedResult('error', engineInfo(config), `The request failed: ${failed.failure.message} (${failed.message}).`)
        : resultFromAnswers(config, row, requests, answers);
      record(
        makeLine(config, row, result, {
          mode: 'online',
          attempts,
          latencyMs: Math.round(latencyMs),
          finishReason: answers.map((a) => a.finishReason),
        }),
      );
      if (failed) {
        log(`row ${row.row}: ${failed.message}; recorded as failed (rerun with --retry-failed).`);
        if (++consecutive >= MAX_CONSECUTIVE_FAILURES) {
          reason ??= { kind: 'failures', message: `${consecutive} rows in a row failed (${failed.failure.summary}); stopping. Is the server up?` };
          stop.abort();
        }
      } else consecutive = 0;
    }
  };

  try {
    await Promise.all(Array.from({ length: config.concurrency }, worker));
  } finally {
    await iterator.return?.(undefined);
  }
  if (!reason && ctx.signal.aborted) reason = { kind: 'interrupted', message: 'Stopped; finished rows are saved. Run the same command again to continue.' };
  return reason;
}
