/**
 * Checks ICD-10 items a model produced (the LLM engine, generated weak labels) against the code table and the
 * report: malformed codes are rejected with a reason, well-formed codes missing from the table are kept and flagged
 * `unverified`, and each phrase is located in the report to give it a span (flagged `not_in_text` when absent).
 */
import { locateAll } from '../locate.ts';
import type { Icd10Item, Icd10Rejected, Span } from '../result.ts';
import { splitSections } from '../rules/sections.ts';
import { isWellFormedCode, normaliseCode } from './code.ts';
import { lookupCode } from './lexicon.ts';

export interface ValidatedIcd10 {
  items: Icd10Item[];
  rejected: Icd10Rejected[];
}

const isWordChar = (c: string | undefined) => !!c && /[\p{L}\p{N}]/u.test(c);

/**
 * Where the phrase is in the report: an occurrence in a labeled section (FINDINGS, IMPRESSION) first, a whole-word
 * one before one inside a longer word, then the earliest.
 */
export function locatePhrase(text: string, phrase: string): Span | undefined {
  const spans = locateAll(text, phrase);
  if (!spans.length) return undefined;
  const labeled = splitSections(text).filter((s) => s.labeled);
  const inLabeled = (s: Span) => labeled.some((sec) => sec.start <= s.start && s.end <= sec.end);
  const whole = (s: Span) => !isWordChar(text[s.start - 1]) && !isWordChar(text[s.end]);
  const rank = (s: Span) => (inLabeled(s) ? 0 : 2) + (whole(s) ? 0 : 1);
  return [...spans].sort((a, b) => rank(a) - rank(b) || a.start - b.start)[0];
}

const asText = (v: unknown) => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));

/** Validates a `{phrase, code}` list against the code table and the report text. Nothing is dropped silently. */
export function validateIcd10(items: readonly { phrase: string; code: string }[], reportText: string): ValidatedIcd10 {
  const out: Icd10Item[] = [];
  const rejected: Icd10Rejected[] = [];
  const seen = new Set<string>();
  for (const raw of items) {
    const phrase = asText(raw?.phrase).trim();
    const rawCode = asText(raw?.code).trim();
    if (!phrase) {
      rejected.push({ phrase, code: rawCode, reason: 'The phrase is empty.' });
      continue;
    }
    if (!rawCode) {
      rejected.push({ phrase, code: rawCode, reason: 'The code is empty.' });
      continue;
    }
    const code = normaliseCode(rawCode);
    if (!isWellFormedCode(code)) {
      rejected.push({
        phrase,
        code: rawCode,
        reason: `"${rawCode}" is not an ICD-10-CM code: expected a letter, two digits, then optionally a dot and up to four characters (e.g. J98.11).`,
      });
      continue;
    }
    const key = `${code}|${phrase.toLowerCase().replace(/\s+/g, ' ')}`;
    if (seen.has(key)) {
      rejected.push({ phrase, code: rawCode, reason: `Duplicate of an earlier item (${code} "${phrase}").` });
      continue;
    }
    seen.add(key);
    const row = lookupCode(code);
    const span = locatePhrase(reportText, phrase);
    const flags: Icd10Item['flags'] = [];
    if (!row) flags.push('unverified');
    if (!span) flags.push('not_in_text');
    out.push({
      phrase: span ? span.text : phrase,
      code,
      title: row?.title ?? null,
      start: span?.start ?? null,
      end: span?.end ?? null,
      flags,
    });
  }
  return { items: out, rejected };
}
