/** The shape of ICD-10-CM codes and the normalisation applied to codes written by people and models. */

/**
 * ICD-10-CM shape: a letter, two more characters (digits in every chest code; a letter in a few chapters such as
 * C4A), then optionally a dot and one to four characters.
 */
export const CODE_SHAPE = /^[A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?$/;

/** The stricter shape the code table itself follows: letter, two digits, optional dot and up to four characters. */
export const TABLE_CODE_SHAPE = /^[A-Z][0-9]{2}(?:\.[0-9A-Z]{1,4})?$/;

/**
 * Upper case, no spaces, and the dot after the third character: "j9811" → "J98.11", "s22.31xa" → "S22.31XA",
 * "J90." → "J90". Returns the cleaned text even when it is not a valid code (check it with `isWellFormedCode`).
 */
export function normaliseCode(raw: string): string {
  let code = raw.trim().toUpperCase().replace(/\s+/g, '');
  code = code.replace(/\.$/, '');
  if (!code.includes('.') && code.length > 3) code = `${code.slice(0, 3)}.${code.slice(3)}`;
  return code;
}

export function isWellFormedCode(code: string): boolean {
  return CODE_SHAPE.test(code);
}

/** The 3-character category of a code ("J98.11" → "J98"), used for category-level metrics. */
export function categoryOf(code: string): string {
  return normaliseCode(code).slice(0, 3);
}
