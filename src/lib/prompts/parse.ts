/**
 * Turns raw model answers into the one LabelResult. Lenient about form (code fences, quotes, bullets, case, plural
 * and misspelled names), strict about meaning: an answer that cannot be read becomes `unparsed` with the raw text
 * kept, never a silent `Normal`. The `release` shapes are read by release-parse.ts, the `json` shape here.
 */
import { STATUS_RANK, emptyFindings, normaliseFindingName, statusFromWord, type Finding, type FindingStatus } from '../findings.ts';
import { icd10Lexicon } from '../icd10/lexicon.ts';
import { defaultCoding, resolveItems } from '../icd10/resolve.ts';
import { validateIcd10 } from '../icd10/validate.ts';
import { locate } from '../locate.ts';
import { failedResult, isBlankReport, isNormal, type EngineInfo, type Evidence, type Icd10Item, type Icd10Rejected, type LabelResult } from '../result.ts';
import { lookupPhraseCode } from './lookup.ts';
import type { PromptRequest } from './profiles.ts';
import { AnswerFormatError as ParseFailure } from '../errors.ts';
import { parseReleaseFindings, parseReleaseIcd10 } from './release-parse.ts';

/** What one answer says, before it is merged with the other answers for the same report. */
interface Parsed {
  findings?: { name: Finding; status: Exclude<FindingStatus, 'absent'>; evidence?: string }[];
  /** `code` is missing when the model gave none (the release shape without a reason line). */
  icd10?: { phrase: string; code?: string }[];
  /** Names or entries that were dropped, for the result's message. */
  dropped: string[];
  /** Other notes for the result's message (reasons for phrases the list does not hold). */
  notes?: string[];
}

const stripFences = (raw: string) => raw.replace(/```[a-zA-Z]*\s*/g, '').replace(/```/g, '').trim();

/** The first balanced `{ ... }` block in `s` (strings respected), or undefined when it never closes. */
function balancedObject(s: string): string | undefined {
  const [open, close] = ['{', '}'];
  const start = s.indexOf(open);
  if (start < 0) return undefined;
  let depth = 0;
  let quote: string | null = null;
  for (let i = start; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
    } else if (c === '"') quote = c;
    else if (c === open) depth++;
    else if (c === close && --depth === 0) return s.slice(start, i + 1);
  }
  return undefined;
}

const GROUPS = ['positive', 'uncertain', 'negative'] as const;

function parseRelease(raw: string, request: PromptRequest): Parsed {
  if (request.task === 'findings') {
    const a = parseReleaseFindings(raw);
    const findings: NonNullable<Parsed['findings']> = a.findings.map((name) => {
      // Evidence quotes are located later; the first quote for the finding is its evidence.
      const quote = a.quotes.find((q) => q.finding === name);
      return { name, status: 'positive', evidence: quote?.text };
    });
    return { findings, dropped: a.unknown };
  }
  const a = parseReleaseIcd10(raw);
  const notes = a.extraReasons.length ? [`the reason line also codes phrases the list does not hold (${a.extraReasons.map((r) => `${r.phrase} ${r.code}`).slice(0, 3).join(', ')})`] : [];
  return { icd10: a.items, dropped: [], notes };
}


function parseJsonAnswer(raw: string, request: PromptRequest): Parsed {
  const text = stripFences(raw);
  const block = balancedObject(text);
  if (block === undefined) throw new ParseFailure(text.includes('{') ? 'the JSON never closes (truncated answer?)' : 'no JSON object in the answer');
  let obj: unknown;
  try {
    obj = JSON.parse(block);
  } catch {
    try {
      obj = JSON.parse(block.replace(/,\s*([}\]])/g, '$1'));
    } catch (e) {
      throw new ParseFailure(`invalid JSON (${(e as Error).message})`);
    }
  }
  if (!obj || typeof obj !== 'object') throw new ParseFailure('the answer is not a JSON object');
  const o = obj as Record<string, unknown>;
  const wantsFindings = request.task !== 'icd10';
  const wantsIcd = request.task !== 'findings';
  // The schema's grouped form ({positive, uncertain, negative}); a plain "findings" list of {name, status} is read too.
  const grouped = GROUPS.some((g) => Array.isArray(o[g]));
  const hasFindings = grouped || Array.isArray(o.findings);
  if (wantsFindings && !wantsIcd && !hasFindings) throw new ParseFailure('the JSON has no findings lists');
  if (wantsIcd && !wantsFindings && !Array.isArray(o.icd10)) throw new ParseFailure('the JSON has no "icd10" list');
  if (wantsFindings && wantsIcd && !hasFindings && !Array.isArray(o.icd10)) throw new ParseFailure('the JSON has neither findings nor "icd10" lists');
  const parsed: Parsed = { dropped: [] };
  if (wantsFindings) {
    const entries: [unknown, string | undefined][] = grouped
      ? GROUPS.flatMap((g) => ((Array.isArray(o[g]) ? o[g] : []) as unknown[]).map((e): [unknown, string] => [e, g]))
      : ((o.findings as unknown[] | undefined) ?? []).map((e): [unknown, undefined] => [e, undefined]);
    parsed.findings = [];
    for (const [e, group] of entries) {
      const entry = (typeof e === 'string' ? { name: e } : e) as Record<string, unknown> | null;
      const name = entry && typeof entry.name === 'string' ? normaliseFindingName(entry.name) : undefined;
      const status = entry ? statusFromWord(String(group ?? entry.status ?? 'positive')) : undefined;
      if (!name || !status) {
        parsed.dropped.push(JSON.stringify(e));
        continue;
      }
      const evidence = typeof entry?.evidence === 'string' && entry.evidence.trim() ? entry.evidence.trim() : undefined;
      parsed.findings.push({ name, status, evidence });
    }
  }
  if (wantsIcd) {
    parsed.icd10 = [];
    for (const e of (o.icd10 as unknown[] | undefined) ?? []) {
      const entry = e as Record<string, unknown> | null;
      if (entry && typeof entry.phrase === 'string' && typeof entry.code === 'string') parsed.icd10.push({ phrase: entry.phrase, code: entry.code });
      else parsed.dropped.push(JSON.stringify(e));
    }
  }
  return parsed;
}

