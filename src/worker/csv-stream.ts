/**
 * Reads a CSV Blob in slices and parses it with papaparse's incremental parser. We slice and decode ourselves
 * (TextDecoder in streaming mode) rather than let papaparse read the file, because papaparse decodes each slice
 * on its own and would corrupt a UTF-8 character cut by a slice boundary.
 */
import Papa from 'papaparse';
import { InvalidEncodingError, RadReportXError } from '../lib/errors.ts';

export const SLICE_BYTES = 512 * 1024;

/** A row still open after this many characters means an unclosed quote (no real report is this long). */
export const MAX_ROW_CHARS = 8 * 1024 * 1024;

export interface RowProblem {
  /** Index of the row in `rows`. */
  row: number;
  message: string;
}

export interface CsvBatch {
  rows: string[][];
  problems: RowProblem[];
  /** Bytes of the file read so far. */
  bytesRead: number;
}

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

/** Guesses the line ending from the start of the file. */
export function guessNewline(text: string): '\r\n' | '\n' | '\r' {
  const n = text.indexOf('\n');
  const r = text.indexOf('\r');
  if (n < 0 && r < 0) return '\n';
  if (n < 0) return '\r';
  if (r >= 0 && r === n - 1) return '\r\n';
  if (r >= 0 && r < n) return '\r';
  return '\n';
}

/** Decodes bytes as UTF-8, failing with a clear message on anything else. */
export function decoder(): TextDecoder {
  return new TextDecoder('utf-8', { fatal: true });
}

function decode(d: TextDecoder, bytes: Uint8Array, stream: boolean): string {
  try {
    return d.decode(bytes, { stream });
  } catch {
    throw new InvalidEncodingError();
  }
}

/** The file's rows, header included, in batches of one slice each. Blank lines are dropped. */
export async function* csvBatches(blob: Blob, delimiter: string, sliceBytes = SLICE_BYTES): AsyncGenerator<CsvBatch> {
  const textDecoder = decoder();
  let parser: Papa.Parser | undefined;
  let partial = '';
  let base = 0;
  for (let start = 0; start < blob.size; start += sliceBytes) {
    const end = Math.min(start + sliceBytes, blob.size);
    const last = end >= blob.size;
    const text = decode(textDecoder, new Uint8Array(await blob.slice(start, end).arrayBuffer()), !last);
    const aggregate = partial + text;
    if (!parser) {
      // The line ending is known once a line break has been seen (and what follows a \r, in case it is \r\n).
      const r = aggregate.indexOf('\r');
      if (!last && aggregate.indexOf('\n') < 0 && (r < 0 || r === aggregate.length - 1)) {
        partial = aggregate;
        if (partial.length > MAX_ROW_CHARS) throw new BrokenQuotingError();
        continue;
      }
      parser = new Papa.Parser({ delimiter, newline: guessNewline(aggregate), quoteChar: '"' });
    }
    const result = parser.parse(aggregate, base, !last) as Papa.ParseResult<string[]>;
    const cursor = result.meta.cursor;
    partial = last ? '' : aggregate.substring(cursor - base);
    base = cursor;
    if (partial.length > MAX_ROW_CHARS) throw new BrokenQuotingError();

    const problemAt = new Map<number, string>();
    for (const e of result.errors) {
      if (typeof e.row === 'number' && !problemAt.has(e.row)) problemAt.set(e.row, quotingMessage(e.code));
    }
    const rows: string[][] = [];
    const problems: RowProblem[] = [];
    result.data.forEach((row, i) => {
      if (row.length === 1 && row[0] === '') return;
      const problem = problemAt.get(i);
      if (problem) problems.push({ row: rows.length, message: problem });
      rows.push(row);
    });
    yield { rows, problems, bytesRead: end };
  }
}

function quotingMessage(code: string): string {
  switch (code) {
    case 'MissingQuotes':
      return 'This row opens a quoted field that is never closed; it was not labeled.';
    case 'InvalidQuotes':
      return 'This row has text right after a closing quote (a quote inside a field must be doubled: ""); it was not labeled.';
    default:
      return `This row could not be read (${code}); it was not labeled.`;
  }
}
