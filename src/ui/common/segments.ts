/**
 * Splits a report into runs of text for highlighting evidence: each run knows which mentions and triggers cover
 * it. Pure, so the page renders the runs as plain text nodes (report text is untrusted and never parsed as HTML).
 */
import type { Evidence, TriggerKind } from '../../lib/result.ts';

export interface Mark {
  finding: string;
  status: Evidence['status'];
}

export interface Segment {
  start: number;
  text: string;
  mentions: Mark[];
  triggers: (Mark & { kind: TriggerKind })[];
}

export function segments(text: string, evidence: readonly Evidence[]): Segment[] {
  const spans: { start: number; end: number; mention?: Mark; trigger?: Mark & { kind: TriggerKind } }[] = [];
  const valid = (s: number, e: number) => Number.isInteger(s) && Number.isInteger(e) && s >= 0 && e > s && e <= text.length;
  for (const ev of evidence) {
    const mark = { finding: ev.finding, status: ev.status };
    if (valid(ev.mention.start, ev.mention.end)) spans.push({ start: ev.mention.start, end: ev.mention.end, mention: mark });
    if (ev.trigger && valid(ev.trigger.start, ev.trigger.end)) {
      spans.push({ start: ev.trigger.start, end: ev.trigger.end, trigger: { ...mark, kind: ev.trigger.kind } });
    }
  }
  const cuts = [...new Set([0, text.length, ...spans.flatMap((s) => [s.start, s.end])])].sort((a, b) => a - b);
  const out: Segment[] = [];
  for (let i = 0; i + 1 < cuts.length; i++) {
    const [start, end] = [cuts[i], cuts[i + 1]];
    const covering = spans.filter((s) => s.start <= start && s.end >= end);
    out.push({
      start,
      text: text.slice(start, end),
      mentions: dedupe(covering.flatMap((s) => (s.mention ? [s.mention] : []))),
      triggers: dedupe(covering.flatMap((s) => (s.trigger ? [s.trigger] : []))),
    });
  }
  return out;
}

function dedupe<T extends Mark>(marks: T[]): T[] {
  const seen = new Set<string>();
  return marks.filter((m) => {
    const key = `${m.finding}|${m.status}|${'kind' in m ? m.kind : ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
