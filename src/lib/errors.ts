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
  | 'UnknownFinding'
  | 'UnparsableAnswer'
  | 'RemoteCallFailed';

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

/** The browser's storage quota is used up; what was saved before is kept. */
export class StorageFullError extends RadReportXError {
  constructor(what: string) {
    super(
      'StorageFull',
      `The browser has no room left to store ${what}. Everything saved before this point is kept.`,
      'Free some disk space or delete old jobs, then resume.',
    );
  }
}

/** A model folder or its files cannot be used (missing, unreadable or inconsistent files). */
export class ModelFolderError extends RadReportXError {
  constructor(message: string) {
    super('ModelNotAvailable', message);
  }
}

/** The model registry (src/lib/models/registry.json) breaks its schema. */
export class RegistryError extends RadReportXError {
  constructor(message: string) {
    super('InvalidConfig', `Model registry: ${message}`, 'Fix src/lib/models/registry.json (or the entry `radreportx build-model` wrote) and rebuild the site.');
  }
}

/** A file that is not a GGUF model llama.cpp would load (bad magic, cut short, parts that do not fit). */
export class GgufFormatError extends RadReportXError {
  constructor(message: string) {
    super('InvalidConfig', message);
  }
}

/** A `modelMirrors` entry of deploy.config.json that is not an origin. */
export class InvalidMirrorError extends RadReportXError {
  /** `field`: the deploy.config.json list the entry is in (modelMirrors, stockModelOrigins). */
  constructor(value: unknown, why: string, field = 'modelMirrors') {
    super('InvalidConfig', `deploy.config.json: ${field} entry ${JSON.stringify(value)} ${why}. Write an origin such as "https://models.example.org".`);
  }
}

/** A model's answer that does not have the released model's answer format; the row becomes `unparsed`. */
export class AnswerFormatError extends RadReportXError {
  constructor(message: string) {
    super('UnparsableAnswer', message);
    // The name callers have always seen for this error.
    this.name = 'AnswerFormatError';
  }
}

/** An external program (torchtune, mlc_llm, python, ...) failed; the last lines of its output are kept. */
export class ToolError extends RadReportXError {
  readonly tool: string;
  readonly exitCode: number | null;
  readonly lastLines: string[];
  constructor(tool: string, message: string, hint: string | undefined, exitCode: number | null, lastLines: string[]) {
    super('ExternalTool', message, hint);
    this.tool = tool;
    this.exitCode = exitCode;
    this.lastLines = lastLines;
  }
}

/** Reports would go to a server that is not this machine, and the user has not allowed it. */
export class RemoteNotAllowedError extends RadReportXError {
  readonly host: string;
  readonly reports: number;
  constructor(host: string, reports: number) {
    super(
      'RemoteNotAllowed',
      `Not sending anything: ${reports.toLocaleString('en-US')} report${reports === 1 ? '' : 's'} would go to ${host}, which is not this machine.`,
      'Reports may hold patient data. If sending them to this host is allowed (a data processing agreement, ' +
        'de-identified text), add --allow-remote. A server on 127.0.0.1 or localhost needs no flag.',
    );
    this.host = host;
    this.reports = reports;
  }
}

export type CallFailureKind = 'rate_limit' | 'server' | 'timeout' | 'connection' | 'malformed' | 'client' | 'auth' | 'quota' | 'aborted';

/** How one call to an OpenAI-compatible server failed (training/openai/retry.ts sorts errors into these). */
export interface CallFailure {
  kind: CallFailureKind;
  retryable: boolean;
  /** Stops the whole run: no later row can succeed (bad key, unknown model, no quota). */
  fatal: boolean;
  status?: number;
  /** What the server asked for, in ms. */
  retryAfterMs?: number;
  /** Safe to print: status and error type only, never the server's message (it may quote the request). */
  summary: string;
  /** Fuller text for the JSONL line, keys redacted. */
  message: string;
}

/** A call to an OpenAI-compatible server that still failed after its retries; `failure` says how. */
export class CallFailed extends RadReportXError {
  readonly failure: CallFailure;
  readonly attempts: number;
  constructor(failure: CallFailure, attempts: number) {
    super('RemoteCallFailed', `${failure.summary} after ${attempts} attempt${attempts === 1 ? '' : 's'}`);
    // The name callers have always seen for this error.
    this.name = 'CallFailed';
    this.failure = failure;
    this.attempts = attempts;
  }
}

/** Codes a failed outcome can carry: a named error's, or the operation was cancelled, busy, or failed otherwise. */
export type FailureCode = ErrorCode | 'Cancelled' | 'Busy' | 'FileMismatch' | 'Failed';

/** The failure half of an `Outcome`: what crosses a worker boundary instead of a thrown error. */
export interface FailedOutcome {
  ok: false;
  code: FailureCode;
  message: string;
  hint?: string;
}

/** The one result-or-failure type: worker APIs return it, so the page never depends on `instanceof`. */
export type Outcome<T> = { ok: true; value: T } | FailedOutcome;

/** The failed outcome for whatever was thrown, with its code and hint when it is one of ours. */
export function failure(e: unknown): FailedOutcome {
  const hint = (e as { hint?: unknown } | null)?.hint;
  return { ok: false, code: errorCode(e) ?? 'Failed', message: errorMessage(e), ...(typeof hint === 'string' ? { hint } : {}) };
}
