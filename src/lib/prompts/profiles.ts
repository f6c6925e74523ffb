/**
 * Prompt profiles: the exact input a model sees. The browser engine, the CPU engine, the weak-label generator and
 * the training set builder all call `buildRequests`, so what a model is trained on is what it is asked at inference.
 *
 * - `release`: the released RadReportX, as its authors ran it (inference.py, bionlplab/RadReportX a7f70a8): a raw
 *   completion of the authors' prompt with the report in place of `{note}`, no chat template, no system message,
 *   greedy, at most 150 new tokens; one call per task. Answers: `[Cardiomegaly, Pleural Effusion]` then `Evidence:`
 *   (findings); a quoted phrase list, then maybe `The reason is: 'phrase' (CODE), ...` (ICD-10). See release-parse.ts.
 * - `release-weak-labels`: the paper's GPT-4o teacher prompt (gpt_data_generate.py): a chat request with the
 *   authors' system message and user prompt holding three of the eleven seed examples, drawn per report with a
 *   seeded generator (the draw is on the request, so a run can be logged and repeated); temperature 0, 150 tokens.
 *   ICD-10 only (the paper's findings labels came from MIMIC-CXR, not from GPT-4o). Answers are read by the same
 *   parser as the released model's ICD-10 answers.
 * - `json`: this project's format: a short system prompt, the report, and one JSON answer (constrained by the
 *   schema in schema.ts) that lists only the findings the report mentions, each with a status and a short evidence
 *   quote, plus the ICD-10 phrases. Under ~400 prompt tokens before the report and ~60 answer tokens for a typical
 *   report.
 *
 * ## BOS: who adds `<|begin_of_text|>` (read this before writing an engine adapter)
 * The released model was run as `tokenizer.encode(prompt)`, which puts exactly one BOS token (id 128000) before the
 * prompt. A completion request here carries the prompt WITHOUT it, plus `bos` saying which token the model expects
 * first; each adapter decides, because runtimes differ:
 * - WebLLM 0.2.86 `engine.completions.create` tokenizes only the prompt text (its template's BOS is added for chat
 *   requests only), so the WebLLM adapter sends `promptText(request, { addBos: true })`.
 * - llama.cpp (wllama, node-llama-cpp) adds BOS itself when the GGUF says `tokenizer.ggml.add_bos_token`, and vLLM's
 *   /v1/completions tokenizes with `add_special_tokens=True`: send `promptText(request, { addBos: false })` (the
 *   default), or the model sees two BOS tokens.
 * Whoever adds it should check once with the loaded tokenizer that the first token is `bos.id` and appears once.
 */
import { UsageError } from '../errors.ts';
import { FINDINGS } from '../findings.ts';
import type { Task } from '../result.ts';
import { FINDINGS_PROMPT, ICD10_PROMPT, NOTE_PLACEHOLDER, WEAK_LABEL_PROMPT, WEAK_LABEL_SEED_EXAMPLES, WEAK_LABEL_SYSTEM_MESSAGE } from './release-data.ts';
import { responseSchema } from './schema.ts';
import { seededRandom } from '../synthetic.ts';

export type PromptProfileId = 'release' | 'release-weak-labels' | 'json';

export const PROMPT_PROFILES: readonly PromptProfileId[] = ['release', 'release-weak-labels', 'json'];

/** Profiles a model in the registry can answer (the teacher prompt is for GPT-4o, not for a browser model). */
export const MODEL_PROFILES: readonly PromptProfileId[] = ['release', 'json'];

/** Bumped whenever a profile's wording or answer format changes; stored with every generated label and dataset. */
export const PROMPT_VERSION: Record<PromptProfileId, string> = { release: 'release-a7f70a8', 'release-weak-labels': 'release-weak-labels-a7f70a8', json: 'json-1' };

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** The Llama-3 tokenizer's BOS, which the released model saw before every prompt. */
export const LLAMA3_BOS = { token: '<|begin_of_text|>', id: 128000 } as const;

