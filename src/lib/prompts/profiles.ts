/**
 * Prompt profiles: the exact messages a model sees. The browser engine, the weak-label generator and the training
 * set builder all call `buildRequests`, so what a model is trained on is what it is asked at inference.
 *
 * - `legacy`: the shape of the released RadReportX: one user message per task; findings answer a bracketed list of
 *   names (`[Atelectasis, Pleural Effusion]`, `[]` when none); ICD-10 answers a list of `["phrase", "code"]` pairs.
 * - `json`: this project's format: a short system prompt, the report, and one JSON answer (constrained by the schema
 *   in schema.ts) that lists only the findings the report mentions, each with a status and a short evidence quote,
 *   plus the ICD-10 phrases. It is built to stay under ~400 prompt tokens before the report and ~60 answer tokens for
 *   a typical report.
 */
import { FINDINGS } from '../findings.ts';
import type { Task } from '../result.ts';
import { responseSchema } from './schema.ts';

export type PromptProfileId = 'legacy' | 'json';

export const PROMPT_PROFILES: readonly PromptProfileId[] = ['legacy', 'json'];

/** Bumped whenever a profile's wording or answer format changes; stored with every generated label and dataset. */
export const PROMPT_VERSION: Record<PromptProfileId, string> = { legacy: 'legacy-1', json: 'json-1' };

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** One model call. `legacy` with task `both` needs two calls; `json` answers both tasks in one. */
export interface PromptRequest {
  profile: PromptProfileId;
  /** What this call's answer covers. */
  task: Task;
  messages: ChatMessage[];
  /** JSON schema the answer must follow (json profile only). */
  schema?: Record<string, unknown>;
  /** Upper bound on generated tokens: a bounded answer keeps a laptop GPU near a second a report. */
  maxTokens: number;
}

export function isPromptProfile(s: string): s is PromptProfileId {
  return (PROMPT_PROFILES as readonly string[]).includes(s);
}

const FINDING_LIST = FINDINGS.join(', ');

const LEGACY_FINDINGS = (report: string) =>
  `Read the chest radiology report below and decide which of these findings the patient has: ${FINDING_LIST}. ` +
  'Leave out findings that are negated, uncertain or resolved. ' +
  'Answer only with a bracketed list of finding names, e.g. [Atelectasis, Pleural Effusion], or [] when none is present.\n\n' +
  `Report:\n${report}`;

const LEGACY_ICD10 = (report: string) =>
  'Read the radiology report below and find the shortest phrases that each stand for an ICD-10 diagnosis the patient has. ' +
  'Leave out negated and uncertain findings. ' +
  'Answer only with a list of ["phrase", "ICD-10-CM code"] pairs, e.g. [["pleural effusion", "J90"]], or [] when there is none.\n\n' +
  `Report:\n${report}`;

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

const MAX_TOKENS: Record<PromptProfileId, Record<Task, number>> = {
  legacy: { findings: 48, icd10: 160, both: 160 },
  json: { findings: 160, icd10: 200, both: 320 },
};

/** The calls that answer `task` for one report under `profile`. */
export function buildRequests(profile: PromptProfileId, task: Task, report: string): PromptRequest[] {
  const text = report.trim();
  if (profile === 'legacy') {
    const tasks: Exclude<Task, 'both'>[] = task === 'both' ? ['findings', 'icd10'] : [task];
    return tasks.map((t) => ({
      profile,
      task: t,
      messages: [{ role: 'user', content: t === 'findings' ? LEGACY_FINDINGS(text) : LEGACY_ICD10(text) }],
      maxTokens: MAX_TOKENS.legacy[t],
    }));
  }
  return [
    {
      profile,
      task,
      messages: [
        { role: 'system', content: JSON_SYSTEM[task] },
        { role: 'user', content: `Report:\n${text}` },
      ],
      schema: responseSchema(task),
      maxTokens: MAX_TOKENS.json[task],
    },
  ];
}
