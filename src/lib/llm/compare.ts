/** Rules against the LLM on one report: where their labels differ, finding by finding and code by code. */
import { FINDINGS, type Finding, type FindingStatus } from '../findings.ts';
import type { LabelResult } from '../result.ts';

export interface FindingComparison {
  finding: Finding;
  left: FindingStatus;
  right: FindingStatus;
  agree: boolean;
}

export interface Comparison {
  rows: FindingComparison[];
  disagreements: number;
  normal: { left: boolean; right: boolean; agree: boolean };
  /** ICD-10 codes only one side found. */
  codesOnlyLeft: string[];
  codesOnlyRight: string[];
  /** False when either side did not label (empty, error, unparsed): its `absent`s mean nothing. */
  comparable: boolean;
}

export function compareResults(left: LabelResult, right: LabelResult): Comparison {
  const rows = FINDINGS.map((finding) => {
    const l = left.findings[finding];
    const r = right.findings[finding];
    return { finding, left: l, right: r, agree: l === r };
  });
  const codes = (x: LabelResult) => new Set((x.icd10 ?? []).map((i) => i.code));
  const lc = codes(left);
  const rc = codes(right);
  return {
    rows,
    disagreements: rows.filter((x) => !x.agree).length,
    normal: { left: left.normal, right: right.normal, agree: left.normal === right.normal },
    codesOnlyLeft: [...lc].filter((c) => !rc.has(c)).sort(),
    codesOnlyRight: [...rc].filter((c) => !lc.has(c)).sort(),
    comparable: left.status === 'ok' && right.status === 'ok',
  };
}

/** The columns of a stored job's results (the worker's ResultsTable): `codes[row * 13 + f]` 0 absent, 1 positive, 2 negative, 3 uncertain; `status` 0 is ok. */
export interface TableLike {
  rows: number;
  labels: string[];
  status: Uint8Array;
  codes: Uint8Array;
}

const CODE_STATUS: FindingStatus[] = ['absent', 'positive', 'negative', 'uncertain'];

export interface TableComparison {
  /** Rows labeled `ok` by both jobs: the only ones compared. */
  compared: number;
  /** Rows where either job has no labels (empty, error, unparsed), or that only one job has. */
  skipped: number;
  perFinding: { finding: Finding; disagreements: number; agreement: number }[];
  /** Rows with at least one disagreement, first `limit` of them, with the findings that differ. */
  rows: { row: number; label: string; differences: { finding: Finding; left: FindingStatus; right: FindingStatus }[] }[];
  rowsWithDisagreement: number;
}

/** Two jobs over the same file, finding by finding: how often they agree, and the rows where they do not. */
export function compareTables(left: TableLike, right: TableLike, limit = 50): TableComparison {
  const n = Math.min(left.rows, right.rows);
  const counts = FINDINGS.map(() => 0);
  const rows: TableComparison['rows'] = [];
  let compared = 0;
  let rowsWithDisagreement = 0;
  for (let row = 0; row < n; row++) {
    if (left.status[row] !== 0 || right.status[row] !== 0) continue;
    compared++;
    const differences: TableComparison['rows'][number]['differences'] = [];
    FINDINGS.forEach((finding, f) => {
      const a = left.codes[row * FINDINGS.length + f];
      const b = right.codes[row * FINDINGS.length + f];
      if (a !== b) {
        counts[f]++;
        differences.push({ finding, left: CODE_STATUS[a] ?? 'absent', right: CODE_STATUS[b] ?? 'absent' });
      }
    });
    if (differences.length) {
      rowsWithDisagreement++;
      if (rows.length < limit) rows.push({ row, label: left.labels[row] ?? String(row + 1), differences });
    }
  }
  return {
    compared,
    skipped: Math.max(left.rows, right.rows) - compared,
    perFinding: FINDINGS.map((finding, f) => ({ finding, disagreements: counts[f], agreement: compared ? 1 - counts[f] / compared : 1 })),
    rows,
    rowsWithDisagreement,
  };
}
