/**
 * The fixed schema of the rule data (lexicon.ts, triggers.ts) and its strict loader. Data is plain objects so it
 * can be read, diffed and reviewed apart from the engine; the loader rejects unknown keys, unknown findings and
 * patterns that do not compile, naming the entry and the field, before anything is compiled.
 *
 * Pattern syntax: a JavaScript regular expression source, matched case-insensitively, where a plain space stands
 * for any run of spaces, line breaks or hyphens ("plate like" matches "plate-like"). Matches must start and end
 * at word boundaries when they start or end with a letter or digit, so "tube" never matches inside "tuberculosis".
 */
import { RadReportXError } from '../errors.ts';
import { isFinding, type Finding } from '../findings.ts';

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

export class RuleDataError extends RadReportXError {
  constructor(message: string) {
    super('InvalidConfig', message, 'Fix the rule data file named in the message; every key must be one the schema lists.');
    this.name = 'InvalidConfig';
  }
}

const TRIGGER_KINDS: readonly TriggerRuleKind[] = ['negation', 'uncertainty', 'differential', 'resolved', 'hypothetical', 'historical', 'current', 'pseudo', 'terminator'];
const DIRECTIONS: readonly TriggerDirection[] = ['forward', 'backward', 'both'];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkKeys(where: string, entry: Record<string, unknown>, allowed: readonly string[], required: readonly string[]) {
  for (const key of Object.keys(entry)) {
    if (!allowed.includes(key)) throw new RuleDataError(`${where}: unknown field "${key}" (allowed: ${allowed.join(', ')}).`);
  }
  for (const key of required) {
    if (!(key in entry)) throw new RuleDataError(`${where}: missing field "${key}".`);
  }
}

function checkPatterns(where: string, field: string, value: unknown, allowEmpty: boolean): string[] {
  if (!Array.isArray(value) || (!allowEmpty && value.length === 0)) {
    throw new RuleDataError(`${where}: field "${field}" must be a ${allowEmpty ? '' : 'non-empty '}list of patterns.`);
  }
  value.forEach((p, i) => {
    if (typeof p !== 'string' || !p.trim()) throw new RuleDataError(`${where}: field "${field}"[${i}] must be a non-empty string.`);
    try {
      new RegExp(patternSource(p), 'i');
    } catch (e) {
      throw new RuleDataError(`${where}: field "${field}"[${i}] ("${p}") is not a valid pattern: ${(e as Error).message}`);
    }
    // Group numbers identify which pattern matched, so data may only use non-capturing groups.
    if (/(?:^|[^\\])\((?!\?)/.test(p)) {
      throw new RuleDataError(`${where}: field "${field}"[${i}] ("${p}") has a capturing group; write (?:...) instead.`);
    }
    // A pattern that matches the empty string would mark every position of every report.
    if (new RegExp(`^(?:${patternSource(p)})$`, 'i').test('')) {
      throw new RuleDataError(`${where}: field "${field}"[${i}] ("${p}") matches empty text.`);
    }
  });
  return value as string[];
}

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
    if (entry.note !== undefined && typeof entry.note !== 'string') throw new RuleDataError(`${w}: field "note" must be text.`);
    return {
      finding,
      mentions: checkPatterns(w, 'mentions', entry.mentions, false),
      exclusions: entry.exclusions === undefined ? [] : checkPatterns(w, 'exclusions', entry.exclusions, true),
      ...(entry.note === undefined ? {} : { note: entry.note as string }),
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
    if (rule.note !== undefined && typeof rule.note !== 'string') throw new RuleDataError(`${where}: field "note" must be text.`);
    if (rule.except !== undefined) {
      if (!Array.isArray(rule.except) || rule.except.some((f) => typeof f !== 'string' || !isFinding(f))) {
        throw new RuleDataError(`${where}: field "except" must be a list of the 13 findings' names.`);
      }
    }
    return {
      kind: rule.kind as TriggerRuleKind,
      direction: rule.direction as TriggerDirection,
      patterns: checkPatterns(`${where} (${String(rule.kind)})`, 'patterns', rule.patterns, false),
      ...(rule.except === undefined ? {} : { except: rule.except as Finding[] }),
      ...(rule.note === undefined ? {} : { note: rule.note as string }),
    };
  });
}

/** A data pattern as regex source: a space matches any run of whitespace or hyphens, " ?" also none. */
export function patternSource(pattern: string): string {
  return pattern
    .trim()
    .replace(/ +\?/g, '[\\s-]*')
    .replace(/ +/g, '[\\s-]+');
}
