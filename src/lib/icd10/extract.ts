/**
 * Task 1 by rules: ICD-10-CM phrases of the diagnoses a report affirms, read from the parsed report
 * (`ReportDoc`): phrase matches → overlaps → (the shared ConText pass) → affirmed → de-duplication.
 */
import type { SectionMode } from '../engine.ts';
import { isBlankReport, type Icd10Item } from '../result.ts';
import type { Assertion } from '../rules/context.ts';
import { forEachTokenStart } from '../rules/matcher.ts';
import { assertTargets, parseReport, type ReportDoc, type Target } from '../rules/report-doc.ts';
import { icd10Lexicon, type CompiledPhrase, type Icd10Lexicon } from './lexicon.ts';

export interface ExtractOptions {
  sections?: SectionMode;
}

/** One phrase rule matching at [start, end); `sentence` indexes `doc.sentences`. */
export interface PhraseMatch extends Target {
  rule: CompiledPhrase;
}

/** Every phrase match that lies inside one labeled sentence, in text order. */
export function matchPhrases(doc: ReportDoc, lexicon: Icd10Lexicon): PhraseMatch[] {
  const { text, sentences } = doc;
  const out: PhraseMatch[] = [];
  for (let k = 0; k < sentences.length; k++) {
    const sentence = sentences[k];
    forEachTokenStart(text, sentence.start, sentence.end, (i) => {
      const candidates = lexicon.byStart.candidatesAt(text, i);
      if (!candidates) return;
      for (const rule of candidates) {
        rule.sticky.lastIndex = i;
        // A sticky test() leaves lastIndex at the end of the match: no match array to allocate.
        if (rule.sticky.test(text) && rule.sticky.lastIndex <= sentence.end) out.push({ start: i, end: rule.sticky.lastIndex, rule, sentence: k });
      }
    });
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
 * Whether the report affirms the match, given its status from the ConText pass. Kept: plain positive mentions; a
 * status code (a device, an operation) under "history of", since the status is what the code says. Dropped:
 * negated, uncertain, hypothetical, resolved, historical, and an acute-injury code whose injury the report calls
 * old or healed.
 */
export function isAffirmed(doc: ReportDoc, match: PhraseMatch, assertion: Assertion, lexicon: Icd10Lexicon): boolean {
  const { status, trigger } = assertion;
  const affirmed = status === 'positive' || (match.rule.status && trigger?.kind === 'historical');
  if (!affirmed) return false;
  if (match.rule.acuteInjury) {
    const sentence = doc.sentences[match.sentence];
    const before = doc.text.slice(sentence.start, match.start);
    const after = doc.text.slice(match.end, sentence.end);
    if (lexicon.oldInjuryBefore.test(before) || lexicon.oldInjuryAfter.test(after)) return false;
  }
  return true;
}

// Two mentions are the same phrase when they differ only in case, spacing, hyphens or a plural ending.
function phraseKey(code: string, phrase: string): string {
  const words = phrase.toLowerCase().replace(/[\s-]+/g, ' ').trim();
  return `${code}|${words.replace(/ies$/, 'y').replace(/(?<!s)s$/, '')}`;
}

/**
 * The ICD-10 aggregator: items for the matches the report affirms (`assertions[i]` is the status of
 * `matches[i]`), in text order, one per code and phrase.
 */
export function icd10Items(doc: ReportDoc, matches: readonly PhraseMatch[], assertions: readonly Assertion[], lexicon: Icd10Lexicon): Icd10Item[] {
  const seen = new Set<string>();
  const items: Icd10Item[] = [];
  matches.forEach((m, i) => {
    if (!isAffirmed(doc, m, assertions[i], lexicon)) return;
    const phrase = doc.text.slice(m.start, m.end);
    const key = phraseKey(m.rule.code, phrase);
    if (seen.has(key)) return;
    seen.add(key);
    const row = lexicon.table.get(m.rule.code);
    items.push({ phrase, code: m.rule.code, title: row?.title ?? null, start: m.start, end: m.end, flags: [] });
  });
  return items;
}

/** ICD-10-CM items for the diagnoses one report affirms, on its own (the rule engine's `labelReport` does both tasks). */
export function extractIcd10(text: string, options: ExtractOptions = {}, lexicon: Icd10Lexicon = icd10Lexicon()): Icd10Item[] {
  if (isBlankReport(text)) return [];
  const doc = parseReport(text, options.sections);
  const matches = resolveOverlaps(matchPhrases(doc, lexicon));
  return icd10Items(doc, matches, assertTargets(doc, matches), lexicon);
}
