/**
 * What a CSV file's first rows say about how to read it: the delimiter, whether the first row is a header, and
 * duplicate column names. The page shows these before a job starts (and lets the user change them); the CLI uses
 * them when `--delimiter` / `--header` are `auto` (the default). One implementation, so both read a file alike.
 */
import { looksLikeText } from './columns.ts';
import { parseCsvText, type CsvRow } from './parse.ts';

export const DELIMITERS = [',', '\t', ';', '|'] as const;

/** How many rows of the file's start detection looks at. */
const SAMPLE_ROWS = 30;

/**
 * The delimiter of a file from its start. A delimiter counts only when the first row splits into several
 * fields and most of the next rows split into the same number: so a one-column file whose reports hold `;` (or
 * `,`) stays one column instead of splitting every report. `.tsv` files prefer tab; otherwise comma wins ties.
 * `complete` says the text is the whole file (its last row is not cut).
 */
export function detectDelimiter(text: string, fileName = '', complete = false): string {
  const preferred = /\.(tsv|tab)$/i.test(fileName) ? '\t' : ',';
  const order = [preferred, ...DELIMITERS.filter((d) => d !== preferred)];
  let best: { delimiter: string; width: number } | undefined;
  for (const delimiter of order) {
    const rows = sampleRows(text, delimiter, complete);
    if (rows.length === 0) continue;
    const width = rows[0].fields.length;
    if (width < 2) continue;
    const rest = rows.slice(1);
    const same = rest.filter((r) => r.fields.length === width).length;
    // A header alone, or most data rows with the header's width.
    if (rest.length > 0 && same < rest.length * 0.8) continue;
    if (!best || width > best.width) best = { delimiter, width };
  }
  return best?.delimiter ?? preferred;
}

/** The first rows of `text` (the last dropped when the text is a cut, since it may be incomplete). */
export function sampleRows(text: string, delimiter: string, complete = false, limit = SAMPLE_ROWS + 1): CsvRow[] {
  const rows = parseCsvText(text, delimiter, complete);
  return rows.slice(0, limit);
}

export interface HeaderGuess {
  hasHeader: boolean;
  /** Why the first row looks like data, for the page and the CLI to tell the user. */
  reason?: string;
}

/**
 * Whether the first row names the columns. It looks like data when one of its cells reads as report prose, or
 * is a number, a date or an id code like the cells under it; column names are short words.
 */
export function detectHeader(rows: readonly (readonly string[])[]): HeaderGuess {
  const [first, ...rest] = rows;
  if (!first) return { hasHeader: true };
  for (let i = 0; i < first.length; i++) {
    const cell = first[i].trim();
    if (cell === '') continue;
    if (looksLikeText([cell]) && /[.,;:]/.test(cell)) return { hasHeader: false, reason: `its cell ${i + 1} reads like report text` };
    if (cell.length > 60) return { hasHeader: false, reason: `its cell ${i + 1} is ${cell.length} characters long, too long for a column name` };
    const below = rest.map((r) => (r[i] ?? '').trim()).filter(Boolean);
    if (VALUE.test(cell) && below.length > 0 && below.every((v) => VALUE.test(v))) {
      return { hasHeader: false, reason: `its cell ${i + 1} ("${cell}") is a value like those under it` };
    }
  }
  return { hasHeader: true };
}

/** Numbers, dates, and id codes that hold a digit (CXR123, 2024-01-05). */
const VALUE = /^(?=.*\d)[A-Za-z]{0,6}[-_/.:]?\d[\d\-_/.:]*[A-Za-z]{0,3}$/;

/** Column names for a file without a header row: column_1, column_2, ... */
export function positionalHeader(width: number): string[] {
  return Array.from({ length: width }, (_, i) => `column_${i + 1}`);
}

export interface DuplicateColumn {
  name: string;
  /** 0-based positions of the columns with this name. */
  columns: number[];
  /** The names given to them here, to choose one: `report (1)`, `report (2)`. */
  names: string[];
}

/**
 * The header with duplicated names made unique (`report`, `report` → `report (1)`, `report (2)`), and the
 * duplicates, so a user picks one instead of the first being used silently.
 */
export function uniqueHeader(header: readonly string[]): { header: string[]; duplicates: DuplicateColumn[] } {
  const positions = new Map<string, number[]>();
  header.forEach((h, i) => positions.set(h, [...(positions.get(h) ?? []), i]));
  const out = [...header];
  const duplicates: DuplicateColumn[] = [];
  for (const [name, columns] of positions) {
    if (columns.length < 2) continue;
    const names = columns.map((c, k) => `${name} (${k + 1})`);
    columns.forEach((c, k) => (out[c] = names[k]));
    duplicates.push({ name, columns, names });
  }
  return { header: out, duplicates };
}
