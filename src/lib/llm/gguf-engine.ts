/**
 * A GGUF model run by llama.cpp as a LabelEngine, independent of which llama.cpp runtime runs it (wllama in the
 * browser worker, node-llama-cpp in the CLI). This part is pure: it turns the profile's requests into completion
 * requests (`json`: the chat messages rendered in the Llama-3 format plus the answer's JSON schema, which the
 * runtime turns into a grammar; raw-prompt profiles: the prompt as is), asks the runtime, and parses every answer
 * with the shared profile parsers. The runtimes add BOS themselves when the GGUF says `tokenizer.ggml.add_bos_token`,
 * so no prompt here starts with one.
 */
import type { LabelEngine, LabelOptions } from '../engine.ts';
import { RadReportXError } from '../errors.ts';
import { FINDINGS } from '../findings.ts';
import { buildRequests, LLAMA3_STOP, promptText, type ChatMessage, type ChatPromptRequest, type PromptProfileId, type PromptRequest } from '../prompts/profiles.ts';
import { parseAnswers } from '../prompts/parse.ts';
import { failedResult, isBlankReport, type EngineInfo, type LabelResult } from '../result.ts';

/** One completion, as every llama.cpp runtime adapter takes it. */
export interface CompletionRequest {
  /** The text after BOS (the runtime adds BOS when the model asks for it). Special-token text is parsed. */
  prompt: string;
  maxTokens: number;
  /** The answer must follow this JSON schema (the runtime compiles it to a grammar). */
  jsonSchema?: Record<string, unknown>;
  /** Generation stops at any of these (the stop text is not part of the answer). */
  stop: string[];
  temperature: 0;
  seed: number;
  /**
   * Unconstrained sampling must not emit a lone byte token above 0x7F: a vocabulary with byte fallback (`<0x80>`..
   * `<0xFF>`) can then produce text that is not UTF-8, which llama.cpp's server code throws on.
   */
  banHighByteTokens: boolean;
}

export interface CompletionResponse {
  text: string;
  promptTokens: number;
  completionTokens: number;
  finishReason: 'stop' | 'length';
  /** Milliseconds spent reading the prompt and generating, when the runtime reports them. */
  prefillMs?: number;
  decodeMs?: number;
}

/** What a runtime adapter implements; `signal` stops a generation in progress. */
export interface CompletionRuntime {
  complete(request: CompletionRequest, signal?: AbortSignal): Promise<CompletionResponse>;
}

/** LabelResult usage plus llama.cpp's own timings: milliseconds reading the prompt and generating the answer. */
export type GgufUsage = NonNullable<LabelResult['usage']> & { prefillMs?: number; decodeMs?: number };

export interface GgufEngineOptions {
  /** `llama-cpp` (CLI) or `wllama` (browser). */
  engineName: string;
  modelId: string;
  profile: PromptProfileId;
  seed?: number;
  /** Replaces the profile's answer schema (tests use an enum-only variant: random weights never close a string). */
  schemaFor?: (request: ChatPromptRequest) => Record<string, unknown> | undefined;
  now?: () => number;
}

/**
 * The `json` answer with names only: each status list is an array of finding names (the parser reads bare names as
 * well as {name, evidence}). About half the answer tokens of the evidence form, and every field is an enum, so even a
 * weak (or random-weight) model always closes the answer. ICD-10 items keep their free-text phrase and code.
 */
export function namesOnlySchema(schema: Record<string, unknown>): Record<string, unknown> {
  const out = structuredClone(schema) as { properties: Record<string, unknown> };
  const names = { type: 'array', items: { type: 'string', enum: [...FINDINGS] }, maxItems: FINDINGS.length };
  for (const key of ['positive', 'uncertain', 'negative']) if (key in out.properties) out.properties[key] = names;
  return out;
}

/** Llama-3's chat format (what RadReportX's base model was tuned on), without the BOS the runtime adds. */
export function renderLlama3Chat(messages: readonly ChatMessage[]): string {
  const turns = messages.map((m) => `<|start_header_id|>${m.role}<|end_header_id|>\n\n${m.content.trim()}<|eot_id|>`);
  return `${turns.join('')}<|start_header_id|>assistant<|end_header_id|>\n\n`;
}

