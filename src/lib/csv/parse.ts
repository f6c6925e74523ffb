/**
 * The CSV parser every path uses (the page's workers and every CLI command): RFC 4180 fields, fed text in
 * chunks, one row at a time out. Line endings arrive normalised to `\n` (see decode.ts). Quoting problems make
 * that row an error row; they never stop the file and never swallow the rows after them:
 * - text right after a closing quote (`"a"b`): the row is flagged, the quote is taken literally;
 * - a quote still open at the end of the file: the row is flagged with its first line as the field, and reading
 *   starts again on the next line, so the rows the stray quote would have eaten are read as rows.
 */
import { RadReportXError } from '../errors.ts';

/** A row still open after this many characters means an unclosed quote (no real report is this long). */
export const MAX_ROW_CHARS = 8 * 1024 * 1024;

export interface CsvRow {
  fields: string[];
  /** Why the row cannot be trusted (its quoting), when it cannot. */
  problem?: string;
}

export const QUOTE_PROBLEMS = {
  unclosed: 'This row opens a quoted field that is never closed; it was not labeled.',
  textAfterQuote: 'This row has text right after a closing quote (a quote inside a field must be doubled: ""); it was not labeled.',
} as const;

export class BrokenQuotingError extends RadReportXError {
  constructor() {
    super(
      'InvalidConfig',
      `A quoted field in the file is never closed: more than ${MAX_ROW_CHARS / 1024 / 1024} MB of text after an opening quote (") has no closing quote.`,
      'Fix the quoting in the file (a quote inside a field must be doubled: ""), then start again. Rows labeled before it are kept.',
    );
    this.name = 'BrokenQuoting';
  }
}

/** Result of scanning one row from `start`: the row and where the next starts, or `open` when more text is needed. */
type Scan = { row: CsvRow; next: number } | { open: true; quoteAt: number };

export class CsvParser {
  readonly #delimiter: string;
  #pending = '';

  constructor(delimiter: string) {
    if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n') throw new RadReportXError('BadUsage', `The delimiter must be one character other than a quote or a line break (got "${delimiter}").`);
    this.#delimiter = delimiter;
  }

  /** Rows completed by this text; blank lines are skipped. */
  push(text: string): CsvRow[] {
    const buffer = this.#pending + text;
    const rows: CsvRow[] = [];
    const ends = new FieldEnds(buffer, this.#delimiter);
    let at = 0;
    for (;;) {
      const scan = this.#scan(buffer, at, false, ends);
      if ('open' in scan) break;
      if (!isBlank(scan.row)) rows.push(scan.row);
      at = scan.next;
    }
    this.#pending = buffer.slice(at);
    if (this.#pending.length > MAX_ROW_CHARS) throw new BrokenQuotingError();
    return rows;
  }

  /** The rows left at the end of the text. */
  end(): CsvRow[] {
    const buffer = this.#pending;
    this.#pending = '';
    const rows: CsvRow[] = [];
    const ends = new FieldEnds(buffer, this.#delimiter);
    let at = 0;
    while (at < buffer.length) {
      const scan = this.#scan(buffer, at, true, ends);
      if ('open' in scan) {
        // A quote open at the end of the file: flag the row, keep only its first line, and read on from there.
        const lineEnd = buffer.indexOf('\n', scan.quoteAt);
        const stop = lineEnd < 0 ? buffer.length : lineEnd;
        const head = this.#scan(buffer.slice(at, scan.quoteAt), 0, true);
        const fields = 'open' in head ? [] : head.row.fields;
        if (fields.length && fields[fields.length - 1] === '' && scan.quoteAt > at) fields.pop();
        fields.push(buffer.slice(scan.quoteAt + 1, stop));
        rows.push({ fields, problem: QUOTE_PROBLEMS.unclosed });
        at = stop + 1;
        continue;
      }
      if (!isBlank(scan.row)) rows.push(scan.row);
      at = scan.next;
    }
    return rows;
  }

  #scan(s: string, start: number, final: boolean, ends = new FieldEnds(s, this.#delimiter)): Scan {
    const d = this.#delimiter;
    const fields: string[] = [];
    let problem: string | undefined;
    let i = start;
    for (;;) {
      if (i >= s.length) {
        if (!final) return { open: true, quoteAt: -1 };
        fields.push('');
        return { row: withProblem(fields, problem), next: s.length };
      }
      if (s[i] === '"') {
        const quoteAt = i;
        let value = '';
        let j = i + 1;
        for (;;) {
          const q = s.indexOf('"', j);
          if (q < 0) return { open: true, quoteAt };
          value += s.slice(j, q);
          if (q + 1 >= s.length && !final) return { open: true, quoteAt };
          const after = s[q + 1];
          if (after === '"') {
            value += '"';
            j = q + 2;
            continue;
          }
          if (after === undefined || after === d || after === '\n') {
            i = q + 1;
            break;
          }
          // Text after the closing quote: flag the row and read the rest of the field literally.
          problem ??= QUOTE_PROBLEMS.textAfterQuote;
          const end = ends.next(q + 1);
          if (end < 0 && !final) return { open: true, quoteAt: -1 };
          const stop = end < 0 ? s.length : end;
          value += s.slice(q, stop);
          i = stop;
          break;
        }
        fields.push(value);
      } else {
        const end = ends.next(i);
        if (end < 0) {
          if (!final) return { open: true, quoteAt: -1 };
          fields.push(s.slice(i));
          return { row: withProblem(fields, problem), next: s.length };
        }
        fields.push(s.slice(i, end));
        i = end;
      }
      // i is at a delimiter, a line break or the end.
      if (i >= s.length) {
        if (!final) return { open: true, quoteAt: -1 };
        return { row: withProblem(fields, problem), next: s.length };
      }
      if (s[i] === '\n') return { row: withProblem(fields, problem), next: i + 1 };
      i++; // the delimiter
    }
  }
}

/**
 * Finds the next delimiter or line break in one buffer. The positions found are kept, so a file whose
 * delimiter never appears (one column) is not searched to its end once per field.
 */
class FieldEnds {
  #d = -1;
  #n = -1;
  constructor(
    readonly s: string,
    readonly delimiter: string,
  ) {}

  /** Index of the next delimiter or line break at or after `from`, or -1. */
  next(from: number): number {
    if (this.#d !== Infinity && this.#d < from) {
      const d = this.s.indexOf(this.delimiter, from);
      this.#d = d < 0 ? Infinity : d;
    }
    if (this.#n !== Infinity && this.#n < from) {
      const n = this.s.indexOf('\n', from);
      this.#n = n < 0 ? Infinity : n;
    }
    const end = Math.min(this.#d, this.#n);
    return end === Infinity ? -1 : end;
  }
}

function withProblem(fields: string[], problem: string | undefined): CsvRow {
  return problem ? { fields, problem } : { fields };
}

function isBlank(row: CsvRow): boolean {
  return row.fields.length === 1 && row.fields[0] === '' && !row.problem;
}

/** Parses a whole text at once (inspection of a file's start, tests). */
export function parseCsvText(text: string, delimiter: string, final = true): CsvRow[] {
  const p = new CsvParser(delimiter);
  const rows = p.push(text);
  return final ? [...rows, ...p.end()] : rows;
}
