/**
 * The ICD-10 data (table.ts, phrases.ts, modifiers.ts) through the one strict rule-data loader and pattern syntax
 * (rules/rule-data.ts, shared with the findings lexicon and the triggers): rejects unknown keys, malformed codes,
 * duplicate codes, unknown findings, phrases whose code is not in the table and patterns that do not compile,
 * naming the entry and the field, then compiles the phrases once.
 */
import { RuleDataError } from '../errors.ts';
import { isFinding, type Finding } from '../findings.ts';
import { firstChars, matchStarts } from '../rules/matcher.ts';
import { checkKeys, isRecord, optionalText, patternList, patternSource, textList } from '../rules/rule-data.ts';
import { TABLE_CODE_SHAPE } from './code.ts';
import { OLD_INJURY_AFTER_PATTERNS, OLD_INJURY_PATTERNS } from './modifiers.ts';
import { PHRASE_RULES, type PhraseRule } from './phrases.ts';
import { ICD10_TABLE, type Icd10Default, type Icd10TableRow } from './table.ts';

const DEFAULTS: readonly Icd10Default[] = ['initial-encounter', 'closed-fracture', 'unspecified-side', 'unspecified-site'];

/** Validates the code table; returns it typed, or throws RuleDataError naming the row and field. */
export function validateTable(data: unknown, file = 'table'): Icd10TableRow[] {
  if (!Array.isArray(data)) throw new RuleDataError(`${file}: expected a list of rows.`);
  const seen = new Set<string>();
  return data.map((row, i) => {
    const where = `${file} row ${i}`;
    if (!isRecord(row)) throw new RuleDataError(`${where}: expected an object.`);
    checkKeys(where, row, ['code', 'title', 'findings', 'defaults', 'category'], ['code', 'title', 'findings', 'defaults']);
    const { code, title, category } = row;
    if (typeof code !== 'string' || !TABLE_CODE_SHAPE.test(code)) {
      throw new RuleDataError(`${where}: field "code" ("${String(code)}") is not an ICD-10-CM code with its dot (e.g. J98.11).`);
    }
    const w = `${file} row ${i} (${code})`;
    if (seen.has(code)) throw new RuleDataError(`${w}: field "code": "${code}" has a second row.`);
    seen.add(code);
    if (typeof title !== 'string' || !title.trim()) throw new RuleDataError(`${w}: field "title" must be non-empty text.`);
    const findings = textList(w, 'findings', row.findings);
    for (const f of findings) if (!isFinding(f)) throw new RuleDataError(`${w}: field "findings": "${f}" is not one of the 13 findings.`);
    const defaults = textList(w, 'defaults', row.defaults);
    for (const d of defaults) {
      if (!DEFAULTS.includes(d as Icd10Default)) throw new RuleDataError(`${w}: field "defaults": "${d}" must be one of ${DEFAULTS.join(', ')}.`);
    }
    if (category !== undefined && category !== true) throw new RuleDataError(`${w}: field "category" must be true or absent.`);
    return {
      code,
      title,
      findings: findings as Finding[],
      defaults: defaults as Icd10Default[],
      ...(category ? { category: true as const } : {}),
    };
  });
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
// Letters and digits on either side mean the match is inside a longer word ("pacer" in "spacer").
const wordBounded = (body: string, flags: string) => new RegExp(`(?<![A-Za-z0-9])(?:${body})(?![A-Za-z0-9])`, flags);

/** Validates the phrase rules against the code table; returns them typed, or throws RuleDataError. */
export function validatePhrases(data: unknown, table: readonly Icd10TableRow[], file = 'phrases'): PhraseRule[] {
  if (!Array.isArray(data)) throw new RuleDataError(`${file}: expected a list of rules.`);
  const codes = new Set(table.map((r) => r.code));
  return data.map((rule, i) => {
    const where = `${file} rule ${i}`;
    if (!isRecord(rule)) throw new RuleDataError(`${where}: expected an object.`);
    checkKeys(where, rule, ['code', 'patterns', 'abbreviations', 'status', 'note'], ['code']);
    const { code } = rule;
    if (typeof code !== 'string' || !codes.has(code)) {
      throw new RuleDataError(`${where}: field "code" ("${String(code)}") is not in the code table (table.ts).`);
    }
    const w = `${file} rule ${i} (${code})`;
    const patterns = rule.patterns === undefined ? [] : patternList(w, 'patterns', rule.patterns);
    const abbreviations = rule.abbreviations === undefined ? [] : textList(w, 'abbreviations', rule.abbreviations);
    if (patterns.length + abbreviations.length === 0) throw new RuleDataError(`${w}: needs at least one of "patterns" or "abbreviations".`);
    if (rule.status !== undefined && rule.status !== true) throw new RuleDataError(`${w}: field "status" must be true or absent.`);
    const note = optionalText(w, 'note', rule.note);
    return {
      code,
      ...(patterns.length ? { patterns } : {}),
      ...(abbreviations.length ? { abbreviations } : {}),
      ...(rule.status ? { status: true as const } : {}),
      ...(note === undefined ? {} : { note }),
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
  const old = patternList('modifiers OLD_INJURY_PATTERNS', 'patterns', oldInjuryPatterns);
  const oldAfter = patternList('modifiers OLD_INJURY_AFTER_PATTERNS', 'patterns', oldInjuryAfterPatterns);
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

/**
 * Phrases of one case mode that may start at the same letters, and unions of them, compiled on first use:
 * `tails[k]` is one sticky alternation of phrases k, k + 1, ..., each in a capture group, so one exec says
 * whether any of them matches here and which is the first. After a match at phrase k only `tails[k + 1]` is tried
 * next: one regex per phrase that matches, not one per phrase after the first match (matches are rare, and a
 * union is only compiled where one happened).
 */
interface PhraseGroup {
  readonly phrases: readonly CompiledPhrase[];
  readonly tails: Array<RegExp | undefined>;
}

interface PhraseBucket {
  readonly groups: readonly PhraseGroup[];
}

// Group j + 1 is phrase from + j: the loader allows no capturing groups in the data, so the numbers are the union's.
function union(group: PhraseGroup, from: number): RegExp {
  const bodies = group.phrases.slice(from).map((p) => `(${p.body})`);
  return wordBounded(bodies.join('|'), group.phrases[0].caseless ? 'iy' : 'y');
}

// Lower-case code of an ASCII letter or digit, else 0 (no key holds 0: keys are letters and digits).
const keyCode = (code: number) => (code >= 65 && code <= 90 ? code + 32 : (code >= 97 && code <= 122) || (code >= 48 && code <= 57) ? code : 0);
const key2 = (s: string) => (s.charCodeAt(0) << 7) | s.charCodeAt(1);

/**
 * Running ~500 patterns over every report costs far more than trying, at each word start, only the patterns whose
 * first letters fit ("ple" → the pleural phrases; "the" → none), and only after one combined regex of those says
 * one of them matches there. A pattern is filed under its first three letters when they can be read, else two,
 * else its first character, else it is tried everywhere.
 */
export class PhraseStartIndex {
  /**
   * By the first two letters (index c0 << 7 | c1, lower case): the bucket for a third letter that some phrase
   * starts with, else the bucket of the phrases filed under two letters or fewer.
   */
  readonly #byTwo: Array<{ third: Array<PhraseBucket | undefined>; rest: PhraseBucket | undefined } | undefined> = new Array(1 << 14).fill(undefined);
  /** By first character: an array for ASCII (looked up without making a string), a map for the rest. */
  readonly #byOneAscii: Array<PhraseBucket | undefined> = new Array(128).fill(undefined);
  readonly #byOne = new Map<string, PhraseBucket>();
  readonly #anywhere: PhraseBucket | undefined;

  constructor(sources: readonly string[], phrases: readonly CompiledPhrase[]) {
    // Phrase indices by how their matches can start (see matchStarts): three letters; two letters, then a
    // non-letter or anything (`rest`); two letters, then anything (`wild2`, also tried under every third letter);
    // one character, ...; anything at all (`anywhere`).
    const three = new Map<string, number[]>();
    const rest = new Map<string, number[]>();
    const wild2 = new Map<string, number[]>();
    const one = new Map<string, number[]>();
    const wild1 = new Map<string, number[]>();
    const anywhere: number[] = [];
    const file = (map: Map<string, number[]>, key: string, i: number) => {
      const list = map.get(key);
      if (list) list.push(i);
      else map.set(key, [i]);
    };
    sources.forEach((raw, i) => {
      const starts = matchStarts(withoutLeadingLookbehind(raw), 3) ?? new Set(['*']);
      for (const start of starts) {
        const letters = start.replace(/[#*]$/, '');
        const wild = start.endsWith('*');
        if (letters.length === 3) file(three, letters, i);
        else if (letters.length === 2) file(wild ? wild2 : rest, letters, i);
        else if (letters.length === 1) file(wild ? wild1 : one, letters, i);
        else if (wild) anywhere.push(i);
        // A first character that is not a letter or digit (";", "."): filed by that character.
        else for (const c of firstChars(raw) ?? ['*']) c === '*' ? anywhere.push(i) : file(one, c, i);
      }
    });
    const bucket = (...lists: Array<number[] | undefined>): PhraseBucket | undefined => {
      const indices = [...new Set(lists.flatMap((l) => l ?? []))].sort((x, y) => x - y);
      if (!indices.length) return undefined;
      const group = (caseless: boolean): PhraseGroup[] => {
        const members = indices.filter((i) => phrases[i].caseless === caseless).map((i) => phrases[i]);
        return members.length ? [{ phrases: members, tails: [] }] : [];
      };
      return { groups: [...group(true), ...group(false)] };
    };
    // Each bucket holds every phrase that can match where its letters start.
    for (const c of new Set([...one.keys(), ...wild1.keys()])) {
      const b = bucket(one.get(c), wild1.get(c), anywhere);
      if (c.charCodeAt(0) < 128) this.#byOneAscii[c.charCodeAt(0)] = b;
      else if (b) this.#byOne.set(c, b);
    }
    this.#anywhere = bucket(anywhere);
    const entry = (ab: string) =>
      (this.#byTwo[key2(ab)] ??= {
        third: new Array(128).fill(undefined),
        rest: bucket(rest.get(ab), wild2.get(ab), wild1.get(ab[0]), anywhere),
      });
    for (const ab of [...rest.keys(), ...wild2.keys()]) entry(ab);
    for (const [abc, list] of three) {
      entry(abc.slice(0, 2)).third[abc.charCodeAt(2)] = bucket(list, wild2.get(abc.slice(0, 2)), wild1.get(abc[0]), anywhere);
    }
  }

  #firstChar(code: number): PhraseBucket | undefined {
    if (code < 128) return this.#byOneAscii[code >= 65 && code <= 90 ? code + 32 : code];
    return code === code ? this.#byOne.get(String.fromCharCode(code).toLowerCase()) : undefined;
  }

  /** Calls `visit` with each phrase that matches at `i` and where its match ends. */
  forEachMatch(text: string, i: number, visit: (phrase: CompiledPhrase, end: number) => void): void {
    const c0 = keyCode(text.charCodeAt(i));
    const c1 = c0 ? keyCode(text.charCodeAt(i + 1)) : 0;
    const two = c1 ? this.#byTwo[(c0 << 7) | c1] : undefined;
    const b = two ? (two.third[keyCode(text.charCodeAt(i + 2))] ?? two.rest) : (this.#firstChar(text.charCodeAt(i)) ?? this.#anywhere);
    if (!b) return;
    for (const group of b.groups) {
      const { phrases, tails } = group;
      for (let from = 0; from < phrases.length; ) {
        const u = (tails[from] ??= union(group, from));
        u.lastIndex = i;
        const m = u.exec(text);
        if (!m) break;
        let k = 1;
        while (m[k] === undefined) k++;
        // The union's match is the first matching phrase's own match: same alternatives, tried in the same order.
        const phrase = from + k - 1;
        visit(phrases[phrase], i + m[0].length);
        from = phrase + 1;
      }
    }
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
