/** Which rows of a results table pass the filters: a plain loop over typed arrays, fast at 100,000 rows. */
import { FINDINGS, STATUS_BYTE } from '../lib/findings.ts';
import { ROW_STATUSES, type RowStatus } from '../lib/result.ts';
import type { ResultsTable } from '../worker/api.ts';

/** `all`, `normal`, or a finding name. */
export type FindingFilter = 'all' | 'normal' | (typeof FINDINGS)[number];
export type StatusFilter = 'any' | 'positive' | 'negative' | 'uncertain' | 'absent';
export type RowStatusFilter = 'any' | RowStatus;

export function filterRows(table: ResultsTable | undefined, finding: FindingFilter, status: StatusFilter, rowStatus: RowStatusFilter): Int32Array {
  if (!table) return new Int32Array(0);
  const out = new Int32Array(table.rows);
  const wantRow = rowStatus === 'any' ? -1 : ROW_STATUSES.indexOf(rowStatus);
  const f = finding === 'all' || finding === 'normal' ? -1 : FINDINGS.indexOf(finding);
  const cell = status === 'any' ? -1 : STATUS_BYTE[status];
  const n = FINDINGS.length;
  let count = 0;
  for (let r = 0; r < table.rows; r++) {
    if (wantRow >= 0 && table.status[r] !== wantRow) continue;
    if (finding === 'normal' && !table.normal[r]) continue;
    if (f >= 0 && cell >= 0 && table.codes[r * n + f] !== cell) continue;
    out[count++] = r;
  }
  return out.subarray(0, count);
}


/**
 * Rows of an ICD-10 job that have the code (or any code when `code` is ''), and whose codes, phrases or titles
 * contain every word of `query` (case-insensitive).
 */
export function filterIcd10Rows(table: ResultsTable | undefined, code: string, query: string): Int32Array {
  if (!table) return new Int32Array(0);
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const out = new Int32Array(table.rows);
  let count = 0;
  for (let r = 0; r < table.rows; r++) {
    const codes = table.icd10Codes[r];
    if (!codes) continue;
    if (code && !` ${codes} `.includes(` ${code} `)) continue;
    if (words.length && !words.every((w) => table.icd10Text[r].includes(w))) continue;
    out[count++] = r;
  }
  return out.subarray(0, count);
}
