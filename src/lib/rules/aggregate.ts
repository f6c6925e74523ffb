/**
 * Stage 5: one status per finding from the statuses of all its mentions, by CheXpert's precedence, with one
 * refinement: a question or a past history ("evaluate for pneumothorax", "history of pneumonia") is weaker than
 * anything the report states about the image, so "Evaluate for pneumothorax. No pneumothorax." is negative.
 */
import { FINDINGS, type Finding, type FindingStatus } from '../findings.ts';
import type { TriggerKind } from '../result.ts';

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

export interface AggregatedMention {
  finding: Finding;
  status: FindingStatus;
  trigger?: { kind: TriggerKind };
}

// Kinds whose uncertainty only stands when nothing else is said about the finding: the question was asked, or
// the finding was there once; the answer or the current image decides.
const WEAK: ReadonlySet<TriggerKind> = new Set(['hypothetical', 'historical']);

/** Precedence of one mention: positive 4, uncertain 3, negative 2, a question or history 1, none 0. */
export function mentionRank(m: Pick<AggregatedMention, 'status' | 'trigger'>): number {
  switch (m.status) {
    case 'positive':
      return 4;
    case 'uncertain':
      return m.trigger && WEAK.has(m.trigger.kind) ? 1 : 3;
    case 'negative':
      return 2;
    default:
      return 0;
  }
}

// Copied for each report (a copy of a fixed object is cheaper than setting 13 keys one by one).
const ALL_ABSENT = Object.fromEntries(FINDINGS.map((f) => [f, 'absent'])) as Record<Finding, FindingStatus>;

/**
 * Per-finding status from the mentions, and which mention decided it: the first one of the highest precedence
 * (index into `mentions`). Findings never mentioned are `absent` and have no deciding mention.
 */
export function decide(mentions: readonly AggregatedMention[]): { findings: Record<Finding, FindingStatus>; decisive: Map<Finding, number> } {
  const findings = { ...ALL_ABSENT };
  const decisive = new Map<Finding, number>();
  const rank = new Map<Finding, number>();
  mentions.forEach((m, i) => {
    const r = mentionRank(m);
    if (r > (rank.get(m.finding) ?? 0)) {
      rank.set(m.finding, r);
      decisive.set(m.finding, i);
      findings[m.finding] = m.status;
    }
  });
  return { findings, decisive };
}

/** Per-finding status from (finding, status[, trigger]) mentions; findings never mentioned are `absent`. */
export function aggregate(mentions: Iterable<AggregatedMention>): Record<Finding, FindingStatus> {
  return decide([...mentions]).findings;
}
