/**
 * Finds a quoted phrase (model evidence, an ICD-10 phrase) in the report text, case-insensitively and tolerant of
 * whitespace and line breaks, so highlights point at the report's own characters.
 */
import type { Span } from './result.ts';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A regex matching `phrase` with any run of whitespace where the phrase has whitespace. */
function phrasePattern(phrase: string): RegExp | undefined {
  const words = phrase.trim().split(/\s+/).filter(Boolean);
  if (!words.length) return undefined;
  return new RegExp(words.map(escape).join('\\s+'), 'giu');
}

/**
 * All occurrences of `phrase` in `text`. Word-boundary matches come first, so "effusion" prefers a whole word
 * over the inside of "effusions" only when both exist.
 */
export function locateAll(text: string, phrase: string): Span[] {
  const re = phrasePattern(phrase);
  if (!re) return [];
  const spans: Span[] = [];
  for (const m of text.matchAll(re)) spans.push({ start: m.index, end: m.index + m[0].length, text: m[0] });
  const isWord = (c: string | undefined) => !!c && /[\p{L}\p{N}]/u.test(c);
  const whole = (s: Span) => !isWord(text[s.start - 1]) && !isWord(text[s.end]);
  return [...spans.filter(whole), ...spans.filter((s) => !whole(s))];
}

/** The first (whole-word preferred) occurrence at or after `from`, else anywhere, else undefined. */
export function locate(text: string, phrase: string, from = 0): Span | undefined {
  const all = locateAll(text, phrase);
  return all.find((s) => s.start >= from) ?? all[0];
}
