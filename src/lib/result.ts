/**
 * The one result type every engine (rules, WebLLM, OpenAI-compatible servers) returns for one report.
 * Offsets are UTF-16 code-unit offsets into the original report text, as JavaScript strings index it.
 */
import { FINDINGS, emptyFindings, type Finding, type FindingStatus } from './findings.ts';

/**
 * `ok`: labeled. `empty`: no text to label (never `Normal`). `error`: the row could not be read or the engine
 * failed. `unparsed`: a model answered but the answer could not be parsed (the raw text is kept).
 */
export type RowStatus = 'ok' | 'empty' | 'error' | 'unparsed';

/** Every row status, in the order whose index is the byte the results table keeps per row. */
export const ROW_STATUSES: readonly RowStatus[] = ['ok', 'empty', 'error', 'unparsed'];

export interface Span {
  start: number;
  end: number;
  /** The text at [start, end) of the report. */
  text: string;
}

export type TriggerKind =
  | 'negation'
  | 'uncertainty'
  | 'differential'
  | 'resolved'
  | 'hypothetical'
  | 'historical'
  | 'affirmation'
  | 'model';

/** Why one finding got the status it has: the mention, and the trigger that decided it (none for plain affirmation). */
export interface Evidence {
  finding: Finding;
  status: Exclude<FindingStatus, 'absent'>;
  mention: Span;
  trigger?: Span & { kind: TriggerKind };
  /** Section the mention is in, lower case (`findings`, `impression`, ...), when known. */
  section?: string;
  /**
   * `decisive`: the mention that decided the finding's status (one per finding); `secondary`: the finding's other
   * mentions. Absent on results of engines that do not say.
   */
  role?: 'decisive' | 'secondary';
}

/**
 * Problems found when an ICD-10 item is checked against the code table and the report; `looked_up`: the model gave
 * the phrase without a code, and the code comes from the project's ICD-10 lexicon.
 */
export type Icd10Flag = 'unverified' | 'not_in_text' | 'looked_up';

/** Task 1: one phrase that stands for an ICD-10-CM diagnosis the patient has. */
export interface Icd10Item {
  phrase: string;
  /** ICD-10-CM code with its dot, e.g. `J98.11`. */
  code: string;
  /** Official title from the code table, or null when the code is not in it. */
  title: string | null;
  /** Span of the phrase in the report; null when it could not be located. */
  start: number | null;
  end: number | null;
  flags: Icd10Flag[];
  /** Every other phrase in the report that supports the same code (a code is listed once per report). */
  supporting?: Span[];
}

/** An ICD-10 item a model produced that was rejected outright (malformed code, empty phrase). */
export interface Icd10Rejected {
  phrase: string;
  code: string;
  reason: string;
}

export interface EngineInfo {
  name: string;
  version: string;
}

export interface LabelResult {
  status: RowStatus;
  findings: Record<Finding, FindingStatus>;
  /** True only when status is `ok` and no finding is positive (see `isNormal`). */
  normal: boolean;
  evidence: Evidence[];
  /** Task 1 phrases, present when the ICD-10 task ran. */
  icd10?: Icd10Item[];
  icd10Rejected?: Icd10Rejected[];
  engine: EngineInfo;
  /** Plain-language reason for `error`, `empty` and `unparsed` rows. */
  message?: string;
  /** The model's raw answer, always kept for LLM engines. */
  raw?: string;
  /** LLM usage, when the engine reports it. */
  usage?: { promptTokens: number; completionTokens: number; latencyMs?: number };
}

export type Task = 'findings' | 'icd10' | 'both';

export const TASKS: readonly Task[] = ['findings', 'icd10', 'both'];

export interface NormalOptions {
  /** Count `uncertain` as present when deciding Normal. Default false (CheXpert's convention). */
  uncertainAsPositive?: boolean;
}

export function isNormal(findings: Record<Finding, FindingStatus>, options: NormalOptions = {}): boolean {
  return FINDINGS.every((f) => {
    const s = findings[f];
    return s !== 'positive' && !(options.uncertainAsPositive && s === 'uncertain');
  });
}

/** Names of the positive findings in canonical order. */
export function positiveFindings(result: Pick<LabelResult, 'findings'>): Finding[] {
  return FINDINGS.filter((f) => result.findings[f] === 'positive');
}

/** A result for a row that carries no labels: empty text, unreadable row, failed or unparsable engine call. */
export function failedResult(
  status: Exclude<RowStatus, 'ok'>,
  engine: EngineInfo,
  message: string,
  extra: Partial<Pick<LabelResult, 'raw' | 'usage'>> = {},
): LabelResult {
  return { status, findings: emptyFindings(), normal: false, evidence: [], engine, message, ...extra };
}

/** True when the text has nothing to label (only whitespace or de-identification marks). */
export function isBlankReport(text: string | null | undefined): boolean {
  // A letter or digit other than X, or an X on its own, survives removing the XX... marks; tested in place, so
  // no copy of every report is made.
  return !text || !/[0-9A-WYZa-z]|(?<!X)X(?!X)/.test(text);
}
