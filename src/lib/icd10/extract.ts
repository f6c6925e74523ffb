/**
 * Task 1 by rules: ICD-10-CM phrases of the diagnoses a report affirms. A pipeline on the rule engine's stages:
 * sections → sentences → phrase matches → overlaps → assertion → de-duplication.
 */
import type { SectionMode } from '../engine.ts';
import { isBlankReport, type Icd10Item } from '../result.ts';
import { assertWithTriggers, findTriggers, type TriggerMatch } from '../rules/context.ts';
import { splitSections } from '../rules/sections.ts';
import { forEachTokenStart } from '../rules/matcher.ts';
import { splitSentences, type Sentence } from '../rules/sentences.ts';
import { icd10Lexicon, type CompiledPhrase, type Icd10Lexicon } from './lexicon.ts';

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
 * Whether the report affirms the match. Kept: plain positive mentions; a status code (a device, an operation)
 * under "history of", since the status is what the code says. Dropped: negated, uncertain, hypothetical, resolved,
 * historical, and an acute-injury code whose injury the report calls old or healed.
 */
export function isAffirmed(text: string, match: PhraseMatch, triggers: readonly TriggerMatch[], lexicon: Icd10Lexicon): boolean {
  const { status, trigger } = assertWithTriggers(text, triggers, match.start, match.end);
  const affirmed = status === 'positive' || (match.rule.status && trigger?.kind === 'historical');
  if (!affirmed) return false;
  if (match.rule.acuteInjury) {
    const before = text.slice(match.sentence.start, match.start);
    const after = text.slice(match.end, match.sentence.end);
    if (lexicon.oldInjuryBefore.test(before) || lexicon.oldInjuryAfter.test(after)) return false;
  }
  return true;
}

// Two mentions are the same phrase when they differ only in case, spacing, hyphens or a plural ending.
function phraseKey(code: string, phrase: string): string {
  const words = phrase.toLowerCase().replace(/[\s-]+/g, ' ').trim();
  return `${code}|${words.replace(/ies$/, 'y').replace(/(?<!s)s$/, '')}`;
}

/** ICD-10-CM items for the diagnoses the report affirms, in text order, one per code and phrase. */
export function extractIcd10(text: string, options: ExtractOptions = {}, lexicon: Icd10Lexicon = icd10Lexicon()): Icd10Item[] {
  if (isBlankReport(text)) return [];
  const sentences = splitSentences(text, splitSections(text, options.sections));
  const matches = resolveOverlaps(matchPhrases(text, sentences, lexicon));
  const triggerCache = new Map<Sentence, TriggerMatch[]>();
  const seen = new Set<string>();
  const items: Icd10Item[] = [];
  for (const m of matches) {
    let triggers = triggerCache.get(m.sentence);
    if (!triggers) triggerCache.set(m.sentence, (triggers = findTriggers(text, m.sentence)));
    if (!isAffirmed(text, m, triggers, lexicon)) continue;
    const phrase = text.slice(m.start, m.end);
    const key = phraseKey(m.rule.code, phrase);
    if (seen.has(key)) continue;
    seen.add(key);
    const row = lexicon.table.get(m.rule.code);
    items.push({ phrase, code: m.rule.code, title: row?.title ?? null, start: m.start, end: m.end, flags: [] });
  }
  return items;
}
