/**
 * The LLM as a LabelEngine: builds the profile's requests, asks an object with WebLLM's interface (the real
 * MLCEngine in the worker, a scripted stand-in in tests), and parses every answer with the shared prompt module.
 * `json` goes through chat completions with a schema; `release` through the raw completions API
 * (`engine.completions.create`), with no chat template, and with the BOS token in the prompt text, because WebLLM's
 * completion path feeds only the prompt's own tokens (see prompts/profiles.ts). Decoding is deterministic
 * (temperature 0, fixed seed) so a report labels the same way twice.
 */
import type { LabelEngine, LabelOptions } from '../engine.ts';
import { RadReportXError } from '../errors.ts';
import { buildRequests, promptText, type ChatMessage, type ChatPromptRequest, type CompletionPromptRequest, type PromptProfileId, type PromptRequest } from '../prompts/profiles.ts';
import { parseAnswers } from '../prompts/parse.ts';
import { failedResult, isBlankReport, type EngineInfo, type LabelResult } from '../result.ts';
import type { RegistryEntry } from './registry.ts';
import { isAbort, mapWebLlmError } from './webllm-errors.ts';

/** The request fields we send: a subset of WebLLM's ChatCompletionRequestNonStreaming. */
export interface ChatRequest {
  messages: ChatMessage[];
  stream: false;
  temperature: 0;
  top_p: 1;
  seed: number;
  max_tokens: number;
  response_format?: { type: 'json_object'; schema: string };
}

/** The response fields we read: a subset of WebLLM's ChatCompletion. */
export interface ChatResponse {
  choices: { message: { content: string | null }; finish_reason?: string | null }[];
  usage?: {
    prompt_tokens: number;
    completion_tokens: number;
    extra?: { e2e_latency_s?: number; decode_tokens_per_s?: number };
  };
}

/** The request fields we send for a raw completion: a subset of WebLLM's CompletionCreateParamsNonStreaming. */
export interface CompletionRequest {
  prompt: string;
  stream: false;
  temperature: 0;
  top_p: 1;
  seed: number;
  max_tokens: number;
  stop: string[];
}

/** The response fields we read: a subset of WebLLM's Completion. */
export interface CompletionResponse {
  choices: { text: string; finish_reason?: string | null }[];
  usage?: ChatResponse['usage'];
}

/** The part of WebLLM's MLCEngine the adapter uses. */
export interface ChatLike {
  chat: { completions: { create(request: ChatRequest): Promise<ChatResponse> } };
  /** Raw completions (`release` profile); MLCEngine has it since 0.2.4x. */
  completions?: { create(request: CompletionRequest): Promise<CompletionResponse> };
  /** Stops the generation in progress (MLCEngine.interruptGenerate). */
  interruptGenerate?(): void;
}

export interface LlmEngineOptions {
  /** Defaults to the registry entry's profile. */
  profile?: PromptProfileId;
  seed?: number;
  /** Clock for latency, injectable for tests. */
  now?: () => number;
}

export const DEFAULT_SEED = 42;

/** The request for one chat PromptRequest, exactly as sent. */
export function chatRequest(r: ChatPromptRequest, seed = DEFAULT_SEED): ChatRequest {
  const req: ChatRequest = { messages: r.messages, stream: false, temperature: 0, top_p: 1, seed, max_tokens: r.maxTokens };
  if (r.schema) req.response_format = { type: 'json_object', schema: JSON.stringify(r.schema) };
  return req;
}

/** The request for one completion PromptRequest, exactly as sent: WebLLM needs the BOS in the text. */
export function completionRequest(r: CompletionPromptRequest, seed = DEFAULT_SEED): CompletionRequest {
  return { prompt: promptText(r, { addBos: true }), stream: false, temperature: 0, top_p: 1, seed, max_tokens: r.maxTokens, stop: [...r.stop] };
}

interface Answer {
  text: string;
  usage?: ChatResponse['usage'];
}

// Failures of one report (it is too long) become an error row; failures of the engine stop the batch.
const ROW_ERRORS = new Set(['ContextWindowSizeExceededError']);

export function createLlmEngine(chat: ChatLike, model: RegistryEntry, options: LlmEngineOptions = {}): LabelEngine {
  const profile = options.profile ?? model.promptProfile;
  const seed = options.seed ?? DEFAULT_SEED;
  const now = options.now ?? (() => performance.now());
  const info: EngineInfo = { name: 'webllm', version: `${model.id}+${profile}` };

  const noAnswer = () => new RadReportXError('ModelLoadFailed', 'The model returned no answer.', 'Reload the model and try again.');

  /** One call: chat completions for chat requests, the raw completions API for completion requests (release). */
  async function ask(request: PromptRequest, signal?: AbortSignal): Promise<Answer> {
    if (signal?.aborted) throw signal.reason ?? new DOMException('Aborted', 'AbortError');
    const onAbort = () => chat.interruptGenerate?.();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      if (request.kind === 'chat') {
        const response = await chat.chat.completions.create(chatRequest(request, seed));
        const choice = response.choices[0];
        if (!choice) throw noAnswer();
        return { text: choice.message.content ?? '', usage: response.usage };
      }
      if (!chat.completions) throw new RadReportXError('ModelLoadFailed', 'This engine has no raw completions API, which the release prompt profile needs.', 'Use the json prompt profile.');
      const response = await chat.completions.create(completionRequest(request, seed));
      const choice = response.choices[0];
      if (!choice) throw noAnswer();
      return { text: choice.text ?? '', usage: response.usage };
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  return {
    info,
    async label(text: string, opts: LabelOptions = {}): Promise<LabelResult> {
      if (isBlankReport(text)) return failedResult('empty', info, 'The report is empty.');
      const requests = buildRequests(profile, opts.task ?? 'findings', text);
      const raws: string[] = [];
      let promptTokens = 0;
      let completionTokens = 0;
      const start = now();
      for (const r of requests) {
        let response: Answer;
        try {
          response = await ask(r, opts.signal);
        } catch (e) {
          // Our own errors (no answer, no completions API) already say what to do.
          if (opts.signal?.aborted || isAbort(e) || e instanceof RadReportXError) throw e;
          const mapped = mapWebLlmError(e, { modelName: model.name });
          if (ROW_ERRORS.has(String((e as { name?: string })?.name ?? String(e).split(':')[0]))) {
            return failedResult('error', info, `${mapped.message} ${mapped.hint ?? ''}`.trim(), { raw: raws.length ? JSON.stringify(raws) : undefined });
          }
          throw mapped;
        }
        if (opts.signal?.aborted) throw opts.signal.reason ?? new DOMException('Aborted', 'AbortError');
        raws.push(response.text);
        promptTokens += response.usage?.prompt_tokens ?? 0;
        completionTokens += response.usage?.completion_tokens ?? 0;
      }
      const usage = { promptTokens, completionTokens, latencyMs: Math.round(now() - start) };
      return parseAnswers(requests, raws, text, info, { uncertainAsPositive: opts.uncertainAsPositive, usage });
    },
  };
}

/** Decode speed over a set of results, for the batch and smoke summaries. */
export function tokensPerSecond(results: readonly Pick<LabelResult, 'usage'>[]): number | undefined {
  let tokens = 0;
  let ms = 0;
  for (const r of results) {
    if (!r.usage?.latencyMs) continue;
    tokens += r.usage.completionTokens;
    ms += r.usage.latencyMs;
  }
  return ms > 0 ? (tokens * 1000) / ms : undefined;
}
