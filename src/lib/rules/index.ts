/**
 * The rule-based labeler: sections → sentences (`ReportDoc`, parsed once) → findings mentions and ICD-10 phrases
 * → one ConText pass → the two aggregators. Synchronous and pure, so the browser worker and the Node CLI share it.
 */
import type { LabelOptions } from '../engine.ts';
import type { LabelResult } from '../result.ts';
import { labelReport } from './engine.ts';

/** Labels the 13 findings of one report (task `findings`). Blank text gives status `empty`, never Normal. */
export function labelFindings(text: string, options: Omit<LabelOptions, 'task'> = {}): LabelResult {
  return labelReport(text, { ...options, task: 'findings' });
}

export { labelReport, rulesEngine, RULES_ENGINE_INFO } from './engine.ts';
export { RULES_VERSION } from './version.ts';
export { parseReport, sentenceTriggers, assertTargets, type ReportDoc, type Target } from './report-doc.ts';
export { splitSections, type Section } from './sections.ts';
export { splitSentences, type Sentence } from './sentences.ts';
export { findMentions, compileLexicon, type Mention } from './mentions.ts';
export { assertMention, assertWithTriggers, findTriggers, compileTriggers, type Assertion, type TriggerMatch } from './context.ts';
export { aggregate, combineStatus } from './aggregate.ts';
export { validateLexicon, validateTriggers, type LexiconEntry, type TriggerRule } from './schema.ts';
export { LEXICON_DATA } from './lexicon.ts';
export { TRIGGER_DATA } from './triggers.ts';
