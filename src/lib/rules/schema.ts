/**
 * The fixed schema of the findings rule data (lexicon.ts, triggers.ts), loaded with the one strict loader and
 * pattern syntax of rule-data.ts (shared with the ICD-10 data): unknown keys, unknown findings and patterns that
 * do not compile are rejected, naming the entry and the field, before anything is compiled.
 */
import { RuleDataError } from '../errors.ts';
import { isFinding, type Finding } from '../findings.ts';
import { checkKeys, isRecord, optionalText, patternList } from './rule-data.ts';

/** One finding's vocabulary. */
export interface LexiconEntry {
  finding: Finding;
  /** Phrases that mention the finding. */
  mentions: string[];
  /** Phrases that, where they overlap a mention, make it something else ("pericardial effusion"). */
  exclusions?: string[];
  /** Why the entry is as it is, for the reader. */
  note?: string;
}

/**
 * What a trigger does to a finding it reaches. `pseudo` triggers look like triggers but are not ("no change");
 * they only stop the words inside them from triggering. `terminator`s end every scope they sit in.
 */
export type TriggerRuleKind =
  | 'negation'
  | 'uncertainty'
  | 'differential'
  | 'resolved'
  | 'hypothetical'
  | 'historical'
  | 'current'
  | 'pseudo'
  | 'terminator';
/** `forward`: the trigger governs what follows it ("no effusion"); `backward`: what precedes it ("effusion is not seen"). */
export type TriggerDirection = 'forward' | 'backward' | 'both';

export interface TriggerRule {
  kind: TriggerRuleKind;
  direction: TriggerDirection;
  patterns: string[];
  /** Findings the rule does not apply to ("prior" does not make a healed fracture historical: it is still seen). */
  except?: Finding[];
  note?: string;
}

const TRIGGER_KINDS: readonly TriggerRuleKind[] = ['negation', 'uncertainty', 'differential', 'resolved', 'hypothetical', 'historical', 'current', 'pseudo', 'terminator'];
const DIRECTIONS: readonly TriggerDirection[] = ['forward', 'backward', 'both'];

/** Validates lexicon data; returns it typed, or throws RuleDataError naming the entry and field. */
export function validateLexicon(data: unknown, file = 'lexicon'): LexiconEntry[] {
  if (!Array.isArray(data)) throw new RuleDataError(`${file}: expected a list of entries.`);
  const seen = new Set<string>();
  return data.map((entry, i) => {
    const where = `${file} entry ${i}`;
    if (!isRecord(entry)) throw new RuleDataError(`${where}: expected an object.`);
    checkKeys(where, entry, ['finding', 'mentions', 'exclusions', 'note'], ['finding', 'mentions']);
    const { finding } = entry;
    if (typeof finding !== 'string' || !isFinding(finding)) {
      throw new RuleDataError(`${where}: field "finding" ("${String(finding)}") is not one of the 13 findings.`);
    }
    if (seen.has(finding)) throw new RuleDataError(`${where}: field "finding": "${finding}" has a second entry.`);
    seen.add(finding);
    const w = `${file} entry ${i} (${finding})`;
    const note = optionalText(w, 'note', entry.note);
    return {
      finding,
      mentions: patternList(w, 'mentions', entry.mentions, false),
      exclusions: entry.exclusions === undefined ? [] : patternList(w, 'exclusions', entry.exclusions),
      ...(note === undefined ? {} : { note }),
    };
  });
}

/** Validates trigger data; returns it typed, or throws RuleDataError naming the rule and field. */
export function validateTriggers(data: unknown, file = 'triggers'): TriggerRule[] {
  if (!Array.isArray(data)) throw new RuleDataError(`${file}: expected a list of rules.`);
  return data.map((rule, i) => {
    const where = `${file} rule ${i}`;
    if (!isRecord(rule)) throw new RuleDataError(`${where}: expected an object.`);
    checkKeys(where, rule, ['kind', 'direction', 'patterns', 'except', 'note'], ['kind', 'direction', 'patterns']);
    if (!TRIGGER_KINDS.includes(rule.kind as TriggerRuleKind)) {
      throw new RuleDataError(`${where}: field "kind" ("${String(rule.kind)}") must be one of ${TRIGGER_KINDS.join(', ')}.`);
    }
    if (!DIRECTIONS.includes(rule.direction as TriggerDirection)) {
      throw new RuleDataError(`${where}: field "direction" ("${String(rule.direction)}") must be one of ${DIRECTIONS.join(', ')}.`);
    }
    const note = optionalText(where, 'note', rule.note);
    if (rule.except !== undefined) {
      if (!Array.isArray(rule.except) || rule.except.some((f) => typeof f !== 'string' || !isFinding(f))) {
        throw new RuleDataError(`${where}: field "except" must be a list of the 13 findings' names.`);
      }
    }
    return {
      kind: rule.kind as TriggerRuleKind,
      direction: rule.direction as TriggerDirection,
      patterns: patternList(`${where} (${String(rule.kind)})`, 'patterns', rule.patterns, false),
      ...(rule.except === undefined ? {} : { except: rule.except as Finding[] }),
      ...(note === undefined ? {} : { note }),
    };
  });
}
