/**
 * Reading the labels a training set is built from, in the two forms the project writes:
 * - JSONL from `label --engine openai` or `label --format jsonl` (the LabelResult spread into each line), or lines
 *   that nest it (`{"id", "status", "result": LabelResult}`)
 *   (`{"row", "ids": {...}, ...LabelResult}`);
 * - CSV from `label` or the app's export (src/lib/output.ts: id columns, findings, status, [icd10], one
 *   CheXpert-coded column per finding).
 * Every label is keyed like the reports it belongs to: the id column values, or the data row number when the
 * reports have no id column.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { FINDINGS, FINDING_STATUSES, emptyFindings, type FindingStatus } from '../../../src/lib/findings.ts';
import { findingColumns, idKey, resolveColumn, resolveColumnList, splitColumnSpec, statusesFromCodes } from '../../../src/lib/csv/index.ts';
import { EmptyInputError, UsageError } from '../../../src/lib/errors.ts';
import { normaliseCode } from '../../../src/lib/icd10/code.ts';
import { isNormal, type EngineInfo, type Icd10Item, type LabelResult, type RowStatus, type Task } from '../../../src/lib/result.ts';
import { fileSize, readCsvRows } from '../../lib/csv-stream.ts';

export interface LabelIndex {
  /** Label per join key; when a key appears twice, an `ok` label beats a failed one, then the later one wins. */
  byKey: Map<string, LabelResult>;
  /** Lines or rows that could not be read as a label (bad JSON, unknown status), with the first few reasons. */
  invalid: number;
  invalidExamples: string[];
  /** Keys seen more than once. */
  duplicateKeys: number;
  format: 'jsonl' | 'csv';
  /** Whether the labels carry evidence quotes (CSV labels do not). */
  hasEvidence: boolean;
}

const ROW_STATUSES: readonly RowStatus[] = ['ok', 'empty', 'error', 'unparsed'];

export function labelFormat(path: string): 'jsonl' | 'csv' {
  const lower = path.toLowerCase();
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson') || lower.endsWith('.json')) return 'jsonl';
  if (lower.endsWith('.csv') || lower.endsWith('.tsv')) return 'csv';
  throw new UsageError(`Cannot tell the format of the labels file "${path}".`, 'Name it .jsonl (label --engine openai, or label --format jsonl) or .csv (label output).');
}

function keep(index: LabelIndex, key: string, result: LabelResult): void {
  const before = index.byKey.get(key);
  if (before) {
    index.duplicateKeys++;
    if (before.status === 'ok' && result.status !== 'ok') return;
  }
  index.byKey.set(key, result);
}

function invalid(index: LabelIndex, where: string, why: string): void {
  index.invalid++;
  if (index.invalidExamples.length < 5) index.invalidExamples.push(`${where}: ${why}`);
}

/** Checks that an object read from JSON is a LabelResult; returns the reason when it is not. */
export function asLabelResult(value: unknown, statusHint?: unknown): LabelResult | string {
  if (!value || typeof value !== 'object') return 'no result object';
  const o = value as Record<string, unknown>;
  const status = (o.status ?? statusHint) as RowStatus;
  if (!ROW_STATUSES.includes(status)) return `unknown status ${JSON.stringify(o.status ?? statusHint)}`;
  const findings = emptyFindings();
  if (o.findings !== undefined) {
    if (!o.findings || typeof o.findings !== 'object' || Array.isArray(o.findings)) return '"findings" is not an object';
    for (const f of FINDINGS) {
      const s = (o.findings as Record<string, unknown>)[f];
      if (s === undefined) continue;
      if (!FINDING_STATUSES.includes(s as FindingStatus)) return `finding "${f}" has unknown status ${JSON.stringify(s)}`;
      findings[f] = s as FindingStatus;
    }
  } else if (status === 'ok') {
    return 'an ok label without "findings"';
  }
  const evidence = Array.isArray(o.evidence) ? (o.evidence as LabelResult['evidence']) : [];
  const result: LabelResult = {
    status,
    findings,
    normal: status === 'ok' && isNormal(findings),
    evidence,
    engine: (o.engine as EngineInfo) ?? { name: 'unknown', version: '' },
  };
  if (Array.isArray(o.icd10)) result.icd10 = o.icd10 as Icd10Item[];
  if (typeof o.message === 'string') result.message = o.message;
  return result;
}

/** The join key of one JSONL record, in either of the two shapes. */
function jsonlKey(o: Record<string, unknown>): string | undefined {
  if (o.id !== undefined && o.id !== null && typeof o.id !== 'object') return String(o.id);
  if (o.ids && typeof o.ids === 'object' && !Array.isArray(o.ids)) {
    const values = Object.values(o.ids as Record<string, unknown>).map((x) => String(x).trim());
    if (values.length) return idKey(values);
  }
  if (typeof o.row === 'number') return String(o.row);
  return undefined;
}

