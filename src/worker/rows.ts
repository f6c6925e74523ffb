/** Converting between a full `LabelResult` and the compact row the app stores for each CSV row. */
import { findingLetters, findingsFromLetters } from '../lib/findings.ts';
import type { EngineInfo, LabelResult } from '../lib/result.ts';
import type { RowDetail, StoredRow } from '../platform/storage/schema.ts';

export function toStored(ids: string[], result: LabelResult): StoredRow {
  const row: StoredRow = {
    ids,
    status: result.status,
    codes: findingLetters(result.findings),
    normal: result.normal,
    icd10: result.icd10,
  };
  if (result.message) row.message = result.message;
  return row;
}

export function toDetail(text: string, result: LabelResult): RowDetail {
  const detail: RowDetail = { text, evidence: result.evidence };
  if (result.raw !== undefined) detail.raw = result.raw;
  if (result.usage) detail.usage = result.usage;
  if (result.icd10Rejected?.length) detail.icd10Rejected = result.icd10Rejected;
  return detail;
}

/** Rebuilds the result of a stored row (with its evidence when the detail is given). */
export function fromStored(row: StoredRow, engine: EngineInfo, detail?: RowDetail): LabelResult {
  const result: LabelResult = { status: row.status, findings: findingsFromLetters(row.codes), normal: row.normal, evidence: detail?.evidence ?? [], engine };
  if (row.icd10) result.icd10 = row.icd10;
  if (row.message) result.message = row.message;
  if (detail?.raw !== undefined) result.raw = detail.raw;
  if (detail?.usage) result.usage = detail.usage;
  if (detail?.icd10Rejected) result.icd10Rejected = detail.icd10Rejected;
  return result;
}
