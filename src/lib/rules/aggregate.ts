/**
 * Stage 5: one status per finding from the statuses of all its mentions, by CheXpert's precedence.
 */
import { FINDINGS, type Finding, type FindingStatus } from '../findings.ts';

/** Combines the status so far with one more mention's status. */
export function combineStatus(current: FindingStatus, next: FindingStatus): FindingStatus {
  // 1. Any positive mention makes the finding positive: a report that says "no effusion on the left; small
  //    effusion on the right" has an effusion.
  if (current === 'positive' || next === 'positive') return 'positive';
  // 2. Otherwise an uncertain mention beats a negative one: "no large effusion; possible small effusion" leaves
  //    the question open.
  if (current === 'uncertain' || next === 'uncertain') return 'uncertain';
  // 3. Otherwise any negative mention makes it negative.
  if (current === 'negative' || next === 'negative') return 'negative';
  // 4. A finding with no mention stays absent (blank in CheXpert's columns).
  return 'absent';
}

/** Per-finding status from (finding, status) pairs; findings never mentioned are `absent`. */
export function aggregate(mentions: Iterable<{ finding: Finding; status: FindingStatus }>): Record<Finding, FindingStatus> {
  const out = {} as Record<Finding, FindingStatus>;
  for (const f of FINDINGS) out[f] = 'absent';
  for (const { finding, status } of mentions) out[finding] = combineStatus(out[finding], status);
  return out;
}
