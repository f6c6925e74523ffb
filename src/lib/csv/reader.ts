/**
 * The one CSV reader of the project, DOM-free: the page's workers feed it a Blob's slices, the CLI a file's
 * read stream; both get the same rows, the same problems and the same errors.
 *
 *   const head = first HEAD_BYTES of the file;
 *   const inspection = inspectHead(head, size, { fileName, encoding: 'auto', delimiter: 'auto', header: 'auto' });
 *   for await (const batch of readCsv(bytes, inspection.settings)) ...   // batch.rows: header (if any) + data rows
 *
 * `inspectHead` finds the encoding, delimiter and header row (see decode.ts and detect.ts), the columns (unique
 * names, duplicates flagged) and suggests text and id columns; any of the three settings can be given instead.
 */
import { EmptyInputError, RadReportXError } from '../errors.ts';
import { guessIdColumn, guessTextColumn, looksLikeText } from './columns.ts';
import { detectEncoding, parseEncoding, TextChunks, type Encoding } from './decode.ts';
import { detectDelimiter, detectHeader, positionalHeader, sampleRows, uniqueHeader, type DuplicateColumn, type HeaderGuess } from './detect.ts';
import { CsvParser, type CsvRow } from './parse.ts';

/** Bytes of a file's start that inspection reads. */
export const HEAD_BYTES = 256 * 1024;
/** Slice size the page reads a Blob in. */
export const SLICE_BYTES = 512 * 1024;

/** How to read a file, once known. */
export interface ReadSettings {
  encoding: Encoding;
  delimiter: string;
  /** The first row names the columns (false: columns are column_1, column_2, ...). */
  hasHeader: boolean;
}

/** What the user chose; `auto` (or absent) means detect. */
export interface ReadChoices {
  encoding?: Encoding | 'auto' | string;
  delimiter?: string;
  header?: boolean | 'auto';
}

export interface CsvInspection {
  settings: ReadSettings;
  /** What detection found, whatever was chosen, so a page can show "detected: ..." beside a choice. */
  detected: { encoding?: Encoding; bom: boolean; delimiter: string; header: HeaderGuess };
  /** Column names to choose from: the first row's, duplicates made unique, or column_1... without a header. */
  header: string[];
  /** The first row as it is in the file (when it is a header). */
  fileHeader: string[];
  duplicates: DuplicateColumn[];
  /** Up to 5 data rows, cells cut to 200 characters, for a preview. */
  sample: string[][];
  suggestedText: string[];
  suggestedId: string[];
  /** True when no column looks like report text (the user must choose). */
  noTextColumn: boolean;
}

/** Text columns worth joining when both are present (the IU X-ray and MIMIC layouts). */
const SECTION_PAIRS: [string, string][] = [['findings', 'impression']];

