/**
 * wllama (llama.cpp compiled to WebAssembly) as a CompletionRuntime: the browser's thin adapter for the GGUF engine
 * in src/lib/llm/gguf-engine.ts. Requests go to llama.cpp's own server code through `createCompletion`: `json_schema`
 * becomes llama.cpp's grammar, `logit_bias` keeps unconstrained answers off lone high bytes, `abortSignal` stops the
 * generation between two tokens.
 */
import type { Wllama } from '@wllama/wllama';
import type { CompletionRequest, CompletionResponse, CompletionRuntime } from '../../lib/llm/gguf-engine.ts';

/** `highBytes`: the GGUF's byte-fallback tokens <0x80>..<0xFF> (gguf-file.ts reads them from the header). */
export function createWllamaRuntime(wllama: Wllama, highBytes: readonly number[]): CompletionRuntime {
  const bias = Object.fromEntries(highBytes.map((id) => [String(id), -100]));
  return {
    async complete(request: CompletionRequest, signal?: AbortSignal): Promise<CompletionResponse> {
      const t0 = performance.now();
      const response = await wllama.createCompletion({
        prompt: request.prompt,
        max_tokens: request.maxTokens,
        temperature: request.temperature,
        seed: request.seed,
        stop: request.stop,
        ...(request.banHighByteTokens && highBytes.length ? { logit_bias: bias } : {}),
        ...(request.jsonSchema ? { json_schema: request.jsonSchema } : {}),
        ...(signal ? { abortSignal: signal } : {}),
        stream: false,
      } as Parameters<Wllama['createCompletion']>[0] & { stream: false });
      const choice = response.choices[0];
      const timings = response.timings as { prompt_ms?: number; predicted_ms?: number } | undefined;
      return {
        text: choice?.text ?? '',
        promptTokens: response.usage?.prompt_tokens ?? 0,
        completionTokens: response.usage?.completion_tokens ?? 0,
        finishReason: choice?.finish_reason === 'length' ? 'length' : 'stop',
        prefillMs: timings?.prompt_ms,
        decodeMs: timings?.predicted_ms ?? performance.now() - t0,
      };
    },
  };
}
