/**
 * One training example per model call, built with the app's own prompt module, so the model is trained on
 * exactly the messages the browser engine sends (buildRequests) and the answers the engine parses (formatAnswers).
 */
import { buildRequests, requestMessages, requestText, type ChatMessage, type PromptProfileId } from '../../../src/lib/prompts/profiles.ts';
import { formatAnswers } from '../../../src/lib/prompts/target.ts';
import { UsageError } from '../../../src/lib/errors.ts';
import type { LabelResult, Task } from '../../../src/lib/result.ts';

/** `chat`: torchtune chat_dataset JSONL (`messages`, openai style); `alpaca`: instruction/input/output records. */
export type DatasetFormat = 'chat' | 'alpaca';
export const DATASET_FORMATS: readonly DatasetFormat[] = ['chat', 'alpaca'];

/** One line of train.jsonl / validation.jsonl: torchtune's chat_dataset reads `messages` (openai style). */
export interface ChatExample {
  id: string;
  messages: ChatMessage[];
}

/**
 * One line of an Alpaca-format set (`dataset --format alpaca`): torchtune's alpaca_dataset reads `instruction`,
 * `input` and `output` (torchtune/data/_messages.py AlpacaToMessages); the paper's records had no input.
 */
export interface AlpacaExample {
  id: string;
  task: Task;
  instruction: string;
  input: string;
  output: string;
}

export type TrainingExample = ChatExample | AlpacaExample;

export interface ExampleOptions {
  format?: DatasetFormat;
  /** alpaca, task both: whether this report also gives a findings example (the paper's 2:1 mix, see build.ts). */
  withFindings?: boolean;
}

export function buildExamples(profile: PromptProfileId, task: Task, id: string, report: string, result: LabelResult, options: ExampleOptions = {}): TrainingExample[] {
  if (options.format === 'alpaca') return buildAlpacaExamples(profile, task, id, report, result, options.withFindings ?? true);
  const requests = buildRequests(profile, task, report);
  const answers = formatAnswers(requests, result, report);
  return requests.map((r, i) => ({ id, messages: [...requestMessages(r), { role: 'assistant', content: answers[i] }] }));
}

/**
 * The paper's records (reference README, "Training"): instruction = the authors' prompt with the report in place
 * (the release profile's raw completion prompt, byte for byte), no input, output = the answer in the released
 * model's shape. ICD-10 outputs are the phrase list alone: the authors' weak-label script kept only the first line
 * of GPT-4o's answer (gpt_data_generate.py), so that is what the released model was trained to write.
 */
function buildAlpacaExamples(profile: PromptProfileId, task: Task, id: string, report: string, result: LabelResult, withFindings: boolean): AlpacaExample[] {
  if (profile !== 'release') throw new UsageError(`--format alpaca writes the authors' prompts and needs --prompt-profile release (got ${profile}).`);
  const requests = buildRequests(profile, task, report).filter((r) => task !== 'both' || r.task !== 'findings' || withFindings);
  const answers = formatAnswers(requests, result, report);
  return requests.map((r, i) => ({
    id,
    task: r.task,
    instruction: requestText(r),
    input: '',
    output: r.task === 'icd10' ? answers[i].split('\n')[0] : answers[i],
  }));
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

export function estimateExampleTokens(example: TrainingExample): { prompt: number; answer: number } {
  if (!('messages' in example)) return { prompt: 1 + estimateTokens(example.instruction + example.input) + TOKENS_PER_MESSAGE, answer: estimateTokens(example.output) + TOKENS_PER_MESSAGE };
  let prompt = 1;
  let answer = 0;
  for (const m of example.messages) {
    const t = estimateTokens(m.content) + TOKENS_PER_MESSAGE;
    if (m.role === 'assistant') answer += t;
    else prompt += t;
  }
  return { prompt, answer };
}
