/**
 * The labeled-row format shared by the CLI's `label` and the app's export, so either can be read by `evaluate`.
 * CSV: id columns, `findings`, `status`, [`icd10`], then one CheXpert-coded column per finding.
 */
import { CHEXPERT_CODE, FINDINGS, NORMAL } from './findings.ts';
import { positiveFindings, type LabelResult, type Task } from './result.ts';

export function outputColumns(idColumns: readonly string[], task: Task = 'findings'): string[] {
  const icd = task === 'findings' ? [] : ['icd10'];
  const findings = task === 'icd10' ? [] : [...FINDINGS];
  return [...idColumns, 'findings', 'status', ...icd, ...findings];
}

/** The `findings` cell: positive names joined by "; ", `Normal`, or blank for rows that were not labeled. */
export function findingsCell(result: LabelResult): string {
  if (result.status !== 'ok') return '';
  return result.normal ? NORMAL : positiveFindings(result).join('; ');
}

export function icd10Cell(result: LabelResult): string {
  return (result.icd10 ?? []).map((i) => `${i.code} ${i.phrase}`).join('; ');
}

/** One output row as strings, in the order of `outputColumns`. */
export function outputRecord(ids: readonly string[], result: LabelResult, task: Task = 'findings'): string[] {
  const icd = task === 'findings' ? [] : [icd10Cell(result)];
  const labeled = result.status === 'ok';
  const findings = task === 'icd10' ? [] : FINDINGS.map((f) => (labeled ? CHEXPERT_CODE[result.findings[f]] : ''));
  return [...ids, findingsCell(result), result.status, ...icd, ...findings];
}

/**
 * One JSONL line, the same from the CLI's `label` and the page's export: where the row came from, its labels,
 * the engine and version that made them, and the text the evidence offsets refer to (the columns as joined).
 */
export interface JsonlRecord {
  /** Data row number in the input, 1-based, header not counted. */
  row: number;
  ids: Record<string, string>;
  /** Present (true) on the second and later rows with an id already seen. */
  duplicateId?: true;
  status: LabelResult['status'];
  normal: boolean;
  findings: LabelResult['findings'];
  /** Present when the ICD-10 task ran. */
  icd10?: NonNullable<LabelResult['icd10']>;
  icd10Rejected?: LabelResult['icd10Rejected'];
  message?: string;
  evidence: LabelResult['evidence'];
  engine: LabelResult['engine'];
  raw?: string;
  usage?: LabelResult['usage'];
  /** The report text as labeled; evidence offsets index it. Blank for rows that could not be read. */
  text: string;
}

export interface RowSource {
  row: number;
  idNames: readonly string[];
  ids: readonly string[];
  text: string;
  duplicateId: boolean;
}

export function jsonlRecord(source: RowSource, result: LabelResult, task: Task = 'findings'): JsonlRecord {
  const record: JsonlRecord = {
    row: source.row,
    ids: Object.fromEntries(source.idNames.map((name, i) => [name, source.ids[i] ?? ''])),
    ...(source.duplicateId ? { duplicateId: true as const } : {}),
    status: result.status,
    normal: result.normal,
    findings: result.findings,
    evidence: result.evidence,
    engine: result.engine,
    text: source.text,
  };
  if (task !== 'findings') record.icd10 = result.icd10 ?? [];
  if (result.icd10Rejected?.length) record.icd10Rejected = result.icd10Rejected;
  if (result.message) record.message = result.message;
  if (result.raw !== undefined) record.raw = result.raw;
  if (result.usage) record.usage = result.usage;
  return reorder(record);
}

// One key order for every line, so two exports of the same labels are byte-identical.
const ORDER: (keyof JsonlRecord)[] = ['row', 'ids', 'duplicateId', 'status', 'normal', 'findings', 'icd10', 'icd10Rejected', 'message', 'evidence', 'engine', 'raw', 'usage', 'text'];
function reorder(r: JsonlRecord): JsonlRecord {
  return Object.fromEntries(ORDER.filter((k) => r[k] !== undefined).map((k) => [k, r[k]])) as unknown as JsonlRecord;
}

/** Flags ids seen before: the second and later rows with one id. Blank ids never count. */
export class DuplicateIds {
  readonly #seen = new Set<string>();
  count = 0;

  /** True when this row's id was seen on an earlier row. */
  check(ids: readonly string[]): boolean {
    if (ids.length === 0) return false;
    const key = ids.length === 1 ? ids[0] : JSON.stringify(ids);
    if (key === '' || ids.every((v) => v === '')) return false;
    if (this.#seen.has(key)) {
      this.count++;
      return true;
    }
    this.#seen.add(key);
    return false;
  }
}