/** Llama-3's stop tokens (`<|eot_id|>`, `<|end_of_text|>`): the released model's generation ends at either. */
export const LLAMA3_STOP = ['<|eot_id|>', '<|end_of_text|>'] as const;

interface RequestBase {
  profile: PromptProfileId;
  /** What this call's answer covers. */
  task: Task;
  /** Upper bound on generated tokens: a bounded answer keeps a laptop GPU near a second a report. */
  maxTokens: number;
  /** Greedy decoding everywhere: labels must not change between runs of the same report. */
  temperature: 0;
}

/** A chat request (system + user messages): `json` and `release-weak-labels`. */
export interface ChatPromptRequest extends RequestBase {
  kind: 'chat';
  messages: ChatMessage[];
  /** JSON schema the answer must follow (json profile only). */
  schema?: Record<string, unknown>;
  /** release-weak-labels: which of the eleven seed examples (0-based, in prompt order) this request shows. */
  seedExamples?: number[];
}

/** A raw completion of `prompt` (no chat template): `release`. */
export interface CompletionPromptRequest extends RequestBase {
  kind: 'completion';
  /** The prompt text without BOS; see the module comment and `promptText`. */
  prompt: string;
  /** The token the model expects before the prompt. Adapters whose runtime does not add it prepend it. */
  bos: typeof LLAMA3_BOS;
  /** Stop tokens; runtimes that stop at the model's EOS tokens already stop here. */
  stop: readonly string[];
}

/** One model call. `release` with task `both` needs two calls; `json` answers both tasks in one. */
export type PromptRequest = ChatPromptRequest | CompletionPromptRequest;

export interface BuildOptions {
  /**
   * release-weak-labels: the run's seed for drawing seed examples. The draw for a report depends only on this seed
   * and the report text, so it is the same on a resumed run, a retry, under any concurrency, and when the dataset
   * builder rebuilds the prompt. Default 0.
   */
  sampleSeed?: number;
}

export function isPromptProfile(s: string): s is PromptProfileId {
  return (PROMPT_PROFILES as readonly string[]).includes(s);
}

/** The text to send for a completion request: with BOS for runtimes that do not add it (WebLLM), without for the rest. */
export function promptText(request: CompletionPromptRequest, options: { addBos?: boolean } = {}): string {
  return options.addBos ? `${request.bos.token}${request.prompt}` : request.prompt;
}

/**
 * The request as chat messages, for consumers that only speak chat (a chat-format training set): a completion
 * becomes one user message holding the raw prompt.
 */
export function requestMessages(request: PromptRequest): ChatMessage[] {
  return request.kind === 'chat' ? request.messages : [{ role: 'user', content: request.prompt }];
}

/** All the text a request sends, for token estimates. */
export function requestText(request: PromptRequest): string {
  return request.kind === 'chat' ? request.messages.map((m) => m.content).join('\n') : request.prompt;
}

// `String.replace` would read `$&` or `$'` in a report as replacement patterns; split/join inserts text as is.
const fill = (template: string, placeholder: string, value: string) => template.split(placeholder).join(value);

/** The authors' prompt with the report in place of `{note}`. */
export function releasePrompt(task: 'findings' | 'icd10', report: string): string {
  return fill(task === 'findings' ? FINDINGS_PROMPT : ICD10_PROMPT, NOTE_PLACEHOLDER, report);
}

// FNV-1a, 32 bit: the seed for one report's draw, from the run's seed and the report text.
function hash32(text: string, seed: number): number {
  let h = (0x811c9dc5 ^ (seed >>> 0)) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * Three distinct seed examples for one report, in drawn order, like the authors' `random.sample(SEED_EXAMPLES, 3)`
 * but repeatable: the same seed and report always give the same three.
 */
export function drawSeedExamples(report: string, sampleSeed = 0, count = 3): number[] {
  const random = seededRandom(hash32(report, sampleSeed));
  const pool = WEAK_LABEL_SEED_EXAMPLES.map((_, i) => i);
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, count);
}

