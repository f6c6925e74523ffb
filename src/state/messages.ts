/**
 * Error text for people. Errors that cross a worker arrive as strings or as plain Errors whose text may start
 * with the error's internal name ("ModelNotAvailable: No model is loaded."); the name means nothing to a user,
 * so it is taken off. The message itself (plain language, from src/lib/errors.ts) is kept as it is.
 */
import { errorMessage } from '../lib/errors.ts';

// An internal name: a CamelCase word of two parts or more (our error codes), or a JavaScript error class.
const INTERNAL_NAME = /^(?:(?:[A-Z][a-z]+){2,5}|(?:[A-Z][a-z]+)*(?:Error|Exception)):\s+/;

export function plainText(text: string): string {
  let out = text;
  // Errors wrapped more than once carry the name more than once ("Error: ModelNotAvailable: ...").
  for (let i = 0; i < 3 && INTERNAL_NAME.test(out); i++) out = out.replace(INTERNAL_NAME, '');
  return out;
}

export function plainMessage(e: unknown): string {
  return plainText(errorMessage(e));
}
