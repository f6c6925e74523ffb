/**
 * Stage 4: decide whether one mention is asserted, denied or left open, from the triggers in its sentence
 * (ConText/NegEx). A forward trigger ("no", "possible") reaches the mentions after it and a backward one
 * ("is not seen", "cannot be excluded") the mentions before it, until a terminator (";", "but", "which", ...).
 * A comma alone does not end a forward scope, so "no effusion, pneumothorax, or consolidation" denies all three
 * (a comma before a size, "no effusion, small pneumothorax", is a terminator in the data). A backward scope
 * does end at a comma, so "heart is enlarged, effusion is not seen" denies only the effusion.
 * When several triggers reach a mention the nearest decides; no trigger means the mention is positive.
 */
import { FINDINGS, type Finding } from '../findings.ts';
import type { Span, TriggerKind } from '../result.ts';
import { TRIGGER_DATA } from './triggers.ts';
import { FirstCharIndex, stickyAlternation, tokenStarts } from './matcher.ts';
import { validateTriggers, type TriggerDirection, type TriggerRuleKind } from './schema.ts';
import type { Sentence } from './sentences.ts';

export interface Assertion {
  status: 'positive' | 'negative' | 'uncertain';
  /** The trigger that decided a negative or uncertain status; absent for a plain positive mention. */
  trigger?: Span & { kind: TriggerKind };
}

export interface TriggerMatch {
  start: number;
  end: number;
  kind: TriggerRuleKind;
  direction: TriggerDirection;
  /** Bit i set: the trigger does not apply to FINDINGS[i] (the rule's `except`). */
  exceptMask: number;
}

type Rule = { kind: TriggerRuleKind; direction: TriggerDirection; exceptMask: number };

const maskOf = (findings: readonly Finding[] | undefined) => (findings ?? []).reduce((m, f) => m | (1 << FINDINGS.indexOf(f)), 0);

/** Trigger patterns by first character: one sticky regex whose capture group i+1 is `rules[i]`. */
export interface CompiledTriggers {
  index: FirstCharIndex<{ regex: RegExp; rules: readonly Rule[] }>;
}

/** Shortest text a pattern can match, roughly, to try longer triggers first ("there is no" before "there is"). */
export function minMatchLength(pattern: string): number {
  let p = pattern.replace(/\\./g, 'x').replace(/\[[^\]]*\]/g, 'x');
  for (let guard = 0; guard < 20 && /[()]/.test(p); guard++) {
    p = p
      .replace(/\(\?[:=!<][^()]*\)(?:\?|\*|\{0,\d*\})/g, '')
      .replace(/\(\?:([^()]*)\)(?:\+|\{[1-9]\d*,?\d*\})?/g, (_, alts: string) =>
        alts.split('|').reduce((a, b) => (b.length < a.length ? b : a)),
      )
      .replace(/\(\?[=!<][^()]*\)/g, '');
  }
  return p.replace(/.[?*]/g, '').replace(/[+]/g, '').length;
}

/** Validates and compiles trigger data once; pseudo-triggers first, then longer patterns first. */
export function compileTriggers(data: unknown): CompiledTriggers {
  const rules = validateTriggers(data);
  const all = rules.flatMap((r) =>
    r.patterns.map((p) => ({ p, kind: r.kind, direction: r.direction, exceptMask: maskOf(r.except), len: minMatchLength(p) })),
  );
  all.sort((a, b) => Number(b.kind === 'pseudo') - Number(a.kind === 'pseudo') || b.len - a.len);
  return {
    index: new FirstCharIndex(
      all.map((x) => x.p),
      (indices) => ({
        regex: stickyAlternation(
          indices.map((i) => all[i].p),
          true,
        ),
        rules: indices.map((i) => ({ kind: all[i].kind, direction: all[i].direction, exceptMask: all[i].exceptMask })),
      }),
    ),
  };
}

export const DEFAULT_TRIGGERS: CompiledTriggers = compileTriggers(TRIGGER_DATA);

/** Triggers in one sentence, in order, non-overlapping (leftmost first). */
export function findTriggers(text: string, sentence: Sentence, triggers: CompiledTriggers = DEFAULT_TRIGGERS): TriggerMatch[] {
  const { tokens } = tokenStarts(text, [sentence]);
  return triggersAtTokens(text, sentence, tokens, 0, tokens.length, triggers);
}

