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