export async function readJsonlLabels(path: string): Promise<LabelIndex> {
  if ((await fileSize(path)) === 0) throw new EmptyInputError(`The labels file "${path}"`);
  const index: LabelIndex = { byKey: new Map(), invalid: 0, invalidExamples: [], duplicateKeys: 0, format: 'jsonl', hasEvidence: true };
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    n++;
    if (!line.trim()) continue;
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(line) as Record<string, unknown>;
    } catch {
      invalid(index, `line ${n}`, 'not valid JSON');
      continue;
    }
    if (!o || typeof o !== 'object' || Array.isArray(o)) {
      invalid(index, `line ${n}`, 'not a JSON object');
      continue;
    }
    const key = jsonlKey(o);
    if (key === undefined) {
      invalid(index, `line ${n}`, 'no "id", "ids" or "row" to join on');
      continue;
    }
    // A nested `result` is read as well as the flat lines `label` writes.
    const result = asLabelResult('result' in o ? o.result : o, o.status);
    if (typeof result === 'string') invalid(index, `line ${n}`, result);
    else keep(index, key, result);
  }
  if (index.byKey.size === 0 && index.invalid === 0) throw new EmptyInputError(`The labels file "${path}"`);
  return index;
}

/** `J90 pleural effusion; J98.11 atelectasis` (output.ts's icd10 cell) back into items. */
export function parseIcd10Cell(cell: string): Icd10Item[] {
  return cell
    .split(';')
    .map((part) => part.trim())
    .filter(Boolean)
    .flatMap((part) => {
      const m = /^(\S+)\s+(.+)$/.exec(part);
      if (!m) return [];
      return [{ phrase: m[2].trim(), code: normaliseCode(m[1]), title: null, start: null, end: null, flags: [] }];
    });
}

export interface CsvLabelOptions {
  /** The id columns named for the reports (`--id-column`); empty to join on row numbers. */
  idColumns: string[];
  task: Task;
}

export async function readCsvLabels(path: string, options: CsvLabelOptions): Promise<LabelIndex> {
  const index: LabelIndex = { byKey: new Map(), invalid: 0, invalidExamples: [], duplicateKeys: 0, format: 'csv', hasEvidence: false };
  const engine: EngineInfo = { name: 'labels-csv', version: '' };
  const rows = readCsvRows(path);
  const first = await rows.next();
  if (first.done) throw new EmptyInputError(`The labels file "${path}"`);
  const header = first.value;
  const idNames = options.idColumns.flatMap((spec) => splitColumnSpec(header, spec));
  const idIdx = resolveColumnList(header, idNames, 'id');
  const statusIdx = resolveColumn(header, 'status', 'status');
  const columns = findingColumns(header);
  if (options.task !== 'icd10' && columns.size === 0) {
    throw new UsageError(`The labels file "${path}" has no finding columns (Atelectasis, Cardiomegaly, ...).`, 'Use the CSV written by "radreportx label" or the app\'s export, or the JSONL labels.');
  }
  const icdIdx = header.findIndex((h) => h.trim().toLowerCase() === 'icd10');
  if (options.task !== 'findings' && icdIdx < 0) {
    throw new UsageError(`The labels file "${path}" has no icd10 column, so it cannot make --task ${options.task} examples.`, 'Label with --task both, or build --task findings.');
  }
  let row = 0;
  for await (const fields of rows) {
    row++;
    const key = idIdx.length ? idKey(idIdx.map((i) => (fields[i] ?? '').trim())) : String(row);
    const status = (fields[statusIdx] ?? '').trim() as RowStatus;
    if (!ROW_STATUSES.includes(status)) {
      invalid(index, `row ${row}`, `unknown status "${fields[statusIdx] ?? ''}"`);
      continue;
    }
    if (status !== 'ok') {
      keep(index, key, { status, findings: emptyFindings(), normal: false, evidence: [], engine });
      continue;
    }
    const coded = statusesFromCodes(fields, columns);
    if (coded.bad.length) {
      invalid(index, `row ${row}`, `cells that are not CheXpert codes: ${coded.bad.slice(0, 3).join(', ')}`);
      continue;
    }
    const result: LabelResult = { status, findings: coded.findings, normal: isNormal(coded.findings), evidence: [], engine };
    if (icdIdx >= 0) result.icd10 = parseIcd10Cell(fields[icdIdx] ?? '');
    keep(index, key, result);
  }
  return index;
}

export async function readLabels(path: string, options: CsvLabelOptions): Promise<LabelIndex> {
  return labelFormat(path) === 'jsonl' ? readJsonlLabels(path) : readCsvLabels(path, options);
}
