/**
 * The one strict loader for rule data and its one pattern syntax, used by the findings lexicon and the triggers
 * (schema.ts) and the ICD-10 code table, phrases and modifiers (icd10/lexicon.ts). Data files are plain objects;
 * each loader says which fields an entry has, and these checks reject anything else, naming the file, the entry
 * and the field, before anything is compiled.
 *
 * Pattern syntax (every data file): a JavaScript regular-expression source, matched case-insensitively, where
 * - a plain space stands for any run of spaces, line breaks or hyphens ("plate like" matches "plate-like"),
 * - a space followed by "?" for an optional such run ("air ?space" matches "airspace" and "air space");
 *   any other quantifier on a space is rejected (write "(?: )*" or "\\s*" if that is really meant);
 * - groups are non-capturing, "(?:...)" (the matchers number the groups themselves);
 * - a pattern may not match empty text.
 * Each matcher adds word boundaries, so "tube" never matches inside "tuberculosis".
 */
import { RuleDataError } from '../errors.ts';

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Rejects a field the schema does not list, and a required field that is missing. */
export function checkKeys(where: string, entry: Record<string, unknown>, allowed: readonly string[], required: readonly string[]): void {
  for (const key of Object.keys(entry)) {
    if (!allowed.includes(key)) throw new RuleDataError(`${where}: unknown field "${key}" (allowed: ${allowed.join(', ')}).`);
  }
  for (const key of required) {
    if (!(key in entry)) throw new RuleDataError(`${where}: missing field "${key}".`);
  }
}

/** A list of non-empty strings (an empty list only when `allowEmpty`). */
export function textList(where: string, field: string, value: unknown, allowEmpty = true): string[] {
  if (!Array.isArray(value) || (!allowEmpty && value.length === 0)) {
    throw new RuleDataError(`${where}: field "${field}" must be a ${allowEmpty ? '' : 'non-empty '}list.`);
  }
  value.forEach((v, i) => {
    if (typeof v !== 'string' || !v.trim()) throw new RuleDataError(`${where}: field "${field}"[${i}] must be a non-empty string.`);
  });
  return value as string[];
}

/** Optional free text such as `note`. */
export function optionalText(where: string, field: string, value: unknown): string | undefined {
  if (value !== undefined && typeof value !== 'string') throw new RuleDataError(`${where}: field "${field}" must be text.`);
  return value;
}

/** A list of patterns in the syntax above, each checked to compile and to match something. */
export function patternList(where: string, field: string, value: unknown, allowEmpty = true): string[] {
  const patterns = textList(where, field, value, allowEmpty);
  patterns.forEach((p, i) => checkPattern(where, field, i, p));
  return patterns;
}

function checkPattern(where: string, field: string, i: number, p: string): void {
  const at = `${where}: field "${field}"[${i}] ("${p}")`;
  if (/ [*+{]/.test(p)) throw new RuleDataError(`${at} puts a quantifier other than "?" on a space; write "(?: )*" or "\\s*" instead.`);
  let whole: RegExp;
  try {
    whole = new RegExp(`^(?:${patternSource(p)})$`, 'i');
  } catch (e) {
    throw new RuleDataError(`${at} is not a valid pattern: ${(e as Error).message}`);
  }
  // Group numbers identify which pattern matched, so data may only use non-capturing groups.
  if (/(?:^|[^\\])\((?!\?)/.test(p)) throw new RuleDataError(`${at} has a capturing group; write (?:...) instead.`);
  // A pattern that matches the empty string would mark every position of every report.
  if (whole.test('')) throw new RuleDataError(`${at} matches empty text.`);
}

/** A data pattern as regex source: a space matches any run of whitespace or hyphens, " ?" also none. */
export function patternSource(pattern: string): string {
  return pattern
    .trim()
    .replace(/ +\?/g, '[\\s-]*')
    .replace(/ +/g, '[\\s-]+');
}
