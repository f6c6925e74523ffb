/**
 * Strict loader for the ICD-10 data (table.ts, phrases.ts, modifiers.ts): rejects unknown keys, malformed codes,
 * duplicate codes, unknown findings, phrases whose code is not in the table and patterns that do not compile,
 * naming the entry and the field, then compiles the phrases once.
 */
import { RadReportXError } from '../errors.ts';
import { isFinding, type Finding } from '../findings.ts';
import { firstChars, literalPrefixes } from '../rules/matcher.ts';
import { TABLE_CODE_SHAPE } from './code.ts';
import { OLD_INJURY_AFTER_PATTERNS, OLD_INJURY_PATTERNS } from './modifiers.ts';
import { PHRASE_RULES, type PhraseRule } from './phrases.ts';
import { ICD10_TABLE, type Icd10Default, type Icd10TableRow } from './table.ts';

export class Icd10DataError extends RadReportXError {
  constructor(message: string) {
    super('InvalidConfig', message, 'Fix the ICD-10 data file named in the message; every key must be one the schema lists.');
    this.name = 'InvalidConfig';
  }
}

const DEFAULTS: readonly Icd10Default[] = ['initial-encounter', 'closed-fracture', 'unspecified-side', 'unspecified-site'];

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkKeys(where: string, entry: Record<string, unknown>, allowed: readonly string[], required: readonly string[]) {
  for (const key of Object.keys(entry)) {
    if (!allowed.includes(key)) throw new Icd10DataError(`${where}: unknown field "${key}" (allowed: ${allowed.join(', ')}).`);
  }
  for (const key of required) {
    if (!(key in entry)) throw new Icd10DataError(`${where}: missing field "${key}".`);
  }
}

function stringList(where: string, field: string, value: unknown): string[] {
  if (!Array.isArray(value)) throw new Icd10DataError(`${where}: field "${field}" must be a list.`);
  value.forEach((v, i) => {
    if (typeof v !== 'string' || !v.trim()) throw new Icd10DataError(`${where}: field "${field}"[${i}] must be a non-empty string.`);
  });
  return value as string[];
}

/** Validates the code table; returns it typed, or throws Icd10DataError naming the row and field. */
export function validateTable(data: unknown, file = 'table'): Icd10TableRow[] {
  if (!Array.isArray(data)) throw new Icd10DataError(`${file}: expected a list of rows.`);
  const seen = new Set<string>();
  return data.map((row, i) => {
    const where = `${file} row ${i}`;
    if (!isRecord(row)) throw new Icd10DataError(`${where}: expected an object.`);
    checkKeys(where, row, ['code', 'title', 'findings', 'defaults', 'category'], ['code', 'title', 'findings', 'defaults']);
    const { code, title, category } = row;
    if (typeof code !== 'string' || !TABLE_CODE_SHAPE.test(code)) {
      throw new Icd10DataError(`${where}: field "code" ("${String(code)}") is not an ICD-10-CM code with its dot (e.g. J98.11).`);
    }
    const w = `${file} row ${i} (${code})`;
    if (seen.has(code)) throw new Icd10DataError(`${w}: field "code": "${code}" has a second row.`);
    seen.add(code);
    if (typeof title !== 'string' || !title.trim()) throw new Icd10DataError(`${w}: field "title" must be non-empty text.`);
    const findings = stringList(w, 'findings', row.findings);
    for (const f of findings) if (!isFinding(f)) throw new Icd10DataError(`${w}: field "findings": "${f}" is not one of the 13 findings.`);
    const defaults = stringList(w, 'defaults', row.defaults);
    for (const d of defaults) {
      if (!DEFAULTS.includes(d as Icd10Default)) throw new Icd10DataError(`${w}: field "defaults": "${d}" must be one of ${DEFAULTS.join(', ')}.`);
    }
    if (category !== undefined && category !== true) throw new Icd10DataError(`${w}: field "category" must be true or absent.`);
    return {
      code,
      title,
      findings: findings as Finding[],
      defaults: defaults as Icd10Default[],
      ...(category ? { category: true as const } : {}),
    };
  });
}

