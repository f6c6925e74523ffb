/**
 * Task 1 by rules: ICD-10-CM phrases of the diagnoses a report affirms. A pipeline on the rule engine's stages:
 * sections → sentences → phrase matches → overlaps → assertion → de-duplication.
 */
import type { SectionMode } from '../engine.ts';
import { isBlankReport, type Icd10Item } from '../result.ts';
import { assertWithTriggers, findTriggers, type Sibling, type TriggerMatch } from '../rules/context.ts';
import { splitSections } from '../rules/sections.ts';
import { forEachTokenStart } from '../rules/matcher.ts';
import { splitSentences, type Sentence } from '../rules/sentences.ts';
import { icd10Lexicon, type CompiledPhrase, type Icd10Lexicon } from './lexicon.ts';
import { compileCoding, historicalCode, resolveItems, type CompiledCoding } from './resolve.ts';

export interface ExtractOptions {
  sections?: SectionMode;
}

export interface PhraseMatch {
  start: number;
  end: number;
  rule: CompiledPhrase;
  sentence: Sentence;
}

/** Every phrase match that lies inside one labeled sentence, in text order. */
export function matchPhrases(text: string, sentences: readonly Sentence[], lexicon: Icd10Lexicon): PhraseMatch[] {
  const out: PhraseMatch[] = [];
  for (const sentence of sentences) {
    forEachTokenStart(text, sentence.start, sentence.end, (i) =>
      lexicon.byStart.forEachCandidate(text, i, (rule) => {
        rule.sticky.lastIndex = i;
        const m = rule.sticky.exec(text);
        if (m && i + m[0].length <= sentence.end) out.push({ start: i, end: i + m[0].length, rule, sentence });
      }),
    );
  }
  return out.sort((a, b) => a.start - b.start || b.end - a.end);
}

/**
 * Where matches overlap, the longest wins: in the phrase data a longer phrase is always a more specific code
 * ("malignant pleural effusion" over "pleural effusion"). Equal lengths: the rule listed first wins.
 */
export function resolveOverlaps(matches: readonly PhraseMatch[]): PhraseMatch[] {
  const ranked = [...matches].sort((a, b) => b.end - b.start - (a.end - a.start) || a.rule.order - b.rule.order || a.start - b.start);
  const kept: PhraseMatch[] = [];
  for (const m of ranked) {
    if (!kept.some((k) => m.start < k.end && k.start < m.end)) kept.push(m);
  }
  return kept.sort((a, b) => a.start - b.start);
}

/**
 * The code the match stands for in this report, or null when the report does not affirm it. Affirmed: plain
 * positive mentions. Historical ("history of", "status post", "prior"): a status code (device, operation) or a
 * chronic condition keeps its code; others get their history or sequela code (coding.ts), or are dropped. An
 * acute-injury or tuberculosis phrase the report calls old or healed is a history or sequela too. Negated,
 * uncertain (differentials included) and hypothetical mentions are dropped: an outpatient coder does not code
 * "probable" or "rule out" diagnoses.
 */
export function codeFor(
  text: string,
  match: PhraseMatch,
  triggers: readonly TriggerMatch[],
  lexicon: Icd10Lexicon,
  coding: CompiledCoding,
  siblings?: readonly Sibling[],
): string | null {
  const { status, trigger } = assertWithTriggers(text, triggers, match.start, match.end, { siblings });
  const historical = status === 'uncertain' && trigger?.kind === 'historical';
  if (status !== 'positive' && !historical) return null;
  if (historical && match.rule.status) return match.rule.code;
  const before = text.slice(match.sentence.start, match.start);
  const after = text.slice(match.end, match.sentence.end);
  const old = lexicon.oldInjuryBefore.test(before) || lexicon.oldInjuryAfter.test(after);
  if (historical) return historicalCode(coding, match.rule.code, old || !/^(?:history|hx|h\/o)/i.test(trigger!.text));
  if (old && (match.rule.acuteInjury || /^A15\./.test(match.rule.code))) return historicalCode(coding, match.rule.code, true);
  return match.rule.code;
}

let defaultCoding: CompiledCoding | undefined;

/**
 * ICD-10-CM items for the diagnoses the report affirms, in text order: one item per code, with the code's other
 * phrases in `supporting`, and no Excludes1 pair.
 */
export function extractIcd10(text: string, options: ExtractOptions = {}, lexicon: Icd10Lexicon = icd10Lexicon()): Icd10Item[] {
  if (isBlankReport(text)) return [];
  const coding = lexicon === icd10Lexicon() ? (defaultCoding ??= compileCoding(lexicon.table)) : compileCoding(lexicon.table);
  const sentences = splitSentences(text, splitSections(text, options.sections));
  const matches = resolveOverlaps(matchPhrases(text, sentences, lexicon));
  const triggerCache = new Map<Sentence, TriggerMatch[]>();
  const siblings = new Map<Sentence, Sibling[]>();
  for (const m of matches) {
    const list = siblings.get(m.sentence);
    if (list) list.push(m);
    else siblings.set(m.sentence, [m]);
  }
  const items: Icd10Item[] = [];
  for (const m of matches) {
    let triggers = triggerCache.get(m.sentence);
    if (!triggers) triggerCache.set(m.sentence, (triggers = findTriggers(text, m.sentence)));
    const code = codeFor(text, m, triggers, lexicon, coding, siblings.get(m.sentence));
    if (!code) continue;
    const row = lexicon.table.get(code);
    items.push({ phrase: text.slice(m.start, m.end), code, title: row?.title ?? null, start: m.start, end: m.end, flags: [] });
  }
  return resolveItems(items, coding, lexicon.table);
}