/** `findTriggers` given the sentence's token starts, `tokens[first]` to `tokens[last - 1]` (a ReportDoc has them). */
export function triggersAtTokens(
  text: string,
  sentence: Sentence,
  tokens: readonly number[],
  first: number,
  last: number,
  triggers: CompiledTriggers = DEFAULT_TRIGGERS,
): TriggerMatch[] {
  const out: TriggerMatch[] = [];
  let lastEnd = -1;
  for (let k = first; k < last; k++) {
    const i = tokens[k];
    if (i < lastEnd) continue;
    const bucket = triggers.index.bucketFor(text.charCodeAt(i), text.charCodeAt(i + 1));
    if (!bucket) continue;
    bucket.regex.lastIndex = i;
    const m = bucket.regex.exec(text);
    if (!m || m[0].length === 0 || i + m[0].length > sentence.end) continue;
    let g = 1;
    while (m[g] === undefined) g++;
    const rule = bucket.rules[g - 1];
    out.push({ start: i, end: i + m[0].length, kind: rule.kind, direction: rule.direction, exceptMask: rule.exceptMask });
    lastEnd = i + m[0].length;
  }
  return out;
}

const STATUS_OF: Record<Exclude<TriggerRuleKind, 'pseudo' | 'terminator' | 'current'>, Assertion['status']> = {
  negation: 'negative',
  resolved: 'negative',
  uncertainty: 'uncertain',
  // "atelectasis or pneumonia", "X versus Y": neither diagnosis is asserted (see LabelOptions.differentials).
  differential: 'uncertain',
  // A question or plan neither asserts nor denies: calling it negative would claim the report excluded it.
  hypothetical: 'uncertain',
  // A past history of X does not say whether this image shows X, nor that it does not.
  historical: 'uncertain',
};

// A mention that is itself a clause ("the heart is enlarged") cannot be the object of a preceding "no".
const CLAUSE = /\b(?:is|are|was|were|remains?|appears?|seems?)\b/i;

