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