/** The teacher prompt for one report with the given seed examples. */
export function weakLabelPrompt(report: string, examples: readonly number[]): string {
  let text = WEAK_LABEL_PROMPT;
  examples.forEach((e, i) => (text = fill(text, `{example${i + 1}}`, WEAK_LABEL_SEED_EXAMPLES[e])));
  return fill(text, NOTE_PLACEHOLDER, report);
}

const FINDING_LIST = FINDINGS.join(', ');

const FINDINGS_RULES =
  'Findings: ' +
  `${FINDING_LIST}. ` +
  'List only findings the report mentions: positive (present, also stable or chronic), uncertain (possible, cannot exclude), ' +
  'negative (absent or resolved). evidence: the shortest quote from the report that shows it, at most 4 words. ' +
  'Empty lists mean normal. Ignore the indication and history.';

const ICD10_RULES =
  'icd10: the shortest phrases, quoted from the report, that each stand for an ICD-10-CM diagnosis the patient has, ' +
  'with the code (e.g. "pleural effusion", "J90"); leave out negated, uncertain, resolved and historical ones.';

const FINDINGS_SHAPE = '"positive":[{"name","evidence"}],"uncertain":[{"name","evidence"}],"negative":["name"]';

const JSON_SYSTEM: Record<Task, string> = {
  findings: `You label chest radiology reports. Answer in JSON: {${FINDINGS_SHAPE}}. ${FINDINGS_RULES}`,
  icd10: `You code chest radiology reports. Answer in JSON: {"icd10":[{"phrase","code"}]}. ${ICD10_RULES} Ignore the indication and history.`,
  both: `You label and code chest radiology reports. Answer in JSON: {${FINDINGS_SHAPE},"icd10":[{"phrase","code"}]}. ${FINDINGS_RULES} ${ICD10_RULES}`,
};

const JSON_MAX_TOKENS: Record<Task, number> = { findings: 160, icd10: 200, both: 320 };

/** The authors' limit (inference.py `max_new_tokens=150`, gpt_data_generate.py `max_tokens=150`). */
export const RELEASE_MAX_TOKENS = 150;

/** The tasks a profile can answer. */
export function profileTasks(profile: PromptProfileId): readonly Task[] {
  return profile === 'release-weak-labels' ? ['icd10'] : ['findings', 'icd10', 'both'];
}

/** The calls that answer `task` for one report under `profile`. */
export function buildRequests(profile: PromptProfileId, task: Task, report: string, options: BuildOptions = {}): PromptRequest[] {
  const text = report.trim();
  if (profile === 'release') {
    const tasks: Exclude<Task, 'both'>[] = task === 'both' ? ['findings', 'icd10'] : [task];
    return tasks.map((t) => ({
      kind: 'completion',
      profile,
      task: t,
      prompt: releasePrompt(t, text),
      bos: LLAMA3_BOS,
      stop: LLAMA3_STOP,
      maxTokens: RELEASE_MAX_TOKENS,
      temperature: 0,
    }));
  }
  if (profile === 'release-weak-labels') {
    if (task !== 'icd10') {
      throw new UsageError(
        `The release-weak-labels profile is the paper's GPT-4o prompt for ICD-10 phrases only (task icd10, not ${task}); the paper's findings labels came from MIMIC-CXR.`,
        'Use --task icd10, or the json profile for findings.',
      );
    }
    const seedExamples = drawSeedExamples(text, options.sampleSeed ?? 0);
    return [
      {
        kind: 'chat',
        profile,
        task,
        messages: [
          { role: 'system', content: WEAK_LABEL_SYSTEM_MESSAGE },
          { role: 'user', content: weakLabelPrompt(text, seedExamples) },
        ],
        seedExamples,
        maxTokens: RELEASE_MAX_TOKENS,
        temperature: 0,
      },
    ];
  }
  return [
    {
      kind: 'chat',
      profile,
      task,
      messages: [
        { role: 'system', content: JSON_SYSTEM[task] },
        { role: 'user', content: `Report:\n${text}` },
      ],
      schema: responseSchema(task),
      maxTokens: JSON_MAX_TOKENS[task],
      temperature: 0,
    },
  ];
}
