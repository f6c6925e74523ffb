/**
 * The answer a model should give for a labeled report: the training target built from weak labels. It is the
 * inverse of parse.ts, so `parseAnswers(requests, formatAnswers(requests, r, text), text)` gives back r's labels.
 */
import { FINDINGS, type FindingStatus } from '../findings.ts';
import type { Evidence, LabelResult } from '../result.ts';
import type { PromptRequest } from './profiles.ts';

// Answer tokens are the LLM's cost: quotes stay at a few words (negated findings carry none, see schema.ts).
const MAX_EVIDENCE_WORDS = 4;

/** The shortest quote that carries the status: "possible pneumonia" for an uncertain mention, else the mention. */
function evidenceQuote(report: string, e: Evidence): string {
  const mention = e.mention.text;
  if (e.trigger && e.trigger.kind !== 'model' && e.trigger.start < e.mention.start) {
    const quote = report.slice(e.trigger.start, e.mention.end).replace(/\s+/g, ' ').trim();
    if (quote.split(' ').length <= MAX_EVIDENCE_WORDS) return quote;
  }
  return mention.replace(/\s+/g, ' ').trim().split(' ').slice(0, MAX_EVIDENCE_WORDS).join(' ');
}

function jsonAnswer(request: PromptRequest, result: LabelResult, report: string): string {
  const answer: Record<string, unknown> = {};
  if (request.task !== 'icd10') {
    const withStatus = (status: FindingStatus) => FINDINGS.filter((f) => result.findings[f] === status);
    const quoted = (status: FindingStatus) =>
      withStatus(status).map((f) => {
        const e = result.evidence.find((x) => x.finding === f && x.status === status);
        return { name: f, evidence: e ? evidenceQuote(report, e) : '' };
      });
    answer.positive = quoted('positive');
    answer.uncertain = quoted('uncertain');
    answer.negative = withStatus('negative');
  }
  if (request.task !== 'findings') answer.icd10 = (result.icd10 ?? []).map((i) => ({ phrase: i.phrase, code: i.code }));
  return JSON.stringify(answer);
}

/** A phrase as Python's repr writes it, the way the authors' examples quote phrases. */
function pyQuote(s: string): string {
  if (s.includes("'") && !s.includes('"')) return `"${s}"`;
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * The released model's answer shapes: the findings list (`[Cardiomegaly, Pleural Effusion]`), or the ICD-10
 * phrase list and its reason line, as in the authors' prompt examples.
 */
function releaseAnswer(request: PromptRequest, result: LabelResult): string {
  if (request.task === 'icd10') {
    const items = result.icd10 ?? [];
    const list = `[${items.map((i) => pyQuote(i.phrase)).join(', ')}]`;
    return items.length ? `${list}\nThe reason is: ${items.map((i) => `${pyQuote(i.phrase)} (${i.code})`).join(', ')}` : list;
  }
  return `[${FINDINGS.filter((f) => result.findings[f] === 'positive').join(', ')}]`;
}

/** One answer string per request. Only `ok` results make targets; callers drop the others. */
export function formatAnswers(requests: PromptRequest[], result: LabelResult, report: string): string[] {
  if (result.status !== 'ok') throw new Error(`Cannot build a training answer from a result with status ${result.status}.`);
  return requests.map((r) => (r.profile === 'json' ? jsonAnswer(r, result, report) : releaseAnswer(r, result)));
}
