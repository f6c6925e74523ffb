/**
 * Dictation typos: a word of seven letters or more that is one edit (insertion, deletion, substitution or a swap of
 * two neighbouring letters) from a lexicon head word (lexicon.ts TYPO_HEAD_WORDS) is a mention of that word's
 * finding, unless the lexicon knows the word itself ("fractured" in "lead is fractured"). Bounded on purpose: short words have too many one-edit neighbours ("mass" / "mast"), and only head
 * words are fuzzy, never trigger words, so a misspelt "possibel" does not hedge anything and a real word is never
 * bent into a trigger. A word that is already part of a mention, or sits inside a trigger, is left alone.
 */
import { FINDINGS, type Finding } from '../findings.ts';
import { TYPO_HEAD_WORDS } from './lexicon.ts';
import { lexiconMatchesAt, type Mention } from './mentions.ts';
import { sentenceTriggers, type ReportDoc } from './report-doc.ts';

export const MIN_TYPO_LENGTH = 7;

interface Head {
  word: string;
  finding: Finding;
}

/** Head words by length, so a word is compared only with heads one letter shorter, as long, or one longer. */
function indexHeads(data: typeof TYPO_HEAD_WORDS): Map<number, Head[]> {
  const byLength = new Map<number, Head[]>();
  for (const [finding, words] of data) {
    if (!FINDINGS.includes(finding)) throw new Error(`TYPO_HEAD_WORDS: "${finding}" is not one of the 13 findings.`);
    for (const word of words) {
      if (!/^[a-z]+$/.test(word) || word.length < MIN_TYPO_LENGTH) throw new Error(`TYPO_HEAD_WORDS: "${word}" must be one lower-case word of ${MIN_TYPO_LENGTH}+ letters.`);
      const list = byLength.get(word.length) ?? [];
      list.push({ word, finding });
      byLength.set(word.length, list);
    }
  }
  return byLength;
}

const HEADS = indexHeads(TYPO_HEAD_WORDS);
const EXACT = new Set([...HEADS.values()].flat().map((h) => h.word));

// A word of 7+ letters one edit from a head keeps the head's first three letters (edit at position 3 or later) or
// its last three (edit at position 0-2): a cheap test that rules out almost every word before any comparison.
const lower = (c: number) => (c >= 65 && c <= 90 ? c + 32 : c);
const key3 = (text: string, i: number) => (lower(text.charCodeAt(i)) << 16) | (lower(text.charCodeAt(i + 1)) << 8) | lower(text.charCodeAt(i + 2));
const PREFIXES = new Set([...EXACT].map((w) => key3(w, 0)));
const SUFFIXES = new Set([...EXACT].map((w) => key3(w, w.length - 3)));

/** True when `a` and `b` differ by at most one edit, a swap of two neighbouring letters counting as one. */
export function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  const la = a.length, lb = b.length;
  if (Math.abs(la - lb) > 1) return false;
  let i = 0;
  while (i < la && i < lb && a[i] === b[i]) i++;
  if (la === lb) {
    // One substitution, or one swap of neighbours.
    if (a.slice(i + 1) === b.slice(i + 1)) return true;
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
  }
  // One insertion or deletion.
  return la > lb ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

// Report words repeat ("pulmonary", "silhouette"): the answer per word is kept, up to a bound, so a long batch
// pays for each distinct word once.
const seen = new Map<string, Head | null>();
const SEEN_LIMIT = 20_000;

/** The head word a report word is a one-edit misspelling of, or undefined. */
export function typoHead(word: string): Head | undefined {
  const known = seen.get(word);
  if (known !== undefined) return known ?? undefined;
  const found = lookup(word.toLowerCase());
  if (seen.size >= SEEN_LIMIT) seen.clear();
  seen.set(word, found ?? null);
  return found;
}

function lookup(w: string): Head | undefined {
  if (w.length < MIN_TYPO_LENGTH || EXACT.has(w)) return undefined;
  for (const len of [w.length, w.length - 1, w.length + 1]) {
    for (const head of HEADS.get(len) ?? []) if (withinOneEdit(w, head.word)) return head;
  }
  return undefined;
}

// Runs of 7+ letters not glued to a digit or underscore ("T12abc" is not a word).
const WORD = /(?<![A-Za-z0-9_])[A-Za-z]{7,}(?![A-Za-z0-9_])/g;

/** Mentions from misspelt head words, in the doc's sentences, that no lexicon mention covers already. */
export function findTypoMentions(doc: ReportDoc, mentions: readonly Mention[]): Mention[] {
  const out: Mention[] = [];
  const { text, sentences } = doc;
  let m = 0;
  for (let k = 0; k < sentences.length; k++) {
    const { start: from, end: to } = sentences[k];
    WORD.lastIndex = from;
    for (let w = WORD.exec(text); w && w.index + w[0].length <= to; w = WORD.exec(text)) {
      const start = w.index;
      const end = start + w[0].length;
      if (!PREFIXES.has(key3(text, start)) && !SUFFIXES.has(key3(text, end - 3))) continue;
      while (m < mentions.length && mentions[m].end <= start) m++;
      if (m < mentions.length && mentions[m].start < end) continue; // already part of a mention
      const head = typoHead(text.slice(start, end));
      if (!head) continue;
      if (lexiconMatchesAt(text, start)) continue; // a spelling the lexicon knows ("fractured"), excluded here
      if (sentenceTriggers(doc, k).some((t) => t.start < end && start < t.end)) continue; // inside a trigger
      out.push({ finding: head.finding, start, end, sentence: k });
    }
  }
  return out;
}
