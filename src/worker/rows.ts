/** Converting between a full `LabelResult` and the compact row the app stores for each CSV row. */
import { FINDINGS, type Finding, type FindingStatus } from '../lib/findings.ts';
import type { EngineInfo, LabelResult } from '../lib/result.ts';
import type { RowDetail, StoredRow } from '../platform/storage/schema.ts';

const LETTER: Record<FindingStatus, string> = { positive: 'p', negative: 'n', uncertain: 'u', absent: 'a' };
const FROM_LETTER: Record<string, FindingStatus> = { p: 'positive', n: 'negative', u: 'uncertain', a: 'absent' };

/** 0 absent, 1 positive, 2 negative, 3 uncertain: the byte the results table keeps per cell. */
export const CODE_OF_LETTER: Record<string, number> = { a: 0, p: 1, n: 2, u: 3 };

export function toStored(ids: string[], result: LabelResult): StoredRow {
  const row: StoredRow = {
    ids,
    status: result.status,
    codes: FINDINGS.map((f) => LETTER[result.findings[f]]).join(''),
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
  const findings = Object.fromEntries(FINDINGS.map((f, i) => [f, FROM_LETTER[row.codes[i]] ?? 'absent'])) as Record<Finding, FindingStatus>;
  const result: LabelResult = { status: row.status, findings, normal: row.normal, evidence: detail?.evidence ?? [], engine };
  if (row.icd10) result.icd10 = row.icd10;
  if (row.message) result.message = row.message;
  if (detail?.raw !== undefined) result.raw = detail.raw;
  if (detail?.usage) result.usage = detail.usage;
  if (detail?.icd10Rejected) result.icd10Rejected = detail.icd10Rejected;
  return result;
}