/** The delimiter as users type it (`tab`, `\t`, `auto`), checked. */
export function parseDelimiter(value: string | undefined): string | 'auto' {
  if (value === undefined || value === 'auto') return 'auto';
  const d = value === 'tab' || value === '\\t' ? '\t' : value;
  if (d.length !== 1 || /["\r\n]/.test(d)) throw new RadReportXError('BadUsage', `The delimiter must be one character, "tab" or "auto" (got "${value}").`);
  return d;
}

/**
 * Reads the start of a file (`head`, the first HEAD_BYTES; `size` the whole file's) and works out how to read
 * it. Throws named errors: `EmptyInput` (no bytes, blank, or a header and no rows), `NotCsv` (binary, with
 * what it looks like), `InvalidEncoding` (naming line and byte; hint: windows-1252), `BadUsage` (a bad choice).
 */
export function inspectHead(head: Uint8Array, size: number, choices: ReadChoices & { fileName?: string; what?: string } = {}): CsvInspection {
  const what = choices.what ?? (choices.fileName ? `"${choices.fileName}"` : 'The file');
  if (size === 0 || head.length === 0) throw new EmptyInputError(what);
  const complete = head.length >= size;
  const chosen = choices.encoding === undefined ? 'auto' : parseEncoding(choices.encoding);
  const guess = chosen === 'auto' ? detectEncoding(head, what) : { encoding: chosen, bom: false };
  const decoder = new TextChunks(guess.encoding, what);
  const text = decoder.push(head) + (complete ? decoder.end() : '');
  if (text.trim() === '') throw new EmptyInputError(what);

  const chosenDelimiter = parseDelimiter(choices.delimiter);
  const detectedDelimiter = detectDelimiter(text, choices.fileName, complete);
  const delimiter = chosenDelimiter === 'auto' ? detectedDelimiter : chosenDelimiter;
  const rows = sampleRows(text, delimiter, complete, 31).map((r) => r.fields);
  const headerGuess = detectHeader(rows);
  const hasHeader = choices.header === undefined || choices.header === 'auto' ? headerGuess.hasHeader : choices.header;

  const first = rows[0] ?? [];
  if (hasHeader && first.every((h) => h.trim() === '')) throw new RadReportXError('NotCsv', `${what} is not a CSV file: its first line has no column names.`, 'Choose a CSV file with one report per row, or say the file has no header row.');
  const { header, duplicates } = hasHeader ? uniqueHeader(first) : { header: positionalHeader(Math.max(...rows.map((r) => r.length))), duplicates: [] };
  const data = hasHeader ? rows.slice(1) : rows;
  if (data.length === 0) throw new EmptyInputError(`${what} has a header but no rows, so it`);
  const sample = data.slice(0, 5);

  const lower = header.map((h) => h.trim().toLowerCase());
  const pair = SECTION_PAIRS.find((p) => p.every((c) => lower.includes(c)));
  const textIndex = guessTextColumn(header, sample);
  let suggestedText: string[] = pair ? pair.map((c) => header[lower.indexOf(c)]) : textIndex === undefined ? [] : [header[textIndex]];
  const noTextColumn = !suggestedText.some((c) => looksLikeText(sample.map((r) => r[header.indexOf(c)] ?? '')));
  if (noTextColumn) suggestedText = [];
  const idIndex = guessIdColumn(header);
  return {
    settings: { encoding: guess.encoding, delimiter, hasHeader },
    detected: { encoding: chosen === 'auto' ? guess.encoding : undefined, bom: guess.bom, delimiter: detectedDelimiter, header: headerGuess },
    header,
    fileHeader: hasHeader ? first : [],
    duplicates,
    sample: sample.map((r) => r.map((c) => (c.length > 200 ? `${c.slice(0, 200)}…` : c))),
    suggestedText,
    suggestedId: idIndex === undefined || suggestedText.includes(header[idIndex]) ? [] : [header[idIndex]],
    noTextColumn,
  };
}

export interface CsvBatch {
  /** Rows completed by one chunk of bytes: the header row first (when the file has one), then data rows. */
  rows: CsvRow[];
  /** Bytes of the file read so far. */
  bytesRead: number;
}

/** Every row of the file, in one batch per chunk of bytes. Blank lines are skipped. */
export async function* readCsv(bytes: AsyncIterable<Uint8Array>, settings: ReadSettings, what = 'The file'): AsyncGenerator<CsvBatch> {
  const decoder = new TextChunks(settings.encoding, what);
  const parser = new CsvParser(settings.delimiter);
  for await (const chunk of bytes) {
    const rows = parser.push(decoder.push(chunk));
    if (rows.length) yield { rows, bytesRead: decoder.bytes };
  }
  const rows = parser.push(decoder.end());
  rows.push(...parser.end());
  yield { rows, bytesRead: decoder.bytes };
}

/** A Blob's bytes in slices (the page reads files this way; never whole). */
export async function* blobChunks(blob: Blob, sliceBytes = SLICE_BYTES): AsyncGenerator<Uint8Array> {
  for (let start = 0; start < blob.size; start += sliceBytes) {
    yield new Uint8Array(await blob.slice(start, Math.min(start + sliceBytes, blob.size)).arrayBuffer());
  }
}

/** Header and data rows of a file read with known settings; the header is checked and rows numbered from 1. */
export async function* dataRows(bytes: AsyncIterable<Uint8Array>, settings: ReadSettings, what = 'The file'): AsyncGenerator<CsvRow & { row: number }> {
  let headerSeen = !settings.hasHeader;
  let row = 0;
  for await (const batch of readCsv(bytes, settings, what)) {
    for (const r of batch.rows) {
      if (!headerSeen) {
        headerSeen = true;
        continue;
      }
      yield { ...r, row: ++row };
    }
  }
}
