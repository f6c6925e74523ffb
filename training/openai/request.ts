/**
 * One prompt request as an OpenAI-protocol body (chat completions for `json` and `release-weak-labels`, raw
 * completions for `release`), and its token estimate for the rate limiter.
 */
import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import type { CompletionCreateParamsNonStreaming } from 'openai/resources/completions';
import { promptText, schemaName, type ChatPromptRequest, type CompletionPromptRequest, type PromptRequest } from '../../src/lib/prompts/index.ts';

export function chatBody(request: ChatPromptRequest, model: string): ChatCompletionCreateParamsNonStreaming {
  const body: ChatCompletionCreateParamsNonStreaming = {
    model,
    messages: request.messages.map((m) => ({ role: m.role, content: m.content })),
    // Labels should not change between runs of the same report.
    temperature: 0,
    // max_tokens rather than max_completion_tokens: gpt-4o, Azure and older vLLM releases all accept it.
    max_tokens: request.maxTokens,
  };
  if (request.profile === 'json' && request.schema) {
    body.response_format = {
      type: 'json_schema',
      json_schema: { name: schemaName(request.task), strict: true, schema: request.schema },
    };
  }
  return body;
}

/**
 * A raw completion, as vLLM serves the released model: the prompt without BOS, because vLLM's /v1/completions
 * tokenizes with the tokenizer's special tokens (Llama 3: one `<|begin_of_text|>`) itself; greedy; the authors'
 * 150 tokens; Llama 3's stop tokens as stop strings (vLLM also stops at the model's EOS ids).
 */
export function completionBody(request: CompletionPromptRequest, model: string): CompletionCreateParamsNonStreaming {
  return { model, prompt: promptText(request, { addBos: false }), temperature: 0, max_tokens: request.maxTokens, stop: [...request.stop] };
}

/** Which endpoint a request goes to, relative to the API root. */
export type Endpoint = '/chat/completions' | '/completions';

export const endpointOf = (request: Pick<PromptRequest, 'kind'>): Endpoint => (request.kind === 'chat' ? '/chat/completions' : '/completions');

export function requestBody(request: PromptRequest, model: string): ChatCompletionCreateParamsNonStreaming | CompletionCreateParamsNonStreaming {
  return request.kind === 'chat' ? chatBody(request, model) : completionBody(request, model);
}

/**
 * Tokens a request may use, as the server's rate limiter counts them before it runs: the prompt (about four
 * characters a token, plus a few per message; the schema is shown to the model too) and the answer's upper
 * bound. Corrected from `usage` once the answer is back.
 */
export function estimateTokens(request: PromptRequest): number {
  const messages = request.kind === 'chat' ? request.messages.length : 0;
  const chars =
    request.kind === 'chat'
      ? request.messages.reduce((n, m) => n + m.content.length, 0) + (request.schema ? JSON.stringify(request.schema).length : 0)
      : request.prompt.length;
  return Math.ceil(chars / 4) + 4 * messages + 3 + request.maxTokens;
}

/** The prompt part of the estimate only (for dry-run cost figures). */
export function estimatePromptTokens(request: PromptRequest): number {
  return estimateTokens(request) - request.maxTokens;
}
