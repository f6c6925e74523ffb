/**
 * Task 1 by rules: ICD-10-CM phrases of the diagnoses a report affirms, read from the parsed report
 * (`ReportDoc`): phrase matches → overlaps → (the shared ConText pass) → affirmed → de-duplication.
 */
import type { SectionMode } from '../engine.ts';
import { isBlankReport, type Icd10Item } from '../result.ts';
import type { Assertion } from '../rules/context.ts';
import { assertTargets, parseReport, type ReportDoc, type Target } from '../rules/report-doc.ts';
import { icd10Lexicon, type CompiledPhrase, type Icd10Lexicon } from './lexicon.ts';
import { compileCoding, historicalCode, resolveItems, type CompiledCoding } from './resolve.ts';

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
  const { tokens, sentenceTokens } = doc;
  for (let k = 0; k < sentences.length; k++) {
    const sentence = sentences[k];
    for (let t = sentenceTokens[k]; t < sentenceTokens[k + 1]; t++) {
      const i = tokens[t];
      lexicon.byStart.forEachMatch(text, i, (rule, end) => {
        if (end <= sentence.end) out.push({ start: i, end, rule, sentence: k });
      });
    }
  }
  return out.sort((a, b) => a.start - b.start || b.end - a.end);
}

/**
 * Where matches overlap, the longest wins: in the phrase data a longer phrase is always a more specific code
 * ("malignant pleural effusion" over "pleural effusion"). Equal lengths: the rule listed first wins.
 */
export function resolveOverlaps(matches: readonly PhraseMatch[]): PhraseMatch[] {
  // Most reports' matches do not overlap at all (each starts at or after the previous one's end): then every
  // match is kept, in this order, and the ranking below need not run.
  let disjoint = true;
  for (let i = 1; i < matches.length && disjoint; i++) disjoint = matches[i].start >= matches[i - 1].end;
  if (disjoint) return matches.slice();
  const ranked = [...matches].sort((a, b) => b.end - b.start - (a.end - a.start) || a.rule.order - b.rule.order || a.start - b.start);
  const kept: PhraseMatch[] = [];
  for (const m of ranked) {
    if (!kept.some((k) => m.start < k.end && k.start < m.end)) kept.push(m);
  }
  return kept.sort((a, b) => a.start - b.start);
}

/**
 * The code the match stands for in this report, given its status from the ConText pass, or null when the report
 * does not affirm it. Affirmed: plain positive mentions. Historical ("history of", "status post", "prior"): a
 * status code (device, operation) or a chronic condition keeps its code; others get their history or sequela
 * code (coding.ts), or are dropped. An acute-injury or tuberculosis phrase the report calls old or healed is a
 * history or sequela too. Negated, uncertain (differentials included), hypothetical and resolved mentions are
 * dropped: a coder does not code "probable", "versus" or "rule out" diagnoses.
 */
export function codeFor(doc: ReportDoc, match: PhraseMatch, assertion: Assertion, lexicon: Icd10Lexicon, coding: CompiledCoding): string | null {
  const { status, trigger } = assertion;
  const historical = status === 'uncertain' && trigger?.kind === 'historical';
  if (status !== 'positive' && !historical) return null;
  if (historical && match.rule.status) return match.rule.code;
  const tb = match.rule.code.startsWith('A15.');
  // The old-injury words are read only where they change the code: a history, an injury, tuberculosis.
  if (!historical && !match.rule.acuteInjury && !tb) return match.rule.code;
  const sentence = doc.sentences[match.sentence];
  const old = lexicon.oldInjuryBefore.test(doc.text.slice(sentence.start, match.start)) || lexicon.oldInjuryAfter.test(doc.text.slice(match.end, sentence.end));
  // "Prior"/"previous"/"status post" describe what is left now (sequela); "history of" only the past.
  if (historical) return historicalCode(coding, match.rule.code, old || !/^(?:(?:known|prior|past|previous|remote) )?(?:history|hx|h\/o)/i.test(trigger!.text));
  if (old) return historicalCode(coding, match.rule.code, true);
  return match.rule.code;
}

let defaultCoding: CompiledCoding | undefined;

function codingFor(lexicon: Icd10Lexicon): CompiledCoding {
  return lexicon === icd10Lexicon() ? (defaultCoding ??= compileCoding(lexicon.table)) : compileCoding(lexicon.table);
}

/**
 * The ICD-10 aggregator: items for the matches the report affirms (`assertions[i]` is the status of
 * `matches[i]`), in text order, one item per code with its other phrases in `supporting`, and no Excludes1 pair.
 */
export function icd10Items(doc: ReportDoc, matches: readonly PhraseMatch[], assertions: readonly Assertion[], lexicon: Icd10Lexicon): Icd10Item[] {
  const coding = codingFor(lexicon);
  const items: Icd10Item[] = [];
  matches.forEach((m, i) => {
    const code = codeFor(doc, m, assertions[i], lexicon, coding);
    if (!code) return;
    const row = lexicon.table.get(code);
    items.push({ phrase: doc.text.slice(m.start, m.end), code, title: row?.title ?? null, start: m.start, end: m.end, flags: [] });
  });
  return resolveItems(items, coding, lexicon.table);
}

/** ICD-10-CM items for the diagnoses one report affirms, on its own (the rule engine's `labelReport` does both tasks). */
export function extractIcd10(text: string, options: ExtractOptions = {}, lexicon: Icd10Lexicon = icd10Lexicon()): Icd10Item[] {
  if (isBlankReport(text)) return [];
  const doc = parseReport(text, options.sections);
  const matches = resolveOverlaps(matchPhrases(doc, lexicon));
  return icd10Items(doc, matches, assertTargets(doc, matches), lexicon);
}
