/**
 * One training example per model call, built with the app's own prompt module, so the model is trained on
 * exactly the messages the browser engine sends (buildRequests) and the answers the engine parses (formatAnswers).
 */
import { buildRequests, requestMessages, type ChatMessage, type PromptProfileId } from '../../../src/lib/prompts/profiles.ts';
import { formatAnswers } from '../../../src/lib/prompts/target.ts';
import type { LabelResult, Task } from '../../../src/lib/result.ts';

/** One line of train.jsonl / validation.jsonl: torchtune's chat_dataset reads `messages` (openai style). */
export interface ChatExample {
  id: string;
  messages: ChatMessage[];
}

export function buildExamples(profile: PromptProfileId, task: Task, id: string, report: string, result: LabelResult): ChatExample[] {
  const requests = buildRequests(profile, task, report);
  const answers = formatAnswers(requests, result, report);
  return requests.map((r, i) => ({ id, messages: [...requestMessages(r), { role: 'assistant', content: answers[i] }] }));
}

/** Key for finding identical reports: whitespace runs collapsed, ends trimmed. */
export function normaliseForDedupe(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * True when the label's evidence spans point at this very text. A mismatch means the labels were made from other
 * text (another --text-column, an edited file), and the answer's quotes would not be in the prompt.
 */
export function evidenceMatches(report: string, result: LabelResult): boolean {
  return result.evidence.every((e) => report.slice(e.mention.start, e.mention.end) === e.mention.text);
}

// Llama 3's tokenizer averages about four characters of English per token; radiology text runs a little denser,
// so the estimate rounds up. Each message adds its header tokens (<|start_header_id|>role<|end_header_id|>\n\n ... <|eot_id|>).
const CHARS_PER_TOKEN = 3.8;
const TOKENS_PER_MESSAGE = 5;

export function estimateTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

export function estimateExampleTokens(example: ChatExample): { prompt: number; answer: number } {
  let prompt = 1;
  let answer = 0;
  for (const m of example.messages) {
    const t = estimateTokens(m.content) + TOKENS_PER_MESSAGE;
    if (m.role === 'assistant') answer += t;
    else prompt += t;
  }
  return { prompt, answer };
}
