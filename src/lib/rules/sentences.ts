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

const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';
const isDigit = (c: string) => c >= '0' && c <= '9';
const isUpper = (c: string) => c >= 'A' && c <= 'Z';
const isLetter = (c: string) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');

/** Length of a list marker ("1. ", "2) ", "- ", "* ", "• ") at `i`, or 0. Only called at a token start. */
function listMarkerLength(text: string, i: number, end: number): number {
  const c = text[i];
  if ((c === '-' || c === '*' || c === '•') && i + 1 < end && isSpace(text[i + 1])) return 2;
  let j = i;
  while (j < end && j - i < 2 && isDigit(text[j])) j++;
  if (j > i && j + 1 < end && (text[j] === '.' || text[j] === ')') && isSpace(text[j + 1])) return j + 2 - i;
  return 0;
}

/** Whether the period at `i` belongs to an abbreviation, an initial or a decimal number, not a sentence end. */
function periodIsPartOfWord(text: string, i: number, start: number): boolean {
  const next = text[i + 1] ?? '';
  if (isDigit(next) && i > start && isDigit(text[i - 1])) return true; // 1.5 cm
  let w = i;
  while (w > start && (isLetter(text[w - 1]) || text[w - 1] === '.')) w--;
  const word = text.slice(w, i).toLowerCase();
  if (word.length === 1 && isLetter(word)) return isSpace(next) && /[a-z]/.test(text[i + 2] ?? ''); // "e. coli", not "A."
  // "no." is an abbreviation only before a number ("no. 2"), otherwise it ends "effusion: no."
  if (word === 'no' || word === 'nos') return next === ' ' && isDigit(text[i + 2] ?? '');
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
    const close = (at: number) => {
      if (s < 0) return;
      let e = at;
      while (e > s && isSpace(text[e - 1])) e--;
      if (e > s) out.push({ start: s, end: e, section: name });
      s = -1;
    };
    for (let i = start; i < end; i++) {
      const c = text[i];
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
      if (c === '.' || c === '?' || c === '!') {
        const next = text[i + 1] ?? '';
        if (i + 1 >= end || isSpace(next) || isUpper(next)) {
          if (c === '.' && periodIsPartOfWord(text, i, s)) continue;
          close(i + 1);
        }
      } else if (c === '\n') {
        let j = i + 1;
        let blank = false;
        while (j < end && isSpace(text[j])) {
          if (text[j] === '\n') blank = true;
          j++;
        }
        if (blank || j >= end || isUpper(text[j]) || listMarkerLength(text, j, end)) close(i);
      } else if (isSpace(c) && i + 1 < end && s < i) {
        // A list marker in running text ("... lungs. 2. Heart ...", or "effusion 2. Heart") starts a sentence.
        const marker = listMarkerLength(text, i + 1, end);
        if (marker && (isDigit(text[i + 1]) || text[i - 1] === '\n')) {
          close(i);
          i += marker;
        }
      }
    }
    close(end);
  }
  return out;
}
