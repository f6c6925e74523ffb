/** Reads the start of a CSV to show how it will be read and its columns, before any job exists (the core's inspection). */
import { HEAD_BYTES, inspectHead, type CsvInspection, type ReadChoices } from '../lib/csv/reader.ts';

export async function inspectCsv(file: Blob, name: string, choices: ReadChoices = {}): Promise<CsvInspection> {
  const head = new Uint8Array(await file.slice(0, HEAD_BYTES).arrayBuffer());
  return inspectHead(head, file.size, { ...choices, fileName: name });
}
