/**
 * Which mention to show for a finding: the one that decided its status (`role: 'decisive'`, set by the rule
 * engine), else the first mention whose status is the finding's status (engines that do not mark roles). The rest
 * are secondary. "No pleural effusion on the left. Small right pleural effusion." shows the right effusion.
 */
import type { Finding } from './findings.ts';
import type { Evidence, LabelResult } from './result.ts';

export interface FindingEvidence {
  decisive: Evidence;
  secondary: Evidence[];
}

export function evidenceByFinding(result: Pick<LabelResult, 'evidence' | 'findings'>): Map<Finding, FindingEvidence> {
  const out = new Map<Finding, FindingEvidence>();
  const all = new Map<Finding, Evidence[]>();
  for (const e of result.evidence) {
    const list = all.get(e.finding);
    if (list) list.push(e);
    else all.set(e.finding, [e]);
  }
  for (const [finding, list] of all) {
    const decisive = list.find((e) => e.role === 'decisive') ?? list.find((e) => e.status === result.findings[finding]) ?? list[0];
    out.set(finding, { decisive, secondary: list.filter((e) => e !== decisive) });
  }
  return out;
}
