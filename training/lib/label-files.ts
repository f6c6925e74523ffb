/**
 * The CLI's side of the one evaluator (src/lib/evaluate/evaluation.ts): it only hands the core a file's rows.
 * Predictions are label's CSV or JSONL (or any CSV with a names column), the reference a CSV; the core reads
 * the labels, joins and scores, exactly as the page's Evaluate worker does.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { csvSide, jsonlIdNames, jsonlSide, type LabelFormat, type LabelSide, type Role } from '../../src/lib/evaluate/evaluation.ts';
import { EmptyInputError } from '../../src/lib/errors.ts';
import { fileSize, openCsv } from './csv-stream.ts';

const isJsonl = (path: string) => /\.(jsonl|ndjson)$/i.test(path);

function lines(path: string): AsyncIterable<string> {
  return createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
}

/** The column names a join can use: a CSV's header, or the `ids` keys of a JSONL file's first record. */
export async function joinableColumns(path: string, role: Role): Promise<string[]> {
  if ((await fileSize(path)) === 0) throw new EmptyInputError(`The ${role === 'reference' ? 'truth' : role} file "${path}"`);
  if (!isJsonl(path)) return (await openCsv(path, { header: true })).inspection.header;
  for await (const line of lines(path)) if (line.trim()) return jsonlIdNames(line);
  return [];
}

/** One side read from a file; `labelsColumn` names a names-list column (else coded columns, else `findings`). */
export async function openLabelSide(path: string, role: Role, idColumn: string | undefined, labelsColumn?: string): Promise<LabelSide> {
  const where = ` "${path}"`;
  if (isJsonl(path)) return jsonlSide(lines(path), idColumn, where);
  const { inspection, rows } = await openCsv(path, { header: true });
  const format: LabelFormat | undefined = labelsColumn === undefined ? undefined : { kind: 'names', column: labelsColumn };
  return csvSide(inspection.header, rows, format, idColumn, role, where);
}