/** The completion request for one profile request, exactly as sent. */
export function completionRequest(r: PromptRequest, options: Pick<GgufEngineOptions, 'seed' | 'schemaFor'> = {}): CompletionRequest {
  if (r.kind === 'completion') {
    // The released model's raw prompt, without BOS: llama.cpp adds it from the GGUF's add_bos_token, and a second
    // one would change what the model sees.
    return { prompt: promptText(r, { addBos: false }), maxTokens: r.maxTokens, stop: [...r.stop], temperature: 0, seed: options.seed ?? 42, banHighByteTokens: true };
  }
  const jsonSchema = options.schemaFor?.(r) ?? r.schema;
  return {
    prompt: renderLlama3Chat(r.messages),
    maxTokens: r.maxTokens,
    ...(jsonSchema ? { jsonSchema } : {}),
    stop: [...LLAMA3_STOP],
    temperature: 0,
    seed: options.seed ?? 42,
    banHighByteTokens: !jsonSchema,
  };
}

/** Failures of one report's generation (not of the engine): the row becomes `error`, the batch goes on. */
export function rowFailure(e: unknown): string | undefined {
  const text = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  if (/invalid UTF-8|type_error\.316|Invalid typed array length/i.test(text)) {
    return 'The model produced bytes that are not valid UTF-8 text, so its answer could not be read.';
  }
  if (/context (size|window|length)|exceeds the (available )?context|n_ctx|too long/i.test(text)) {
    return 'The report is too long for the model’s context window.';
  }
  return undefined;
}

const isAbortError = (e: unknown) => (e as { name?: string } | null)?.name === 'AbortError';

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('Aborted', 'AbortError');
}

export function createGgufEngine(runtime: CompletionRuntime, options: GgufEngineOptions): LabelEngine {
  const now = options.now ?? (() => performance.now());
  const info: EngineInfo = { name: options.engineName, version: `${options.modelId}+${options.profile}` };
  return {
    info,
    async label(text: string, opts: LabelOptions = {}): Promise<LabelResult> {
      if (isBlankReport(text)) return failedResult('empty', info, 'The report is empty.');
      const requests = buildRequests(options.profile, opts.task ?? 'findings', text);
      const raws: string[] = [];
      let promptTokens = 0;
      let completionTokens = 0;
      let prefillMs = 0;
      let decodeMs = 0;
      const cut: boolean[] = [];
      const start = now();
      for (const r of requests) {
        if (opts.signal?.aborted) throw abortReason(opts.signal);
        let response: CompletionResponse;
        try {
          response = await runtime.complete(completionRequest(r, options), opts.signal);
        } catch (e) {
          if (opts.signal?.aborted || isAbortError(e)) throw opts.signal?.aborted ? abortReason(opts.signal) : e;
          const why = rowFailure(e);
          if (why) return failedResult('error', info, why, { raw: raws.length ? JSON.stringify(raws) : undefined });
          throw e instanceof RadReportXError ? e : new RadReportXError('ModelLoadFailed', `The model failed while answering: ${e instanceof Error ? e.message : String(e)}`, 'Reload the model and try again.');
        }
        if (opts.signal?.aborted) throw abortReason(opts.signal);
        raws.push(response.text);
        cut.push(response.finishReason === 'length');
        promptTokens += response.promptTokens;
        completionTokens += response.completionTokens;
        prefillMs += response.prefillMs ?? 0;
        decodeMs += response.decodeMs ?? 0;
      }
      // Prefill and decode times ride along with the usage (when the runtime reports them): they are what a CPU user waits on.
      const usage: GgufUsage = { promptTokens, completionTokens, latencyMs: Math.round(now() - start), ...(prefillMs || decodeMs ? { prefillMs: Math.round(prefillMs), decodeMs: Math.round(decodeMs) } : {}) };
      const result = parseAnswers(requests, raws, text, info, { uncertainAsPositive: opts.uncertainAsPositive, usage });
      if (result.status !== 'ok' && cut.some(Boolean)) {
        result.message = `${result.message ?? ''} The answer hit the ${requests[cut.indexOf(true)].maxTokens}-token limit.`.trim();
      }
      return result;
    },
  };
}
