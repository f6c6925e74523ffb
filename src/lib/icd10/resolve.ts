/**
 * What a coder does with the phrases found: a historical condition gets its history or sequela code (or none), a
 * code is listed once per report with every phrase that supports it, no Excludes1 pair is left, and an unspecified
 * code gives way to a specific code of the same condition. The rules are data (coding.ts).
 */
import type { Icd10Item, Span } from '../result.ts';
import { CHRONIC_CODES, EXCLUDES1, HISTORY_RULES, SPECIFICITY, type Excludes1Pair, type HistoryRule, type SpecificityRule } from './coding.ts';
import { RuleDataError } from '../errors.ts';
import { icd10Lexicon } from './lexicon.ts';
import type { Icd10TableRow } from './table.ts';

export interface CompiledCoding {
  history: ReadonlyArray<HistoryRule & { re: RegExp }>;
  chronic: RegExp;
  excludes1: ReadonlyArray<Excludes1Pair & { reA: RegExp; reB: RegExp }>;
  specificity: ReadonlyArray<SpecificityRule & { re: RegExp }>;
  /**
   * Whether a code is named by some Excludes1 pair or specificity rule (either side), memoised per code: a report
   * with fewer than two such codes has nothing to fold, which is most reports, so the rules' regexes need not run.
   */
  folds(code: string): boolean;
}

function compile(where: string, pattern: string): RegExp {
  try {
    return new RegExp(pattern);
  } catch (e) {
    throw new RuleDataError(`${where}: "${pattern}" is not a valid code pattern: ${(e as Error).message}`);
  }
}

/** Validates the coding rules against the code table: every code they emit must be a table row. */
export function compileCoding(table: ReadonlyMap<string, Icd10TableRow>, data = { HISTORY_RULES, CHRONIC_CODES, EXCLUDES1, SPECIFICITY }): CompiledCoding {
  const known = (where: string, code: string) => {
    if (!table.has(code)) throw new RuleDataError(`${where}: code "${code}" is not in the code table (table.ts).`);
  };
  const history = data.HISTORY_RULES.map((r, i) => {
    const where = `coding HISTORY_RULES[${i}]`;
    if (!r.history && !r.sequela) throw new RuleDataError(`${where}: needs "history" or "sequela".`);
    if (r.history) known(where, r.history);
    if (r.sequela) known(where, r.sequela);
    return { ...r, re: compile(where, r.codes) };
  });
  const excludes1 = data.EXCLUDES1.map((p, i) => {
    const where = `coding EXCLUDES1[${i}]`;
    if (p.keep !== 'a' && p.keep !== 'b') known(where, p.keep);
    if (!p.source.trim()) throw new RuleDataError(`${where}: "source" must name the Tabular List note.`);
    return { ...p, reA: compile(where, p.a), reB: compile(where, p.b) };
  });
  const specificity = data.SPECIFICITY.map((s, i) => {
    known(`coding SPECIFICITY[${i}]`, s.general);
    return { ...s, re: compile(`coding SPECIFICITY[${i}]`, s.specific) };
  });
  const patterns = [...excludes1.flatMap((p) => [p.reA, p.reB]), ...specificity.map((s) => s.re)];
  const generals = new Set(specificity.map((s) => s.general));
  const memo = new Map<string, boolean>();
  const folds = (code: string) => {
    let known = memo.get(code);
    if (known === undefined) memo.set(code, (known = generals.has(code) || patterns.some((re) => re.test(code))));
    return known;
  };
  return { history, chronic: compile('coding CHRONIC_CODES', data.CHRONIC_CODES), excludes1, specificity, folds };
}

/**
 * The code for an affirmed phrase whose condition the report places in the past, or null to drop it. `residue`:
 * what is seen now is what the old condition left ("old healed tuberculosis"), which prefers the sequela code.
 */
export function historicalCode(coding: CompiledCoding, code: string, residue: boolean): string | null {
  if (coding.chronic.test(code)) return code;
  const rule = coding.history.find((r) => r.re.test(code));
  if (!rule) return null;
  return (residue ? (rule.sequela ?? rule.history) : (rule.history ?? rule.sequela)) ?? null;
}

type Merged = Icd10Item & { supporting: Span[] };

/** Where an item's phrase is; none for a model's phrase that is not in the report (flagged `not_in_text`). */
const spansOf = (i: Icd10Item): Span[] => (i.start === null || i.end === null ? [] : [{ start: i.start, end: i.end, text: i.phrase }]);

/**
 * One item per code, in text order of its first phrase, with the other phrases as `supporting`; then Excludes1
 * pairs and unspecified-vs-specific duplicates are folded into the code that stays. Items may come from a model
 * (`validateIcd10`): one whose phrase is not in the report has no span, so it gives its code but no supporting
 * phrase, and a located phrase of the same code is preferred as the item's own.
 */
