/**
 * The rule-based findings labeler: sections → sentences → mentions → context → aggregate. Synchronous and pure,
 * so the browser worker and the Node CLI share it.
 */
import type { LabelEngine, LabelOptions } from '../engine.ts';
import { errorMessage } from '../errors.ts';
import { isBlankReport, isNormal, failedResult, type EngineInfo, type Evidence, type LabelResult } from '../result.ts';
import { decide } from './aggregate.ts';
import { assertWithTriggers, findTriggers, type Sibling, type TriggerMatch } from './context.ts';
import { findMentions } from './mentions.ts';
import { splitSections } from './sections.ts';
import { splitSentences, type Sentence } from './sentences.ts';
import { RULES_VERSION } from './version.ts';

export const RULES_ENGINE_INFO: EngineInfo = { name: 'rules', version: RULES_VERSION };

/** Labels the 13 findings of one report. Blank text gives status `empty`, never Normal. */
export function labelFindings(text: string, options: LabelOptions = {}): LabelResult {
  // Rows read from files can hold anything; a non-string is an error row, not a crash.
  if (typeof text !== 'string') return failedResult('error', RULES_ENGINE_INFO, `The report is not text (got ${typeof text}).`);
  if (isBlankReport(text)) return failedResult('empty', RULES_ENGINE_INFO, 'The report has no text to label.');
  try {
    return label(text, options);
  } catch (e) {
    // A bug in a rule must cost one row, not the run; the message names the failure, never the report text.
    return failedResult('error', RULES_ENGINE_INFO, `The rule engine failed on this report: ${errorMessage(e)}`);
  }
}

function label(text: string, options: LabelOptions): LabelResult {
  const sentences = splitSentences(text, splitSections(text, options.sections));
  const mentions = findMentions(text, sentences);
  // Triggers are found once per sentence that has a mention, however many mentions it has.
  const triggerCache = new Map<Sentence, TriggerMatch[]>();
  const siblingCache = new Map<Sentence, Sibling[]>();
  for (const m of mentions) {
    const list = siblingCache.get(m.sentence);
    if (list) list.push(m);
    else siblingCache.set(m.sentence, [m]);
  }
  const countDifferentials = options.differentials === 'positive';
  const evidence: Evidence[] = mentions.map((m) => {
    let triggers = triggerCache.get(m.sentence);
    if (!triggers) triggerCache.set(m.sentence, (triggers = findTriggers(text, m.sentence)));
    const siblings = siblingCache.get(m.sentence)!;
    const assertion = assertWithTriggers(text, triggers, m.start, m.end, { finding: m.finding, siblings: siblings.length > 1 ? siblings : undefined });
    const { trigger } = assertion;
    // `differentials: 'positive'` counts each diagnosis of a differential as present; the trigger stays as evidence.
    const status = countDifferentials && trigger?.kind === 'differential' ? 'positive' : assertion.status;
    return {
      finding: m.finding,
      status,
      mention: { start: m.start, end: m.end, text: text.slice(m.start, m.end) },
      ...(trigger ? { trigger } : {}),
      section: m.sentence.section,
    };
  });
  const { findings, decisive } = decide(evidence);
  evidence.forEach((e, i) => (e.role = decisive.get(e.finding) === i ? 'decisive' : 'secondary'));
  return {
    status: 'ok',
    findings,
    normal: isNormal(findings, { uncertainAsPositive: options.uncertainAsPositive }),
    evidence,
    engine: RULES_ENGINE_INFO,
  };
}

/** The rule engine behind the common engine interface (the work is synchronous; the promise is for the interface). */
export const rulesFindingsEngine: LabelEngine = {
  info: RULES_ENGINE_INFO,
  async label(text: string, options?: LabelOptions): Promise<LabelResult> {
    if (options?.signal?.aborted) throw options.signal.reason ?? new DOMException('Aborted', 'AbortError');
    return labelFindings(text, options);
  },
};

export { RULES_VERSION } from './version.ts';
export { splitSections, type Section } from './sections.ts';
export { splitSentences, type Sentence } from './sentences.ts';
export { findMentions, compileLexicon, type Mention } from './mentions.ts';
export { assertMention, assertWithTriggers, findTriggers, compileTriggers, type Assertion, type TriggerMatch } from './context.ts';
export { aggregate, combineStatus, decide, mentionRank } from './aggregate.ts';
export { validateLexicon, validateTriggers, RuleDataError, type LexiconEntry, type TriggerRule } from './schema.ts';
export { LEXICON_DATA } from './lexicon.ts';
export { TRIGGER_DATA } from './triggers.ts';
