/**
 * Fast multi-pattern matching for the rule data. A plain alternation of a few hundred patterns makes the regex
 * engine try every pattern at every character of every report, too slow for 10,000 reports a second. Instead,
 * patterns are grouped by the characters they can start with; the text is walked once, and at each token start
 * (the first letter of a word, or a punctuation mark) only the sticky regexes of that character's group run.
 */
import { patternSource } from './rule-data.ts';


/** Lower-case characters a pattern can start with, or null when that cannot be worked out (a class, \w, ...). */
export function firstChars(pattern: string): Set<string> | null {
  const p = pattern.trim();
  if (!p) return null;
  const c = p[0];
  if (c === '(') {
    if (!p.startsWith('(?:')) return null;
    const close = matchingParen(p, 0);
    if (close < 0) return null;
    const out = new Set<string>();
    for (const alt of splitTopLevel(p.slice(3, close))) {
      const f = firstChars(alt.trim() ? alt + p.slice(close + 1).replace(/^(?:[?*]|\{\d*,?\d*\})/, '') : p.slice(close + 1));
      if (!f) return null;
      f.forEach((x) => out.add(x));
    }
    const after = p.slice(close + 1);
    const optional = /^(?:\?|\*|\{0,)/.test(after);
    if (optional) {
      const rest = firstChars(after.replace(/^(?:\?|\*|\{\d*,?\d*\})\??/, '').replace(/^ +/, ''));
      if (!rest) return null;
      rest.forEach((x) => out.add(x));
    }
    return out;
  }
  if (c === '\\') {
    const e = p[1];
    if (e === 'd') return new Set('0123456789');
    if (/[A-Za-z]/.test(e ?? '')) return null; // \w, \s, \b, ...
    return withOptional(p, 2, new Set([e]));
  }
  if ('[.^$|)?*+{ '.includes(c)) return null;
  return withOptional(p, 1, new Set([c.toLowerCase()]));
}

/**
 * Lower-case two-character starts of a pattern, or null when they cannot be worked out simply (an optional
 * first or second character, a space or class in second place, ...). Null only makes matching slower, never
 * wrong: such a pattern is tried after every token start with its first character.
 */
export function firstTwoChars(pattern: string): Set<string> | null {
  return prefixesOf(pattern.trim(), 2);
}

// The lower-case strings of `n` letters or digits every match starts with, through leading groups.
function prefixesOf(p: string, n: number): Set<string> | null {
  if (n === 0) return new Set(['']);
  if (p.startsWith('(?:')) {
    const close = matchingParen(p, 0);
    if (close < 0 || /^[?*{+]/.test(p.slice(close + 1))) return null;
    const rest = p.slice(close + 1);
    const out = new Set<string>();
    for (const alt of splitTopLevel(p.slice(3, close))) {
      const f = prefixesOf(alt + rest, n);
      if (!f) return null;
      f.forEach((x) => out.add(x));
    }
    return out;
  }
  if (!/^[a-z0-9]/i.test(p) || /^[?*{+]/.test(p.slice(1))) return null;
  const rest = prefixesOf(p.slice(1), n - 1);
  if (!rest) return null;
  const c = p[0].toLowerCase();
  return new Set([...rest].map((r) => c + r));
}

/**
 * How a pattern's matches can start, as a set of lower-case letter/digit prefixes of up to `n` characters, each
 * possibly ending in a marker: `#` when a character that is not a letter or digit comes next (a space, a hyphen,
 * the end), `*` when anything may come next (a class, a repeat, a construct not read here). "(?:small )?effusion"
 * gives {sma, eff}; "T\\s?-?1" with n = 3 gives {t#, t1#}; "[a-z]+" gives {*}. Never too narrow: it only lets a
 * matcher skip places where the pattern cannot start. Null when the set would be large.
 */
export function matchStarts(pattern: string, n: number): Set<string> | null {
  const out = startsOf(pattern.trim(), n, 0);
  return out && out.size <= 256 ? out : null;
}

const WILD = new Set(['*']);
const OTHER = new Set(['#']);

function prepend(c: string, rest: Set<string> | null): Set<string> | null {
  return rest && new Set([...rest].map((r) => c + r));
}

function unite(...sets: Array<Set<string> | null>): Set<string> | null {
  const out = new Set<string>();
  for (const s of sets) {
    if (!s || s.size > 256) return null;
    s.forEach((x) => out.add(x));
  }
  return out;
}

function startsOf(p: string, n: number, depth: number): Set<string> | null {
  if (n === 0) return new Set(['']);
  if (depth > 12) return WILD;
  if (p === '') return WILD; // what follows the pattern is not known here
  const alts = splitTopLevel(p);
  if (alts.length > 1) return unite(...alts.map((a) => startsOf(a, n, depth + 1)));
  if (p.startsWith('(')) {
    const close = matchingParen(p, 0);
    if (close < 0) return WILD;
    const inner = p.startsWith('(?:') ? p.slice(3, close) : p.startsWith('(?') ? null : p.slice(1, close);
    const after = p.slice(close + 1);
    // A lookaround consumes nothing: what starts the match is what comes after it (a superset, which is safe).
    if (inner === null) return /^\(\?(?:=|!|<=|<!)/.test(p) ? startsOf(after, n, depth + 1) : WILD;
    if (after.startsWith('?')) return unite(startsOf(`(?:${inner})${after.slice(1)}`, n, depth + 1), startsOf(after.slice(1), n, depth + 1));
    if (/^[*+{]/.test(after)) return WILD;
    return unite(...splitTopLevel(inner).map((a) => startsOf(a + after, n, depth + 1)));
  }
  // One unit: an escaped character, a letter or digit, or other text; then maybe "?".
  let unit: string;
  if (p[0] === '\\') unit = p.slice(0, 2);
  else unit = p[0];
  const after = p.slice(unit.length);
  const optional = after.startsWith('?');
  if (/^[*+{]/.test(after)) return WILD;
  const rest = optional ? after.slice(1) : after;
  let taken: Set<string> | null;
  if (/^[A-Za-z0-9]$/.test(unit)) taken = prepend(unit.toLowerCase(), startsOf(rest, n - 1, depth + 1));
  else if (unit === ' ' || /^\\[sS.\-,;:()/'"]$/.test(unit) || /^[-,;:'"/&]$/.test(unit)) taken = /^\\[S]$/.test(unit) ? WILD : OTHER;
  else taken = WILD; // a class, ".", "\\d", "\\w", "^", ...
  return optional ? unite(taken, startsOf(rest, n, depth + 1)) : taken;
}

function withOptional(p: string, next: number, set: Set<string>): Set<string> | null {
  if (p[next] !== '?' && p[next] !== '*') return set;
  const rest = firstChars(p.slice(next + 1));
  if (!rest) return null;
  rest.forEach((x) => set.add(x));
  return set;
}

function matchingParen(p: string, open: number): number {
  let depth = 0;
  for (let i = open; i < p.length; i++) {
    if (p[i] === '\\') i++;
    else if (p[i] === '(') depth++;
    else if (p[i] === ')' && --depth === 0) return i;
  }
  return -1;
}

function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === '(' || s[i] === '[') depth++;
    else if (s[i] === ')' || s[i] === ']') depth--;
    else if (s[i] === '|' && depth === 0) {
      parts.push(s.slice(from, i));
      from = i + 1;
    }
  }
  parts.push(s.slice(from));
  return parts;
}

/**
 * A sticky, case-insensitive regex for some patterns, each in its own capture group when `groups` is set. The
 * match may not end in the middle of a word: "tube" does not match the start of "tuberculosis".
 */
export function stickyAlternation(patterns: readonly string[], groups: boolean): RegExp {
  const body = patterns.map((p) => (groups ? `(${patternSource(p)})` : `(?:${patternSource(p)})`)).join('|');
  return new RegExp(`(?:${body})(?:(?<![A-Za-z0-9])|(?![A-Za-z0-9]))`, 'iy');
}

/**
 * Patterns grouped by first character. `bucket(c)` gives the items whose pattern can start with character `c`
 * (lower case), in their original order, plus those whose first character is unknown.
 */
export class FirstCharIndex<T> {
  /** Buckets by character code for ASCII (the common case, looked up without making a string). */
  readonly #ascii: Array<T | undefined> = new Array(128).fill(undefined);
  /**
   * For an ASCII first character, which ASCII second characters (lower case) can follow it in some pattern of
   * its bucket; null when any can.
   */
  readonly #second: Array<Uint8Array | null> = new Array(128).fill(null);
  readonly #byChar = new Map<string, T>();
  readonly #fallback: T | undefined;
  /**
   * By ASCII first and second character (index lower(first) << 7 | lower(second)): the items whose pattern can
   * start with both, built on first use; null when none can.
   */
  readonly #pairs: Array<T | null | undefined> = new Array(1 << 14).fill(undefined);
  readonly #firsts: ReadonlyArray<Set<string> | null>;
  readonly #twos: ReadonlyArray<Set<string> | null>;
  readonly #build: (indices: number[]) => T | undefined;

  constructor(patterns: readonly string[], build: (indices: number[]) => T | undefined) {
    const firsts = patterns.map(firstChars);
    const twos = patterns.map(firstTwoChars);
    this.#firsts = firsts;
    this.#twos = twos;
    this.#build = build;
    const unknown = firsts.flatMap((f, i) => (f ? [] : [i]));
    const chars = new Set<string>();
    for (const f of firsts) f?.forEach((c) => chars.add(c));
    for (const c of chars) {
      const indices = firsts.flatMap((f, i) => (!f || f.has(c) ? [i] : []));
      const built = build(indices);
      if (built !== undefined) this.#byChar.set(c, built);
    }
    this.#fallback = unknown.length ? build(unknown) : undefined;
    for (let code = 0; code < 128; code++) {
      const c = String.fromCharCode(code).toLowerCase();
      this.#ascii[code] = this.#byChar.get(c) ?? this.#fallback;
      const indices = firsts.flatMap((f, i) => (!f || f.has(c) ? [i] : []));
      if (!indices.length || indices.some((i) => !twos[i])) continue;
      const allowed = new Uint8Array(128);
      for (const i of indices) {
        for (const two of twos[i]!) if (two[0] === c && two.charCodeAt(1) < 128) allowed[two.charCodeAt(1)] = 1;
      }
      this.#second[code] = allowed;
    }
  }

  /** Items that can start at a character, given as its UTF-16 code (either case). */
  bucketAt(code: number): T | undefined {
    if (code < 128) return this.#ascii[code];
    return this.#byChar.get(String.fromCharCode(code).toLowerCase()) ?? this.#fallback;
  }

  /**
   * Items that can start with these two characters (codes, either case): a bucket of only the patterns whose
   * first two characters fit, so the regex tried at a token start is a short alternation, not every pattern of
   * the first letter ("ef" → the effusion patterns, not also "edema", "emphysema", ...). A pattern can match only
   * where its two-character starts (firstTwoChars) fit, so leaving the others out changes no match; the kept
   * patterns keep their order. Undefined when none can start there.
   */
  bucketFor(first: number, second: number): T | undefined {
    const lowerFirst = first >= 65 && first <= 90 ? first + 32 : first;
    const lowerSecond = second >= 65 && second <= 90 ? second + 32 : second;
    // Outside ASCII (or at the end of the text: NaN) the first-character bucket, as before.
    if (!(lowerFirst < 128 && lowerSecond < 128)) return this.mayStart(first, second) ? this.bucketAt(first) : undefined;
    const key = (lowerFirst << 7) | lowerSecond;
    let bucket = this.#pairs[key];
    if (bucket === undefined) {
      const c = String.fromCharCode(lowerFirst);
      const two = c + String.fromCharCode(lowerSecond);
      const indices: number[] = [];
      for (let i = 0; i < this.#firsts.length; i++) {
        const f = this.#firsts[i];
        const t = this.#twos[i];
        if ((!f || f.has(c)) && (!t || t.has(two))) indices.push(i);
      }
      this.#pairs[key] = bucket = (indices.length ? this.#build(indices) : undefined) ?? null;
    }
    return bucket ?? undefined;
  }

  /** False when no pattern can start with these two characters (codes), so the bucket need not be tried. */
  mayStart(first: number, second: number): boolean {
    if (first >= 128) return true;
    const allowed = this.#second[first];
    if (!allowed) return true;
    // Lower-case ASCII letters; a non-ASCII second character is allowed (patterns are ASCII, so it never matches).
    const lower = second >= 65 && second <= 90 ? second + 32 : second;
    return lower < 128 && allowed[lower] === 1;
  }
}

const isWordCode = (code: number) =>
  (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57) || code === 95;
const isSpaceCode = (code: number) => code === 32 || (code >= 9 && code <= 13) || code === 160;

/**
 * Calls `visit(i)` at each token start in [start, end): the first character of a word, or a punctuation mark.
 * Every match of a rule pattern starts at one of these (patterns never start with a space or mid-word).
 */
export function forEachTokenStart(text: string, start: number, end: number, visit: (i: number) => void): void {
  let prevWord = start > 0 && isWordCode(text.charCodeAt(start - 1));
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    const word = isWordCode(code);
    if (word ? !prevWord : !isSpaceCode(code)) visit(i);
    prevWord = word;
  }
}

/**
 * The token starts (as `forEachTokenStart` visits them) of each range, in one array: range k's are
 * `tokens[offsets[k]]` to `tokens[offsets[k + 1] - 1]`. A report is walked character by character once, here,
 * and every matcher (mentions, exclusions, ICD-10 phrases, triggers) then visits only its few token starts.
 */
export function tokenStarts(text: string, ranges: ReadonlyArray<{ start: number; end: number }>): { tokens: number[]; offsets: number[] } {
  const tokens: number[] = [];
  const offsets: number[] = [0];
  for (const { start, end } of ranges) {
    let prevWord = start > 0 && classOf(text.charCodeAt(start - 1)) === WORD;
    for (let i = start; i < end; i++) {
      const kind = classOf(text.charCodeAt(i));
      if (kind === WORD ? !prevWord : kind === OTHER_CHAR) tokens.push(i);
      prevWord = kind === WORD;
    }
    offsets.push(tokens.length);
  }
  return { tokens, offsets };
}

// Character classes for the token walk, by table for ASCII (one load per character instead of several
// comparisons): the same classes as isWordCode / isSpaceCode.
const SPACE_CHAR = 0, WORD = 1, OTHER_CHAR = 2;
const ASCII_CLASS = Uint8Array.from({ length: 128 }, (_, c) => (isWordCode(c) ? WORD : isSpaceCode(c) ? SPACE_CHAR : OTHER_CHAR));
const classOf = (code: number) => (code < 128 ? ASCII_CLASS[code] : isSpaceCode(code) ? SPACE_CHAR : OTHER_CHAR);
