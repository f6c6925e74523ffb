/**
 * Named errors with a plain-language message for the person using the tool. Across the worker boundary only
 * `name` and `message` survive (WebLLM's own errors arrive as strings), so callers branch on `name` or on
 * `errorCode(e)`, never on `instanceof`.
 */

export type ErrorCode =
  | 'MissingColumn'
  | 'EmptyInput'
  | 'InvalidEncoding'
  | 'BadUsage'
  | 'NotCsv'
  | 'StorageFull'
  | 'WebGpuUnavailable'
  | 'ModelNotAvailable'
  | 'ModelLoadFailed'
  | 'RemoteNotAllowed'
  | 'ExternalTool'
  | 'InvalidConfig'
  | 'UnknownFinding';

export class RadReportXError extends Error {
  readonly code: ErrorCode;
  /** What the user can do next, shown under the message. */
  readonly hint?: string;
  constructor(code: ErrorCode, message: string, hint?: string) {
    super(message);
    this.name = code;
    this.code = code;
    this.hint = hint;
  }
}

export class MissingColumnError extends RadReportXError {
  readonly column: string;
  readonly available: string[];
  /** The existing column closest to the one asked for (a likely typo), when there is one. */
  readonly suggestion?: string;
  constructor(column: string, available: string[], role = 'text', suggestion?: string) {
    super(
      'MissingColumn',
      `The ${role} column "${column}" is not in the file. Columns found: ${available.length ? available.map((c) => `"${c}"`).join(', ') : '(none)'}.`,
      (suggestion ? `Did you mean "${suggestion}"? ` : '') +
        `Choose one of the columns found${role === 'text' ? ' that holds the report text' : ''}.`,
    );
    this.suggestion = suggestion;
    this.column = column;
    this.available = available;
  }
}

export class EmptyInputError extends RadReportXError {
  constructor(what = 'The file') {
    super('EmptyInput', `${what} is empty: there is nothing to label.`);
  }
}

export class InvalidEncodingError extends RadReportXError {
  constructor(what = 'The file') {
    super('InvalidEncoding', `${what} is not valid UTF-8 text.`, 'Save it as UTF-8 (for example "CSV UTF-8" in Excel) and try again.');
  }
}

export class UsageError extends RadReportXError {
  constructor(message: string, hint?: string) {
    super('BadUsage', message, hint);
  }
}

/** The error's code when it is one of ours, whether it is an instance or came across a worker as a string. */
export function errorCode(e: unknown): ErrorCode | undefined {
  if (e instanceof RadReportXError) return e.code;
  const name = typeof e === 'string' ? e.split(':')[0] : (e as { name?: unknown } | null)?.name;
  return typeof name === 'string' && /^[A-Z][A-Za-z]+$/.test(name) ? (name as ErrorCode) : undefined;
}

/** A message fit to show a person, whatever was thrown. */
export function errorMessage(e: unknown): string {
  if (typeof e === 'string') return e;
  if (e instanceof Error) return e.message;
  return String(e);
}

/** Label names in a file that are not one of the 13 findings (nor Normal), listed so they can be fixed. */
export class UnknownFindingError extends RadReportXError {
  readonly names: string[];
  constructor(names: string[], where: string) {
    const shown = names.slice(0, 10).map((n) => `"${n}"`).join(', ');
    super(
      'UnknownFinding',
      `${where} has finding names that are not one of the 13 findings: ${shown}${names.length > 10 ? ` and ${names.length - 10} more` : ''}.`,
      'Use the finding names (Atelectasis, Cardiomegaly, ... Support Devices) or Normal; spelling, case and plurals do not matter.',
    );
    this.names = names;
  }
}

/**
 * Rule data (findings lexicon, triggers, ICD-10 table and phrases) that breaks the schema: the message names the
 * file, the entry and the field. Thrown when the data loads, never while labeling.
 */
export class RuleDataError extends RadReportXError {
  constructor(message: string) {
    super('InvalidConfig', message, 'Fix the rule data file named in the message; every key must be one the schema lists.');
  }
}
