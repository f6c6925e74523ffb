/**
 * Stage 2: split the labeled sections into sentences, the outer limit of every negation or uncertainty scope.
 * Written as one pass over the characters (no per-sentence regexes) because it runs on every report.
 */
import type { Section } from './sections.ts';

export interface Sentence {
  start: number;
  end: number;
  /** Name of the section the sentence is in. */
  section: string;
}

// Abbreviations whose period does not end a sentence (lower case, without the period).
const ABBREVIATIONS = new Set(['vs', 'approx', 'dr', 'mr', 'mrs', 'ms', 'e.g', 'i.e', 'eg', 'ie', 'cf', 'fig', 'no', 'nos', 'st', 'ca']);

// Character codes, so the per-character loop allocates nothing.
const SPACE = 32, TAB = 9, LF = 10, CR = 13, DOT = 46, QUESTION = 63, BANG = 33, RPAREN = 41, DASH = 45, STAR = 42, BULLET = 0x2022;
const isSpace = (c: number) => c === SPACE || c === LF || (c >= TAB && c <= CR) || c === 160;
const isDigit = (c: number) => c >= 48 && c <= 57;
const isUpper = (c: number) => c >= 65 && c <= 90;
const isLetter = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90);

const mayStartMarker = (c: number) => isDigit(c) || c === DASH || c === STAR || c === BULLET;

/**
 * Characters where a running sentence can end: ".", "?", "!", a line break, or a space before what may start a
 * list marker (a digit, "-", "*", "•"). Every other character inside a sentence changes nothing. One character
 * long matches, so `lastIndex - 1` is where the candidate is.
 */
const NEXT_CANDIDATE = /[.?!\n]|[\t-\r \u00a0](?=[0-9*\u2022-])/g;
const isBoundaryCandidate = (text: string, i: number, c: number) =>
  c === DOT || c === QUESTION || c === BANG || c === LF || (isSpace(c) && mayStartMarker(text.charCodeAt(i + 1)));

/** Length of a list marker ("1. ", "2) ", "- ", "* ", "• ") at `i`, or 0. Only called at a token start. */
function listMarkerLength(text: string, i: number, end: number): number {
  const c = text.charCodeAt(i);
  if ((c === DASH || c === STAR || c === BULLET) && i + 1 < end && isSpace(text.charCodeAt(i + 1))) return 2;
  let j = i;
  while (j < end && j - i < 2 && isDigit(text.charCodeAt(j))) j++;
  const d = text.charCodeAt(j);
  if (j > i && j + 1 < end && (d === DOT || d === RPAREN) && isSpace(text.charCodeAt(j + 1))) return j + 2 - i;
  return 0;
}

/** Whether the period at `i` belongs to an abbreviation, an initial or a decimal number, not a sentence end. */
function periodIsPartOfWord(text: string, i: number, start: number): boolean {
  const next = text.charCodeAt(i + 1);
  if (isDigit(next) && i > start && isDigit(text.charCodeAt(i - 1))) return true; // 1.5 cm
  let w = i;
  while (w > start && (isLetter(text.charCodeAt(w - 1)) || text.charCodeAt(w - 1) === DOT)) w--;
  if (w === i || i - w > 6) return false;
  const word = text.slice(w, i).toLowerCase();
  // A single letter is an initial or part of "e.g." only when lower case follows ("e. coli"), not "A. There".
  if (word.length === 1) return isSpace(next) && text.charCodeAt(i + 2) >= 97 && text.charCodeAt(i + 2) <= 122;
  // "no." is an abbreviation only before a number ("no. 2"), otherwise it ends "effusion: no."
  if (word === 'no' || word === 'nos') return next === SPACE && isDigit(text.charCodeAt(i + 2));
  return ABBREVIATIONS.has(word);
}

/**
 * Sentences of the labeled sections, in text order, trimmed, without their list markers. A sentence ends at
 * ".", "?" or "!" followed by a space, the end, or a capital letter ("apex.There"); at a blank line; at a line
 * break followed by a capital or a list marker; and before a list marker ("1. ... 2. ...").
 */
export function splitSentences(text: string, sections: Section[]): Sentence[] {
  const out: Sentence[] = [];
  for (const section of sections) {
    if (!section.labeled) continue;
    const { start, end, name } = section;
    let s = -1; // start of the current sentence, -1 between sentences
    let at = -1; // where the current sentence is to be closed, -1 while it runs on
    for (let i = start; i <= end; i++) {
      if (at >= 0 || i === end) {
        if (s >= 0) {
          let e = at >= 0 ? at : end;
          while (e > s && isSpace(text.charCodeAt(e - 1))) e--;
          if (e > s) out.push({ start: s, end: e, section: name });
        }
        s = -1;
        at = -1;
        if (i === end) break;
      }
      const c = text.charCodeAt(i);
      if (s >= 0 && !isBoundaryCandidate(text, i, c)) {
        // Inside a sentence only an end mark, a line break or a space before a list marker can end it: jump to the
        // next such character with one native regex scan rather than looking at every letter here.
        NEXT_CANDIDATE.lastIndex = i + 1;
        const next = NEXT_CANDIDATE.test(text) ? NEXT_CANDIDATE.lastIndex - 1 : end;
        i = (next < end ? next : end) - 1;
        continue;
      }
      if (s < 0) {
        if (isSpace(c)) continue;
        // Skip list markers at a sentence start so "1." is not a sentence of its own.
        const marker = listMarkerLength(text, i, end);
        if (marker) {
          i += marker - 1;
          continue;
        }
        s = i;
      }
      if (c === DOT || c === QUESTION || c === BANG) {
        const next = text.charCodeAt(i + 1);
        if ((i + 1 >= end || isSpace(next) || isUpper(next)) && !(c === DOT && periodIsPartOfWord(text, i, s))) at = i + 1;
      } else if (c === LF) {
        let j = i + 1;
        let blank = false;
        while (j < end && isSpace(text.charCodeAt(j))) {
          if (text.charCodeAt(j) === LF) blank = true;
          j++;
        }
        if (blank || j >= end || isUpper(text.charCodeAt(j)) || listMarkerLength(text, j, end)) at = i;
      } else if (s < i && i + 1 < end && isSpace(c) && mayStartMarker(text.charCodeAt(i + 1))) {
        // A list marker in running text ("... lungs. 2. Heart ...", or "effusion 2. Heart") starts a sentence.
        const marker = listMarkerLength(text, i + 1, end);
        if (marker && (isDigit(text.charCodeAt(i + 1)) || text.charCodeAt(i - 1) === LF)) {
          at = i;
          // The marker is skipped when the next sentence starts.
        }
      }
    }
  }
  return out;
}
