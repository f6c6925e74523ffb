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
// Longest head word: the length masks below are 32-bit (a bit per word length, up to one longer than a head).
const MAX_HEAD_LENGTH = 29;

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
      if (!/^[a-z]+$/.test(word) || word.length < MIN_TYPO_LENGTH || word.length > MAX_HEAD_LENGTH) {
        throw new Error(`TYPO_HEAD_WORDS: "${word}" must be one lower-case word of ${MIN_TYPO_LENGTH} to ${MAX_HEAD_LENGTH} letters.`);
      }
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
// its last three (edit at position 0-2), and is one letter shorter, as long or one longer: a cheap test that rules
// out almost every word before any string is made. Each table gives, for three letters (26 x 26 x 26 entries,
// looked up by index, not hashed), a bit mask of the word lengths that could be one edit from a head starting
// (ending) with them.
const letters3 = (text: string, i: number) =>
  ((text.charCodeAt(i) | 32) - 97) * 676 + ((text.charCodeAt(i + 1) | 32) - 97) * 26 + ((text.charCodeAt(i + 2) | 32) - 97);
function lengthMasks(at: (w: string) => number): Int32Array {
  const masks = new Int32Array(26 * 26 * 26);
  for (const w of EXACT) masks[letters3(w, at(w))] |= 0b111 << (w.length - 1);
  return masks;
}
const PREFIXES = lengthMasks(() => 0);
const SUFFIXES = lengthMasks((w) => w.length - 3);

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

const isLetter = (c: number) => (c | 32) >= 97 && (c | 32) <= 122; // A-Z or a-z (the bit 5 trick is ASCII only)
const isDigitOrUnderscore = (c: number) => (c >= 48 && c <= 57) || c === 95;

/**
 * Mentions from misspelt head words, in the doc's sentences, that no lexicon mention covers already.
 *
 * A word is a maximal run of 7+ ASCII letters not glued to a digit or underscore ("T12abc" is not a word). Such a
 * run starts at one of the doc's token starts (the character before it is no letter, digit or underscore), so
 * only those are visited, not every character; a word is sliced into a string only once its first or last three
 * letters and its length fit some head word (the masks above).
 */
export function findTypoMentions(doc: ReportDoc, mentions: readonly Mention[]): Mention[] {
  const out: Mention[] = [];
  const { text, sentences, tokens, sentenceTokens } = doc;
  const length = text.length;
  let m = 0;
  for (let k = 0; k < sentences.length; k++) {
    const to = sentences[k].end;
    for (let t = sentenceTokens[k]; t < sentenceTokens[k + 1]; t++) {
      const start = tokens[t];
      // Not a letter, or fewer than seven letters: not a candidate (most words end before their seventh letter).
      if (!isLetter(text.charCodeAt(start)) || !isLetter(text.charCodeAt(start + MIN_TYPO_LENGTH - 1))) continue;
      while (m < mentions.length && mentions[m].end <= start) m++;
      if (m < mentions.length && mentions[m].start <= start) continue; // inside a mention: no need to read it
      let end = start + 1;
      while (end < length && isLetter(text.charCodeAt(end))) end++;
      if (end > to) break; // runs past the sentence: no word of this sentence is left
      const size = end - start;
      if (size < MIN_TYPO_LENGTH || size > MAX_HEAD_LENGTH + 1) continue;
      if (end < length && isDigitOrUnderscore(text.charCodeAt(end))) continue;
      if (!((PREFIXES[letters3(text, start)] | SUFFIXES[letters3(text, end - 3)]) & (1 << size))) continue;
      if (m < mentions.length && mentions[m].start < end) continue; // already part of a mention
      const head = typoHead(text.slice(start, end));
      if (!head) continue;
      if (lexiconMatchesAt(text, start)) continue; // a spelling the lexicon knows ("fractured"), excluded here
      if (sentenceTriggers(doc, k).some((x) => x.start < end && start < x.end)) continue; // inside a trigger
      out.push({ finding: head.finding, start, end, sentence: k });
    }
  }
  return out;
}