/** A data pattern as regex source: a plain space matches any run of whitespace or hyphens. */
export function patternSource(pattern: string): string {
  return pattern.trim().replace(/ +/g, '[\\s-]+');
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
// Letters and digits on either side mean the match is inside a longer word ("pacer" in "spacer").
const wordBounded = (body: string, flags: string) => new RegExp(`(?<![A-Za-z0-9])(?:${body})(?![A-Za-z0-9])`, flags);

function checkPattern(where: string, field: string, i: number, p: string): void {
  let re: RegExp;
  try {
    re = new RegExp(`^(?:${patternSource(p)})$`, 'i');
  } catch (e) {
    throw new Icd10DataError(`${where}: field "${field}"[${i}] ("${p}") is not a valid pattern: ${(e as Error).message}`);
  }
  if (re.test('')) throw new Icd10DataError(`${where}: field "${field}"[${i}] ("${p}") matches empty text.`);
  // A space stands for one or more spaces, so "dextro ?curvature" would still require one: a quiet mistake.
  if (/ [?*{]/.test(p)) {
    throw new Icd10DataError(`${where}: field "${field}"[${i}] ("${p}") puts a quantifier on a space; write "(?: )?" or "\\s?" instead.`);
  }
}

/** Validates the phrase rules against the code table; returns them typed, or throws Icd10DataError. */
export function validatePhrases(data: unknown, table: readonly Icd10TableRow[], file = 'phrases'): PhraseRule[] {
  if (!Array.isArray(data)) throw new Icd10DataError(`${file}: expected a list of rules.`);
  const codes = new Set(table.map((r) => r.code));
  return data.map((rule, i) => {
    const where = `${file} rule ${i}`;
    if (!isRecord(rule)) throw new Icd10DataError(`${where}: expected an object.`);
    checkKeys(where, rule, ['code', 'patterns', 'abbreviations', 'status', 'note'], ['code']);
    const { code } = rule;
    if (typeof code !== 'string' || !codes.has(code)) {
      throw new Icd10DataError(`${where}: field "code" ("${String(code)}") is not in the code table (table.ts).`);
    }
    const w = `${file} rule ${i} (${code})`;
    const patterns = rule.patterns === undefined ? [] : stringList(w, 'patterns', rule.patterns);
    const abbreviations = rule.abbreviations === undefined ? [] : stringList(w, 'abbreviations', rule.abbreviations);
    if (patterns.length + abbreviations.length === 0) throw new Icd10DataError(`${w}: needs at least one of "patterns" or "abbreviations".`);
    patterns.forEach((p, j) => checkPattern(w, 'patterns', j, p));
    if (rule.status !== undefined && rule.status !== true) throw new Icd10DataError(`${w}: field "status" must be true or absent.`);
    if (rule.note !== undefined && typeof rule.note !== 'string') throw new Icd10DataError(`${w}: field "note" must be text.`);
    return {
      code,
      ...(patterns.length ? { patterns } : {}),
      ...(abbreviations.length ? { abbreviations } : {}),
      ...(rule.status ? { status: true as const } : {}),
      ...(rule.note === undefined ? {} : { note: rule.note as string }),
    };
  });
}

export interface CompiledPhrase {
  code: string;
  regex: RegExp;
  /** A status code: kept when the report says "history of" / "status post". */
  status: boolean;
  /** The code is an acute injury (7th character A): an "old" or "healed" one is not coded. */
  acuteInjury: boolean;
  /** Index of the rule in phrases.ts, to break ties between equally long matches. */
  order: number;
  /** The same pattern, sticky, to try at one position of the text. */
  sticky: RegExp;
  /** Regex source of the phrase without its word boundaries, and whether it ignores case (abbreviations do not). */
  body: string;
  caseless: boolean;
}

export interface Icd10Lexicon {
  table: ReadonlyMap<string, Icd10TableRow>;
  phrases: readonly CompiledPhrase[];
  /** Phrases by the letters they can start with: the few worth trying at one word start. */
  byStart: PhraseStartIndex;
  /** Old-injury words just before an acute-injury phrase ("healed rib fracture"), tested on the text before it. */
  oldInjuryBefore: RegExp;
  /** The same words just after it ("rib fractures, which are old"), tested on the rest of the sentence. */
  oldInjuryAfter: RegExp;
}

/** Validates and compiles table + phrases + modifiers. */
export function compileIcd10Lexicon(
  tableData: unknown,
  phraseData: unknown,
  oldInjuryPatterns: unknown = OLD_INJURY_PATTERNS,
  oldInjuryAfterPatterns: unknown = OLD_INJURY_AFTER_PATTERNS,
): Icd10Lexicon {
  const rows = validateTable(tableData);
  const table = new Map(rows.map((r) => [r.code, r]));
  const rules = validatePhrases(phraseData, rows);
  const old = stringList('modifiers OLD_INJURY_PATTERNS', 'patterns', oldInjuryPatterns);
  old.forEach((p, i) => checkPattern('modifiers OLD_INJURY_PATTERNS', 'patterns', i, p));
  const oldAfter = stringList('modifiers OLD_INJURY_AFTER_PATTERNS', 'patterns', oldInjuryAfterPatterns);
  oldAfter.forEach((p, i) => checkPattern('modifiers OLD_INJURY_AFTER_PATTERNS', 'patterns', i, p));
  const phrases: CompiledPhrase[] = [];
  const sources: string[] = [];
  const add = (base: Omit<CompiledPhrase, 'regex' | 'sticky' | 'body' | 'caseless'>, source: string, body: string, caseless: boolean) => {
    phrases.push({ ...base, regex: wordBounded(body, caseless ? 'gi' : 'g'), sticky: wordBounded(body, caseless ? 'iy' : 'y'), body, caseless });
    sources.push(source);
  };
  rules.forEach((rule, order) => {
    const acuteInjury = table.get(rule.code)!.defaults.includes('initial-encounter');
    const base = { code: rule.code, status: !!rule.status, acuteInjury, order };
    for (const p of rule.patterns ?? []) add(base, p, patternSource(p), true);
    for (const a of rule.abbreviations ?? []) add(base, escape(a), escape(a), false);
  });
  const byStart = new PhraseStartIndex(sources, phrases);
  // Up to three words may sit between the old-injury word and the phrase ("healed left 5th rib fracture"); before
  // the phrase a comma breaks the link ("compared to prior, new rib fracture").
  const before = old.map(patternSource).join('|');
  const after = oldAfter.map(patternSource).join('|');
  const oldInjuryBefore = new RegExp(`(?<![A-Za-z0-9])(?:${before})(?:[\\s-]+[a-z0-9]+){0,3}[\\s-]*$`, 'i');
  const oldInjuryAfter = new RegExp(`^(?:[\\s,-]+[a-z0-9]+){0,3}?[\\s,-]+(?:${after})(?![A-Za-z0-9])`, 'i');
  return { table, phrases, byStart, oldInjuryBefore, oldInjuryAfter };
}

/** A leading `(?<!...)` or `(?<=...)` consumes nothing, so the letters after it are where a match starts. */
function withoutLeadingLookbehind(source: string): string {
  if (!source.startsWith('(?<!') && !source.startsWith('(?<=')) return source;
  let depth = 0;
  for (let i = 0; i < source.length; i++) {
    if (source[i] === '\\') i++;
    else if (source[i] === '(') depth++;
    else if (source[i] === ')' && --depth === 0) return source.slice(i + 1);
  }
  return source;
}

/** The phrases worth trying at one position, with one filter regex per case mode so most positions cost one test. */
interface PhraseBucket {
  /** All case-insensitive candidates as one sticky alternation: no match means none of them matches here. */
  readonly caseless: RegExp | undefined;
  /** The same for the case-sensitive abbreviations. */
  readonly cased: RegExp | undefined;
  readonly phrases: readonly CompiledPhrase[];
}

// Lower-case code of an ASCII letter or digit, else 0 (no key holds 0: keys are letters and digits).
const keyCode = (code: number) => (code >= 65 && code <= 90 ? code + 32 : (code >= 97 && code <= 122) || (code >= 48 && code <= 57) ? code : 0);
const key2 = (s: string) => (s.charCodeAt(0) << 7) | s.charCodeAt(1);
const key3 = (s: string) => (s.charCodeAt(0) << 14) | (s.charCodeAt(1) << 7) | s.charCodeAt(2);

/**
 * Running ~500 patterns over every report costs far more than trying, at each word start, only the patterns whose
 * first letters fit ("ple" → the pleural phrases; "the" → none), and only after one combined regex of those says
 * one of them matches there. A pattern is filed under its first three letters when they can be read, else two,
 * else its first character, else it is tried everywhere.
 */
export class PhraseStartIndex {
  readonly #byThree = new Map<number, PhraseBucket>();
  readonly #byTwo = new Map<number, PhraseBucket>();
  /** By first character: an array for ASCII (looked up without making a string), a map for the rest. */
  readonly #byOneAscii: Array<PhraseBucket | undefined> = new Array(128).fill(undefined);
  readonly #byOne = new Map<string, PhraseBucket>();
  readonly #anywhere: PhraseBucket | undefined;

  constructor(sources: readonly string[], phrases: readonly CompiledPhrase[]) {
    const three = new Map<number, number[]>();
    const two = new Map<number, number[]>();
    const one = new Map<string, number[]>();
    const anywhere: number[] = [];
    const file = <K>(map: Map<K, number[]>, key: K, i: number) => {
      const list = map.get(key);
      if (list) list.push(i);
      else map.set(key, [i]);
    };
    sources.forEach((raw, i) => {
      const source = withoutLeadingLookbehind(raw);
      const p3 = literalPrefixes(source, 3);
      const p2 = p3 ? null : literalPrefixes(source, 2);
      const p1 = p3 || p2 ? null : firstChars(source);
      if (p3) p3.forEach((k) => file(three, key3(k), i));
      else if (p2) p2.forEach((k) => file(two, key2(k), i));
      else if (p1) p1.forEach((k) => file(one, k, i));
      else anywhere.push(i);
    });
    const bucket = (...lists: Array<number[] | undefined>): PhraseBucket => {
      const indices = [...new Set(lists.flatMap((l) => l ?? []))].sort((x, y) => x - y);
      const union = (caseless: boolean) => {
        const bodies = indices.filter((i) => phrases[i].caseless === caseless).map((i) => `(?:${phrases[i].body})`);
        return bodies.length ? wordBounded(bodies.join('|'), caseless ? 'iy' : 'y') : undefined;
      };
      return { caseless: union(true), cased: union(false), phrases: indices.map((i) => phrases[i]) };
    };
    // Each bucket holds every phrase that can match where its letters start: its own, plus the shorter keys'.
    const char = (k: number, shift: number) => String.fromCharCode((k >>> shift) & 127);
    for (const [k, list] of three) this.#byThree.set(k, bucket(list, two.get(k >>> 7), one.get(char(k, 14)), anywhere));
    for (const [k, list] of two) this.#byTwo.set(k, bucket(list, one.get(char(k, 7)), anywhere));
    for (const [k, list] of one) {
      const b = bucket(list, anywhere);
      if (k.charCodeAt(0) < 128) this.#byOneAscii[k.charCodeAt(0)] = b;
      else this.#byOne.set(k, b);
    }
    this.#anywhere = anywhere.length ? bucket(anywhere) : undefined;
  }

  #firstChar(code: number): PhraseBucket | undefined {
    if (code < 128) return this.#byOneAscii[code >= 65 && code <= 90 ? code + 32 : code];
    return code === code ? this.#byOne.get(String.fromCharCode(code).toLowerCase()) : undefined;
  }

  /** The phrases that may match at `i`, when the filter says one of them does; undefined when none can. */
  candidatesAt(text: string, i: number): readonly CompiledPhrase[] | undefined {
    const c0 = keyCode(text.charCodeAt(i));
    const c1 = c0 ? keyCode(text.charCodeAt(i + 1)) : 0;
    const c2 = c1 ? keyCode(text.charCodeAt(i + 2)) : 0;
    const b =
      (c2 ? this.#byThree.get((c0 << 14) | (c1 << 7) | c2) : undefined) ??
      (c1 ? this.#byTwo.get((c0 << 7) | c1) : undefined) ??
      this.#firstChar(text.charCodeAt(i)) ??
      this.#anywhere;
    if (!b) return undefined;
    if (b.caseless) {
      b.caseless.lastIndex = i;
      if (b.caseless.test(text)) return b.phrases;
    }
    if (b.cased) {
      b.cased.lastIndex = i;
      if (b.cased.test(text)) return b.phrases;
    }
    return undefined;
  }
}

let defaultLexicon: Icd10Lexicon | undefined;

/** The shipped data, validated and compiled on first use. */
export function icd10Lexicon(): Icd10Lexicon {
  return (defaultLexicon ??= compileIcd10Lexicon(ICD10_TABLE, PHRASE_RULES));
}

/** The table row of a code (with its dot, upper case), or undefined. */
export function lookupCode(code: string): Icd10TableRow | undefined {
  return icd10Lexicon().table.get(code);
}
