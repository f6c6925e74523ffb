/** Reads the start of a CSV to show its columns and suggest the text and id columns, before any job exists. */
import Papa from 'papaparse';
import { guessIdColumn, guessTextColumn } from '../lib/csv/columns.ts';
import { EmptyInputError, InvalidEncodingError, RadReportXError } from '../lib/errors.ts';
import type { CsvInspection } from './api.ts';

const HEAD_BYTES = 256 * 1024;
const DELIMITERS = [',', '\t', ';', '|'];

export class NotCsvError extends RadReportXError {
  constructor(name: string, why: string) {
    super('NotCsv', `"${name}" is not a CSV file: ${why}.`, 'Choose a CSV file (comma- or tab-separated text) with one report per row.');
  }
}

/** Text columns worth joining when both are present (the IU X-ray and MIMIC layouts). */
const SECTION_PAIRS: [string, string][] = [['findings', 'impression']];

export async function inspectCsv(file: Blob, name: string): Promise<CsvInspection> {
  if (file.size === 0) throw new EmptyInputError(`"${name}"`);
  const bytes = new Uint8Array(await file.slice(0, HEAD_BYTES).arrayBuffer());
  if (bytes.includes(0)) throw new NotCsvError(name, 'it holds binary data, not text');
  let text: string;
  try {
    // A cut at HEAD_BYTES may split a character; `stream` keeps that from counting as an error.
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: file.size > HEAD_BYTES });
  } catch {
    throw new InvalidEncodingError(`"${name}"`);
  }
  if (text.trim() === '') throw new EmptyInputError(`"${name}"`);

  const parsed = Papa.parse<string[]>(text, { preview: 6, skipEmptyLines: true, delimitersToGuess: DELIMITERS });
  const [header, ...rest] = parsed.data;
  if (!header || header.every((h) => h.trim() === '')) throw new NotCsvError(name, 'its first line has no column names');
  // The last previewed row may be cut at HEAD_BYTES; keep it only when the whole file was read.
  const sample = (file.size > HEAD_BYTES ? rest.slice(0, -1) : rest).slice(0, 5);
  if (rest.length === 0) throw new EmptyInputError(`"${name}" has a header but no rows, so it`);

  const lower = header.map((h) => h.trim().toLowerCase());
  const pair = SECTION_PAIRS.find((p) => p.every((c) => lower.includes(c)));
  const textIndex = guessTextColumn(header, sample);
  let suggestedText: string[] = pair ? pair.map((c) => header[lower.indexOf(c)]) : textIndex === undefined ? [] : [header[textIndex]];
  const noTextColumn = !suggestedText.some((c) => looksLikeText(sample.map((r) => r[header.indexOf(c)] ?? '')));
  if (noTextColumn) suggestedText = [];
  const idIndex = guessIdColumn(header);
  return {
    header,
    delimiter: parsed.meta.delimiter,
    sample: sample.map((r) => r.map((c) => (c.length > 200 ? `${c.slice(0, 200)}…` : c))),
    suggestedText,
    suggestedId: idIndex === undefined || suggestedText.includes(header[idIndex]) ? [] : [header[idIndex]],
    noTextColumn,
  };
}

/** Prose, not codes or numbers: some cell has several words, and letters dominate. */
export function looksLikeText(values: readonly string[]): boolean {
  return values.some((v) => {
    const words = v.trim().split(/\s+/).filter((w) => /[A-Za-z]{2,}/.test(w));
    return words.length >= 3;
  });
}
