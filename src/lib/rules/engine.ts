/**
 * The rule engine the CLI and the browser worker use: one report parsed once (`ReportDoc`), the findings matcher
 * and, when the task asks for it, the ICD-10 phrase matcher on it, ONE ConText pass over every target of both,
 * then the two aggregators: the 13 findings (`aggregate.ts`) and the ICD-10 items (`icd10/extract.ts`).
 */
import type { LabelEngine, LabelOptions } from '../engine.ts';
import { errorMessage } from '../errors.ts';
import { emptyFindings, type Finding } from '../findings.ts';
import { icd10Items, matchPhrases, resolveOverlaps } from '../icd10/extract.ts';
import { icd10Lexicon } from '../icd10/lexicon.ts';
import { failedResult, isBlankReport, isNormal, type EngineInfo, type Evidence, type LabelResult, type Task } from '../result.ts';
import { decide } from './aggregate.ts';
import { OPACITY_FINDINGS } from './lexicon.ts';
import { findMentions, type Mention } from './mentions.ts';
import { findTypoMentions } from './typos.ts';
import type { Assertion } from './context.ts';
import { assertTargets, parseReport, type ReportDoc } from './report-doc.ts';
import { RULES_VERSION } from './version.ts';

export const RULES_ENGINE_INFO: EngineInfo = { name: 'rules', version: RULES_VERSION };

/**
 * Labels one report. Task `findings` (default): the 13 findings. `icd10`: the ICD-10 items only; the findings are
 * not labeled (all `absent`, no evidence, `normal` false, as the LLM engine answers this task). `both`: both, from
 * one parse and one ConText pass. Blank text gives status `empty`, never Normal, and no items.
 */
export function labelReport(text: string, options: LabelOptions = {}): LabelResult {
  const task = options.task ?? 'findings';
  const failed = (status: 'empty' | 'error', message: string) => {
    const result = failedResult(status, RULES_ENGINE_INFO, message);
    return task === 'findings' ? result : { ...result, icd10: [] };
  };
  // Rows read from files can hold anything; a non-string is an error row, not a crash.
  if (typeof text !== 'string') return failed('error', `The report is not text (got ${typeof text}).`);
  if (isBlankReport(text)) return failed('empty', 'The report has no text to label.');
  try {
    return label(text, options, task);
  } catch (e) {
    // A bug in a rule must cost one row, not the run; the message names the failure, never the report text.
    return failed('error', `The rule engine failed on this report: ${errorMessage(e)}`);
  }
}

function label(text: string, options: LabelOptions, task: Task): LabelResult {
  const doc = parseReport(text, options.sections);
  const mentions = task === 'icd10' ? [] : withTypos(doc, findMentions(doc), options.typos !== false);
  const lexicon = task === 'findings' ? undefined : icd10Lexicon();
  const phrases = lexicon ? resolveOverlaps(matchPhrases(doc, lexicon)) : [];
  // One ConText pass for both annotators' targets: triggers are found once per sentence that has any target.
  const assertions = assertTargets(doc, mentions.length && phrases.length ? [...mentions, ...phrases] : mentions.length ? mentions : phrases);
  // `differentials: 'positive'` counts each diagnosis of a differential as present; the trigger stays as evidence.
  const countDifferentials = options.differentials === 'positive';
  const opacityCertain = opacityDifferentials(mentions, assertions);
  // Each entry is built with all its fields (a role set below), in one of two literal shapes, rather than
  // spread together and given a field afterwards: cheaper objects on the hot path, the same JSON.
  const evidence: Evidence[] = mentions.map((m, i) => {
    const { trigger } = assertions[i];
    const status =
      trigger?.kind === 'differential' && (countDifferentials || (m.finding === 'Lung Opacity' && opacityCertain.has(trigger.start)))
        ? 'positive'
        : assertions[i].status;
    const mention = { start: m.start, end: m.end, text: text.slice(m.start, m.end) };
    const section = doc.sentences[m.sentence].section;
    return trigger
      ? { finding: m.finding, status, mention, trigger, section, role: 'secondary' }
      : { finding: m.finding, status, mention, section, role: 'secondary' };
  });
  const decided = decide(evidence);
  // The mention that decided each finding's status is `decisive`; the finding's other mentions are `secondary`.
  for (const i of decided.decisive.values()) evidence[i].role = 'decisive';
  const findings = task === 'icd10' ? emptyFindings() : decided.findings;
  const result: LabelResult = {
    status: 'ok',
    findings,
    normal: task !== 'icd10' && isNormal(findings, { uncertainAsPositive: options.uncertainAsPositive }),
    evidence,
    engine: RULES_ENGINE_INFO,
  };
  if (lexicon) result.icd10 = icd10Items(doc, phrases, assertions.slice(mentions.length), lexicon);
  return result;
}

const OPACITY = new Set(OPACITY_FINDINGS);

/**
 * Differentials (by trigger start) whose alternatives, two or more, are all opacity-type findings: "atelectasis
 * or scarring" doubts which opacity it is, not that there is one, so its Lung Opacity mention stays positive.
 */
function opacityDifferentials(mentions: readonly Mention[], assertions: readonly Assertion[]): ReadonlySet<number> {
  let groups: Map<number, Finding[]> | undefined;
  for (let i = 0; i < mentions.length; i++) {
    const t = assertions[i].trigger;
    if (t?.kind !== 'differential') continue;
    groups ??= new Map();
    const g = groups.get(t.start);
    if (g) g.push(mentions[i].finding);
    else groups.set(t.start, [mentions[i].finding]);
  }
  // Most reports have no differential: nothing to allocate.
  if (!groups) return NONE;
  const out = new Set<number>();
  for (const [start, findings] of groups) if (findings.length > 1 && findings.every((f) => OPACITY.has(f))) out.add(start);
  return out;
}

const NONE: ReadonlySet<number> = new Set();

/** The lexicon's mentions plus those of misspelt head words ("cardiomegally"), in text order. */
function withTypos(doc: ReportDoc, mentions: Mention[], typos: boolean): Mention[] {
  if (!typos) return mentions;
  const extra = findTypoMentions(doc, mentions);
  return extra.length ? [...mentions, ...extra].sort((a, b) => a.start - b.start) : mentions;
}

/** `labelReport` behind the common engine interface (the work is synchronous; the promise is for the interface). */
export const rulesEngine: LabelEngine = {
  info: RULES_ENGINE_INFO,
  async label(text: string, options?: LabelOptions): Promise<LabelResult> {
    if (options?.signal?.aborted) throw options.signal.reason ?? new DOMException('Aborted', 'AbortError');
    return labelReport(text, options);
  },
};
