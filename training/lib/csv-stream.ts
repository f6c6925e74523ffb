/**
 * The CLI's side of the one CSV reader (src/lib/csv/reader.ts): it only hands the core a file's bytes. Detection
 * (encoding, delimiter, header row), parsing, quoting problems and decoding errors are the core's, the same as
 * in the page.
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { dataRows, HEAD_BYTES, inspectHead, readCsv, type CsvInspection, type ReadChoices } from '../../src/lib/csv/reader.ts';
import type { CsvRow } from '../../src/lib/csv/parse.ts';
import { EmptyInputError, UsageError } from '../../src/lib/errors.ts';

export interface CsvReadOptions extends ReadChoices {
  /** Called with the number of input bytes consumed so far, for progress. */
  onBytes?: (bytes: number) => void;
}

export async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UsageError(`The file "${path}" does not exist.`);
    if (code === 'EISDIR') throw new UsageError(`"${path}" is a folder, not a CSV file.`);
    throw e;
  }
}

/** Inspects a file's start: how to read it and its columns (see inspectHead). */
export async function inspectFile(path: string, choices: ReadChoices = {}): Promise<CsvInspection> {
  const size = await fileSize(path);
  if (size === 0) throw new EmptyInputError(`The file "${path}"`);
  const handle = await open(path, 'r');
  try {
    const head = new Uint8Array(Math.min(size, HEAD_BYTES));
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return inspectHead(head.subarray(0, bytesRead), size, { ...choices, what: `"${path}"`, fileName: path });
  } finally {
    await handle.close();
  }
}

async function* fileBytes(path: string, onBytes?: (bytes: number) => void): AsyncGenerator<Uint8Array> {
  const source = createReadStream(path, { highWaterMark: 256 * 1024 });
  let bytes = 0;
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      onBytes?.(bytes);
      yield chunk;
    }
  } finally {
    source.destroy();
  }
}

/** An opened CSV file: how it is read, its columns, and its data rows (numbered from 1) to stream. */
export interface OpenCsv {
  inspection: CsvInspection;
  rows: AsyncGenerator<CsvRow & { row: number }>;
}

export async function openCsv(path: string, options: CsvReadOptions = {}): Promise<OpenCsv> {
  const inspection = await inspectFile(path, options);
  return { inspection, rows: dataRows(fileBytes(path, options.onBytes), inspection.settings, `"${path}"`) };
}

/**
 * Yields every row of the file, header first, as arrays of strings (for commands that only need the cells).
 * Encoding and delimiter are detected unless given; the first row is always the header. Throws
 * `EmptyInputError` for a file with no bytes or only blank lines, `InvalidEncodingError` for bad bytes.
 */
export async function* readCsvRows(path: string, options: CsvReadOptions = {}): AsyncGenerator<string[]> {
  const inspection = await inspectFile(path, { ...options, header: true }).catch((e) => {
    // A header and no rows is still a header for these callers; they report "no rows" themselves.
    if ((e as Error).name === 'EmptyInput' && /header but no rows/.test((e as Error).message)) return undefined;
    throw e;
  });
  const settings = inspection?.settings ?? (await inspectFile(path, { ...options, header: false })).settings;
  for await (const batch of readCsv(fileBytes(path, options.onBytes), { ...settings, hasHeader: true }, `"${path}"`)) {
    for (const row of batch.rows) yield row.fields;
  }
}