export function resolveItems(items: readonly Icd10Item[], coding: CompiledCoding, table: ReadonlyMap<string, Icd10TableRow>): Icd10Item[] {
  if (items.length === 0) return [];
  if (nothingToResolve(items, coding)) return items.map((i) => ({ ...i, flags: [...i.flags] })).sort(byTextOrder);
  const byCode = new Map<string, Merged>();
  let folding = 0; // codes some folding rule names; a fold needs two
  for (const item of items) {
    const have = byCode.get(item.code);
    if (!have) {
      byCode.set(item.code, { ...item, flags: [...item.flags], supporting: [] });
      if (coding.folds(item.code)) folding++;
    } else if (have.start === null && item.start !== null) {
      // The located phrase becomes the item's own; the code keeps the flags of the phrase that now carries it.
      byCode.set(item.code, { ...item, flags: [...item.flags], supporting: have.supporting });
    } else have.supporting.push(...spansOf(item));
  }
  if (folding > 1) foldPairs(byCode, coding, table);
  const out: Icd10Item[] = [];
  for (const m of byCode.values()) {
    const { supporting, ...base } = m;
    if (!supporting.length) {
      out.push(base);
      continue;
    }
    // The earliest phrase is the item's own; the rest support it (each span once).
    const seen = new Set<number>();
    const all = [...spansOf(m), ...supporting].filter((x) => !seen.has(x.start) && seen.add(x.start)).sort((x, y) => x.start - y.start);
    if (m.start === null) {
      // A code whose own phrase is not in the report keeps it; the located ones support it.
      out.push(all.length ? { ...base, supporting: all } : base);
      continue;
    }
    const [first, ...rest] = all;
    out.push({ ...base, phrase: first.text, start: first.start, end: first.end, ...(rest.length ? { supporting: rest } : {}) });
  }
  return out.sort(byTextOrder);
}

/** Text order; phrases not in the report last, in the order given. */
const byTextOrder = (x: Icd10Item, y: Icd10Item) => (x.start === null ? (y.start === null ? 0 : 1) : y.start === null ? -1 : x.start - y.start);

/**
 * True when `resolveItems` would only copy the items: every code once, fewer than two codes that a folding rule
 * names (a fold needs both sides present), and no `supporting` field to reset. Most reports with items are so.
 */
function nothingToResolve(items: readonly Icd10Item[], coding: CompiledCoding): boolean {
  let folding = 0;
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if ('supporting' in item) return false;
    for (let j = 0; j < i; j++) if (items[j].code === item.code) return false;
    if (coding.folds(item.code) && ++folding > 1) return false;
  }
  return true;
}

/** Folds Excludes1 pairs, then unspecified-vs-specific duplicates, into the code that stays. */
function foldPairs(byCode: Map<string, Merged>, coding: CompiledCoding, table: ReadonlyMap<string, Icd10TableRow>): void {
  const fold = (from: Merged, into: string) => {
    byCode.delete(from.code);
    const target = byCode.get(into);
    if (target) target.supporting.push(...spansOf(from), ...from.supporting);
    else byCode.set(into, { ...from, code: into, title: table.get(into)?.title ?? null, supporting: [...from.supporting] });
  };
  const find = (re: RegExp, not?: string) => {
    for (const [code, m] of byCode) if (code !== not && re.test(code)) return m;
    return undefined;
  };
  for (const pair of coding.excludes1) {
    let a = find(pair.reA);
    while (a) {
      const b = find(pair.reB, a.code);
      if (!b) break;
      if (pair.keep === 'a') fold(b, a.code);
      else if (pair.keep === 'b') fold(a, b.code);
      else {
        fold(a, pair.keep);
        if (b.code !== pair.keep) fold(b, pair.keep);
      }
      a = find(pair.reA);
      if (a && !find(pair.reB, a.code)) break;
    }
  }
  for (const rule of coding.specificity) {
    const general = byCode.get(rule.general);
    const specific = general && find(rule.re, rule.general);
    if (general && specific) fold(general, specific.code);
  }
}

let defaultCompiled: CompiledCoding | undefined;

/** The shipped coding rules, compiled once against the shipped code table. */
export function defaultCoding(): CompiledCoding {
  return (defaultCompiled ??= compileCoding(icd10Lexicon().table));
}

let defaultPairs: CompiledCoding['excludes1'] | undefined;

/** The Excludes1 pairs (their `source` notes) that a list of codes contains; empty when it contains none. */
export function excludes1Violations(codes: readonly string[], pairs: CompiledCoding['excludes1'] = (defaultPairs ??= compileCoding(icd10Lexicon().table).excludes1)): string[] {
  return pairs.filter((p) => codes.some((a) => p.reA.test(a) && codes.some((b) => b !== a && p.reB.test(b)))).map((p) => p.source);
}