function parseOne(request: PromptRequest, raw: string): Parsed {
  return request.profile === 'json' ? parseJsonAnswer(raw, request) : parseRelease(raw, request);
}

/**
 * Validates the phrases against the code table and the report. A phrase without a code gets the lexicon's code,
 * flagged `looked_up`; one the lexicon cannot code either is rejected with the reason.
 */
function checkIcd10(items: readonly { phrase: string; code?: string }[], report: string): { items: Icd10Item[]; rejected: Icd10Rejected[] } {
  const out: Icd10Item[] = [];
  const rejected: Icd10Rejected[] = [];
  const seen = new Set<string>();
  for (const item of items) {
    let code = item.code;
    const lookedUp = code === undefined;
    if (lookedUp) {
      code = lookupPhraseCode(item.phrase);
      if (!code) {
        rejected.push({ phrase: item.phrase, code: '', reason: 'The answer gave no code, and the ICD-10 lexicon has none for this phrase.' });
        continue;
      }
    }
    const v = validateIcd10([{ phrase: item.phrase, code: code! }], report);
    rejected.push(...v.rejected);
    for (const i of v.items) {
      const key = `${i.code}|${i.phrase.toLowerCase().replace(/\s+/g, ' ')}`;
      if (seen.has(key)) {
        rejected.push({ phrase: item.phrase, code: i.code, reason: `Duplicate of an earlier item (${i.code} "${i.phrase}").` });
        continue;
      }
      seen.add(key);
      if (lookedUp) i.flags.push('looked_up');
      out.push(i);
    }
  }
  // The coder's post-processing the rule engine applies too: one item per code with its other phrases as
  // `supporting`, no Excludes1 pair, an unspecified code folded into a specific one of the same condition. The
  // items stay in the answer's order (of each code's first phrase), not the report's.
  const resolved = resolveItems(out, defaultCoding(), icd10Lexicon().table);
  const firstIndex = (r: Icd10Item) => {
    const starts = new Set([r.start, ...(r.supporting ?? []).map((s) => s.start)]);
    const i = out.findIndex((o) => o.code === r.code || (o.start !== null && starts.has(o.start)));
    return i < 0 ? out.length : i;
  };
  const order = new Map(resolved.map((r) => [r, firstIndex(r)]));
  return { items: resolved.sort((a, b) => order.get(a)! - order.get(b)!), rejected };
}

export interface ParseOptions {
  uncertainAsPositive?: boolean;
  usage?: LabelResult['usage'];
}

/**
 * One LabelResult from the answers to `requests` (same order). Findings the answer does not list stay `absent`.
 */
export function parseAnswers(
  requests: PromptRequest[],
  raws: string[],
  report: string,
  engine: EngineInfo,
  options: ParseOptions = {},
): LabelResult {
  const raw = raws.length === 1 ? raws[0] : JSON.stringify(raws);
  if (isBlankReport(report)) return failedResult('empty', engine, 'The report is empty.');
  const parts: Parsed[] = [];
  for (let i = 0; i < requests.length; i++) {
    try {
      parts.push(parseOne(requests[i], raws[i] ?? ''));
    } catch (e) {
      if (!(e instanceof ParseFailure)) throw e;
      return failedResult('unparsed', engine, `The model's answer could not be read: ${e.message}.`, { raw, usage: options.usage });
    }
  }
  const findings = emptyFindings();
  const evidence: Evidence[] = [];
  const covered = requests.some((r) => r.task !== 'icd10');
  for (const p of parts) {
    for (const f of p.findings ?? []) {
      // Listed twice: positive beats uncertain beats negative (CheXpert's order).
      if (STATUS_RANK[f.status] > STATUS_RANK[findings[f.name]]) findings[f.name] = f.status;
      const span = f.evidence ? locate(report, f.evidence) : undefined;
      if (span) evidence.push({ finding: f.name, status: f.status, mention: span, trigger: { ...span, kind: 'model' } });
    }
  }
  const result: LabelResult = {
    status: 'ok',
    findings,
    normal: covered && isNormal(findings, options),
    evidence,
    engine,
    raw,
    usage: options.usage,
  };
  if (requests.some((r) => r.task !== 'findings')) {
    const { items, rejected } = checkIcd10(parts.flatMap((p) => p.icd10 ?? []), report);
    result.icd10 = items;
    if (rejected.length) result.icd10Rejected = rejected;
  }
  const dropped = parts.flatMap((p) => p.dropped);
  const notes = parts.flatMap((p) => p.notes ?? []);
  if (dropped.length) notes.unshift(`Ignored ${dropped.length} unrecognised answer item(s): ${dropped.slice(0, 3).join(', ')}`);
  if (notes.length) result.message = notes.join('; ');
  return result;
}
