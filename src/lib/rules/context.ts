/**
 * Stage 4: decide whether one mention is asserted, denied or left open, from the triggers in its sentence
 * (ConText/NegEx). A forward trigger ("no", "possible") reaches the mentions after it and a backward one
 * ("is not seen", "cannot be excluded") the mentions before it, until a terminator (";", "but", "which", ...).
 * A comma alone does not end a forward scope, so "no effusion, pneumothorax, or consolidation" denies all three
 * (a comma before a size, "no effusion, small pneumothorax", is a terminator in the data). A backward scope
 * does end at a comma, so "heart is enlarged, effusion is not seen" denies only the effusion.
 * When several triggers reach a mention the nearest decides; no trigger means the mention is positive.
 */
import type { Span, TriggerKind } from '../result.ts';
import { TRIGGER_DATA } from './triggers.ts';
import { FirstCharIndex, forEachTokenStart, stickyAlternation } from './matcher.ts';
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
}

type Rule = { kind: TriggerRuleKind; direction: TriggerDirection };

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
  const all = rules.flatMap((r) => r.patterns.map((p) => ({ p, kind: r.kind, direction: r.direction, len: minMatchLength(p) })));
  all.sort((a, b) => Number(b.kind === 'pseudo') - Number(a.kind === 'pseudo') || b.len - a.len);
  return {
    index: new FirstCharIndex(
      all.map((x) => x.p),
      (indices) => ({
        regex: stickyAlternation(
          indices.map((i) => all[i].p),
          true,
        ),
        rules: indices.map((i) => ({ kind: all[i].kind, direction: all[i].direction })),
      }),
    ),
  };
}

export const DEFAULT_TRIGGERS: CompiledTriggers = compileTriggers(TRIGGER_DATA);

/** Triggers in one sentence, in order, non-overlapping (leftmost first). */
export function findTriggers(text: string, sentence: Sentence, triggers: CompiledTriggers = DEFAULT_TRIGGERS): TriggerMatch[] {
  const out: TriggerMatch[] = [];
  let lastEnd = -1;
  forEachTokenStart(text, sentence.start, sentence.end, (i) => {
    if (i < lastEnd) return;
    const code = text.charCodeAt(i);
    const bucket = triggers.index.bucketAt(code);
    if (!bucket || !triggers.index.mayStart(code, text.charCodeAt(i + 1))) return;
    bucket.regex.lastIndex = i;
    const m = bucket.regex.exec(text);
    if (!m || m[0].length === 0 || i + m[0].length > sentence.end) return;
    let g = 1;
    while (m[g] === undefined) g++;
    out.push({ start: i, end: i + m[0].length, ...bucket.rules[g - 1] });
    lastEnd = i + m[0].length;
  });
  return out;
}

const STATUS_OF: Record<Exclude<TriggerRuleKind, 'pseudo' | 'terminator'>, Assertion['status']> = {
  negation: 'negative',
  resolved: 'negative',
  uncertainty: 'uncertain',
  // A question or plan neither asserts nor denies: calling it negative would claim the report excluded it.
  hypothetical: 'uncertain',
  // A past history of X does not say whether this image shows X, nor that it does not.
  historical: 'uncertain',
};

// A mention that is itself a clause ("the heart is enlarged") cannot be the object of a preceding "no".
const CLAUSE = /\b(?:is|are|was|were|remains?|appears?|seems?)\b/i;

function hasTerminator(triggers: readonly TriggerMatch[], from: number, to: number): boolean {
  for (const t of triggers) if (t.kind === 'terminator' && t.start >= from && t.end <= to) return true;
  return false;
}

/** Status of the mention at [start, end) given its sentence's triggers (from findTriggers). */
export function assertWithTriggers(text: string, triggers: readonly TriggerMatch[], start: number, end: number): Assertion {
  let best: TriggerMatch | undefined;
  let bestDistance = Infinity;
  let clause: boolean | undefined;
  for (const t of triggers) {
    if (t.kind === 'pseudo' || t.kind === 'terminator') continue;
    let distance: number;
    if (t.start >= start && t.end <= end) {
      distance = 0; // inside the mention: "heart is not enlarged"
    } else if (t.end <= start && t.direction !== 'backward') {
      if (hasTerminator(triggers, t.end, start)) continue;
      clause ??= CLAUSE.test(text.slice(start, end));
      if (clause && (t.kind === 'negation' || t.kind === 'resolved')) continue;
      distance = start - t.end;
    } else if (t.start >= end && t.direction !== 'forward') {
      if (hasTerminator(triggers, end, t.start) || text.slice(end, t.start).includes(',')) continue;
      distance = t.start - end;
    } else {
      continue;
    }
    if (distance < bestDistance) {
      best = t;
      bestDistance = distance;
    }
  }
  if (!best) return { status: 'positive' };
  const kind = best.kind as keyof typeof STATUS_OF;
  return { status: STATUS_OF[kind], trigger: { start: best.start, end: best.end, text: text.slice(best.start, best.end), kind } };
}

/** Status of the mention at [start, end) inside `sentence` of `text`. */
export function assertMention(text: string, sentence: Sentence, start: number, end: number): Assertion {
  return assertWithTriggers(text, findTriggers(text, sentence), start, end);
}
