/** One prompt request as an OpenAI chat-completions body, and its token estimate for the rate limiter. */
import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import { schemaName, type PromptRequest } from '../../src/lib/prompts/index.ts';

export function chatBody(request: PromptRequest, model: string): ChatCompletionCreateParamsNonStreaming {
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
 * Tokens a request may use, as the server's rate limiter counts them before it runs: the prompt (about four
 * characters a token, plus a few per message; the schema is shown to the model too) and the answer's upper
 * bound. Corrected from `usage` once the answer is back.
 */
export function estimateTokens(request: PromptRequest): number {
  const chars = request.messages.reduce((n, m) => n + m.content.length, 0) + (request.schema ? JSON.stringify(request.schema).length : 0);
  return Math.ceil(chars / 4) + 4 * request.messages.length + 3 + request.maxTokens;
}

/** The prompt part of the estimate only (for dry-run cost figures). */
export function estimatePromptTokens(request: PromptRequest): number {
  return estimateTokens(request) - request.maxTokens;
}