// "or" and "and/or" make a differential only between two diagnoses close on either side ("atelectasis or
// scarring"); "no effusion or pneumothorax" is a denied list, which the negation decides.
const PAIRING = /^(?:and\s*\/\s*)?or$/i;
// At most this many words between a diagnosis and the "or" that pairs it with another.
const PAIR_GAP = /^[\s-]*(?:[\w'/-]+[\s-]+){0,3}$/;

const ADJECTIVE_HISTORY = /^(?:prior|previous|remote)$/i;
// At most this many words between such an adjective and the finding it dates.
const ADJECTIVE_GAP = /^[\s-]*(?:[\w'/,-]+[\s-]+){0,5}$/;

function hasTerminator(triggers: readonly TriggerMatch[], from: number, to: number): boolean {
  for (const t of triggers) if (t.kind === 'terminator' && t.start >= from && t.end <= to) return true;
  return false;
}

/** A mention span in the same sentence, for differentials ("X or Y" needs a Y). */
export interface Sibling {
  start: number;
  end: number;
  /** A sibling of the same finding does not make a differential ("nodule or mass" is a lesion either way). */
  finding?: Finding;
}

export interface AssertContext {
  /** The finding the mention is of: rules whose `except` names it are skipped. */
  finding?: Finding;
  /** The other mentions of the sentence (any finding or diagnosis). */
  siblings?: readonly Sibling[];
}

function pairsWithSibling(text: string, triggers: readonly TriggerMatch[], t: TriggerMatch, start: number, end: number, ctx: AssertContext): boolean {
  const gapToMention = t.end <= start ? text.slice(t.end, start) : text.slice(end, t.start);
  if (!PAIR_GAP.test(gapToMention)) return false;
  for (const s of ctx.siblings ?? []) {
    if (ctx.finding && s.finding === ctx.finding) continue;
    const left = t.end <= start ? s : { start, end };
    const otherSide = t.end <= start ? s.end <= t.start && PAIR_GAP.test(text.slice(s.end, t.start)) : s.start >= t.end && PAIR_GAP.test(text.slice(t.end, s.start));
    if (!otherSide) continue;
    // "effusion, consolidation or pneumothorax" is a list, not a differential; so is "no change in X or Y".
    if (/,\s*(?:[\w'/-]+\s+){0,3}$/.test(text.slice(Math.max(0, left.start - 40), left.start))) return false;
    if (triggers.some((x) => x.kind === 'pseudo' && x.end <= left.start && !hasTerminator(triggers, x.end, left.start))) return false;
    return true;
  }
  return false;
}

// Reused by every assertWithTriggers call (labeling is synchronous and the function does not re-enter), so the
// weak candidates of a mention cost no allocation.
const weakTriggers: Array<TriggerMatch | undefined> = [];
const weakDistances: number[] = [];
const weakPairing: boolean[] = [];

/**
 * A differential names its alternatives: the diagnosis right beside it on each side. It does not reach past
 * another diagnosis, so in "opacity at the base may represent atelectasis versus scarring" the opacity is
 * asserted and only atelectasis and scarring are the alternatives.
 */
function isNearestAlternative(t: TriggerMatch, start: number, end: number, ctx: AssertContext): boolean {
  for (const s of ctx.siblings ?? []) {
    if (t.end <= start ? s.start >= t.end && s.end <= start : s.start >= end && s.end <= t.start) return false;
  }
  return true;
}

/**
 * Status of the mention at [start, end) given its sentence's triggers (from findTriggers). The nearest trigger
 * decides, except that the weak kinds, a history ("prior", "status post") and a paired "or", decide only when no
 * other trigger reaches the mention: "no effusion or pneumothorax" is denied, "status post removal of the chest
 * tube" is resolved. A word that places the finding on this image ("persistent", "now smaller") cancels a history.
 */
export function assertWithTriggers(
  text: string,
  triggers: readonly TriggerMatch[],
  start: number,
  end: number,
  ctx: AssertContext = {},
): Assertion {
  let best: TriggerMatch | undefined;
  let bestDistance = Infinity;
  // The weak triggers that reach the mention, in order, with their distance (in the reused arrays below); a
  // paired "or" still needs its second diagnosis checked, which is left until no strong trigger decides.
  let weakCount = 0;
  let clause: boolean | undefined;
  let current = false;
  // Start of the nearest current-state word before the mention: it cancels a history only if it stands between
  // the history and the mention ("status post lobectomy, new effusion"), not before the history ("stable
  // opacity, compatible with history of a mass": the mass is still history).
  let currentBefore = -1;
  const bit = ctx.finding ? 1 << FINDINGS.indexOf(ctx.finding) : 0;
  for (const t of triggers) {
    if (t.kind === 'pseudo' || t.kind === 'terminator' || t.exceptMask & bit) continue;
    if (t.kind === 'current') {
      // "Prior effusion, now smaller": right after the mention, or after it and a comma, the finding is on this
      // image; before it ("new effusion"), anywhere in the clause.
      if (t.end <= start && t.direction !== 'backward') {
        if (!hasTerminator(triggers, t.end, start)) currentBefore = Math.max(currentBefore, t.start);
      }
      else if (t.start >= end && t.direction !== 'forward') current ||= !hasTerminator(triggers, end, t.start) && /^[^,]*(?:,\s*)?$/.test(text.slice(end, t.start)) && !text.slice(end, t.start).trim().includes(' ');
      continue;
    }
    let distance: number;
    if (t.start >= start && t.end <= end) {
      distance = 0; // inside the mention: "heart is not enlarged"
    } else if (t.end <= start && t.direction !== 'backward') {
      if (hasTerminator(triggers, t.end, start)) continue;
      clause ??= CLAUSE.test(text.slice(start, end));
      if (clause && (t.kind === 'negation' || t.kind === 'resolved')) continue;
      distance = start - t.end;
    } else if (t.start >= end && t.direction !== 'forward') {
      if (hasTerminator(triggers, end, t.start)) continue;
      const comma = text.indexOf(',', end); // a backward scope ends at a comma
      if (comma !== -1 && comma < t.start) continue;
      distance = t.start - end;
    } else {
      continue;
    }
    if (t.kind === 'differential' && !isNearestAlternative(t, start, end, ctx)) continue;
    // "prior", "previous", "remote" are adjectives: they date the noun phrase they stand in ("prior right lower
    // lobe pneumonia"), not every finding later in a run-on clause.
    if (t.kind === 'historical' && t.end <= start && ADJECTIVE_HISTORY.test(text.slice(t.start, t.end)) && !ADJECTIVE_GAP.test(text.slice(t.end, start))) continue;
    const pairing = t.kind === 'differential' && PAIRING.test(text.slice(t.start, t.end));
    if (pairing || t.kind === 'historical') {
      weakTriggers[weakCount] = t;
      weakDistances[weakCount] = distance;
      weakPairing[weakCount++] = pairing;
    } else if (distance < bestDistance) {
      best = t;
      bestDistance = distance;
    }
  }
  // The nearest weak trigger (the first of equals) among those that apply: a paired "or" only with a second diagnosis.
  let weak: TriggerMatch | undefined;
  if (!best) {
    let weakDistance = Infinity;
    for (let w = 0; w < weakCount; w++) {
      const t = weakTriggers[w]!;
      if (weakDistances[w] >= weakDistance || (weakPairing[w] && !pairsWithSibling(text, triggers, t, start, end, ctx))) continue;
      weak = t;
      weakDistance = weakDistances[w];
    }
  }
  weakTriggers.fill(undefined, 0, weakCount); // hold no trigger past this call
  const cancelled = weak?.kind === 'historical' && (current || (currentBefore >= 0 && (weak.end <= start ? currentBefore >= weak.end : true)));
  const decided = best ?? (cancelled ? undefined : weak);
  if (!decided) return { status: 'positive' };
  const kind = decided.kind as keyof typeof STATUS_OF;
  return { status: STATUS_OF[kind], trigger: { start: decided.start, end: decided.end, text: text.slice(decided.start, decided.end), kind } };
}

/** Status of the mention at [start, end) inside `sentence` of `text`. */
export function assertMention(text: string, sentence: Sentence, start: number, end: number, ctx: AssertContext = {}): Assertion {
  return assertWithTriggers(text, findTriggers(text, sentence), start, end, ctx);
}
