/**
 * Readers for the released RadReportX's two answer shapes (and GPT-4o's answers to the paper's teacher prompt,
 * which have the ICD-10 shape). Pure functions of the raw answer text; parse.ts turns what they read into a
 * LabelResult against the report. Lenient about form, strict about meaning: anything they cannot read throws
 * `AnswerFormatError`, which becomes `unparsed` with the raw text kept, never a silent Normal.
 *
 * Findings (inference.py reads the first line of the answer, which must be `[...]`):
 *   [Cardiomegaly, Pleural Effusion]
 *   Evidence:
 *   - Cardiomegaly: "The heart is enlarged."
 * ICD-10 (the prompt's examples; the reason line may be missing, see ../shared/reference/README.md):
 *   ['Bibasilar atelectasis', 'Enlarged cardiac silhouette']
 *   The reason is: 'Bibasilar atelectasis' (J98.11), 'Enlarged cardiac silhouette' (I51.7)
 */
import { AnswerFormatError } from '../errors.ts';
import { isNormalName, normaliseFindingName, type Finding } from '../findings.ts';

/** What a findings answer says. */
export interface ReleaseFindingsAnswer {
  /** The listed findings, normalised to the 13 names, in answer order, each once. */
  findings: Finding[];
  /** Listed names that are none of the 13 (misspelled past recognition, or another disease). */
  unknown: string[];
  /** The text after `Evidence:`, as written; undefined when the answer has no evidence block. */
  evidenceText?: string;
  /** Anything else after the list (chatter), as written. */
  trailing?: string;
  /** Quotes in the evidence block, with the finding their line names when it names one. */
  quotes: { finding?: Finding; text: string }[];
}

/** One listed phrase; `code` is the model's own, from a reason, when it gave one. */
export interface ReleasePhrase {
  phrase: string;
  code?: string;
}

/** What an ICD-10 answer says. */
export interface ReleaseIcd10Answer {
  items: ReleasePhrase[];
  /** Whether the answer has a `The reason is:` line. */
  reasonLine: boolean;
  /** Reasons naming a phrase that is not in the list (not used as items; reported). */
  extraReasons: { phrase: string; code: string }[];
}

/**
 * The generated text only: code fences removed, cut at a stop token that a runtime left in the text, other special
 * tokens dropped.
 */
export function cleanAnswer(raw: string): string {
  let text = raw;
  const stop = text.search(/<\|(?:eot_id|end_of_text)\|>/);
  if (stop >= 0) text = text.slice(0, stop);
  return text
    .replace(/<\|[a-z_]+\|>/g, '')
    .replace(/```[a-zA-Z]*[ \t]*/g, '')
    .replace(/\r\n?/g, '\n');
}

// A label the model may echo before its answer: "Expected Output:", "Output:", "Answer:".
const ECHO_LABEL = /^\s*(?:\*\*)?(?:expected\s+output|output|answer|result)(?:\*\*)?\s*:\s*(?:\*\*)?\s*/i;

interface ListScan {
  /** The items, quotes removed, as written otherwise. */
  items: string[];
  /** Index just after the closing `]`. */
  end: number;
}

/**
 * Reads a Python- or JSON-style list of strings starting at `text[start] === '['`: quoted items (either quote; an
 * apostrophe inside a single-quoted item is kept when what follows it is not `,` or `]`) and unquoted items
 * (up to the next comma). Returns undefined when the list never closes.
 */
function scanList(text: string, start: number): ListScan | undefined {
  const items: string[] = [];
  let i = start + 1;
  const skipSpace = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  for (;;) {
    skipSpace();
    if (i >= text.length) return undefined;
    const c = text[i];
    if (c === ']') return { items, end: i + 1 };
    if (c === ',') {
      i++;
      continue;
    }
    const closing = c === "'" ? "'" : c === '"' ? '"' : c === '“' ? '”' : c === '‘' ? '’' : undefined;
    if (closing) {
      let j = i + 1;
      let value = '';
      for (;;) {
        if (j >= text.length) return undefined;
        const d = text[j];
        if (d === '\\' && j + 1 < text.length) {
          value += text[j + 1];
          j += 2;
          continue;
        }
        if (d === closing) {
          let k = j + 1;
          while (k < text.length && /[ \t]/.test(text[k])) k++;
          // A quote followed by `,`, `]` or a line end closes the item; otherwise it is an apostrophe (patient's).
          if (k >= text.length || text[k] === ',' || text[k] === ']' || text[k] === '\n' || closing === '"' || closing === '”') {
            j++;
            break;
          }
        }
        if (d === '\n') return undefined;
        value += d;
        j++;
      }
      items.push(value);
      i = j;
      continue;
    }
    // Unquoted: up to the next comma or the closing bracket on this line.
    let j = i;
    while (j < text.length && text[j] !== ',' && text[j] !== ']' && text[j] !== '\n') j++;
    if (j >= text.length || text[j] === '\n') return undefined;
    items.push(text.slice(i, j));
    i = j;
  }
}

/** An item's text with bullets, numbering, stray quotes and a final full stop removed. */
function cleanItem(item: string): string {
  return item
    .replace(/^\s*(?:[-*•]|\d+[.)])\s+/, '')
    .replace(/^["'`“”‘’]+|["'`“”‘’]+$/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[.;:]+$/, '')
    .trim();
}

/** Where the answer's list starts: the first non-empty line (after an echoed "Output:" label) must hold it. */
function listStart(text: string, what: string): number {
  const lines = text.split('\n');
  let offset = 0;
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n];
    if (!line.trim()) {
      offset += line.length + 1;
      continue;
    }
    const echo = ECHO_LABEL.exec(line);
    const rest = echo ? line.slice(echo[0].length) : line;
    if (echo && !rest.trim()) {
      // "Expected Output:" alone on its line: the answer is on the next one.
      offset += line.length + 1;
      continue;
    }
    const at = rest.indexOf('[');
    if (at < 0) throw new AnswerFormatError(`the first line of the answer is not a ${what} list in [brackets] ("${line.trim().slice(0, 60)}")`);
    return offset + (echo ? echo[0].length : 0) + at;
  }
  throw new AnswerFormatError('the answer is empty');
}

const FINDING_AT_LINE_START = /^\s*(?:[-*•]|\d+[.)])?\s*\**\s*([A-Za-z][A-Za-z \-]{2,40}?)\s*\**\s*[:\-–]/;
const QUOTE = /"([^"\n]{3,})"|“([^”\n]{3,})”|(?<![A-Za-z])'([^'\n]{3,}?)'(?![A-Za-z])/g;

/** Quotes in the evidence block, each with the finding its line names (`- Cardiomegaly: "..."`), if any. */
function evidenceQuotes(evidence: string, listed: readonly Finding[]): ReleaseFindingsAnswer['quotes'] {
  const quotes: ReleaseFindingsAnswer['quotes'] = [];
  for (const line of evidence.split('\n')) {
    if (!line.trim()) continue;
    const head = FINDING_AT_LINE_START.exec(line);
    let finding = head ? normaliseFindingName(head[1]) : undefined;
    // A line that names no finding at its start may still mention one ("The heart is enlarged (Cardiomegaly)").
    finding ??= listed.find((f) => line.toLowerCase().includes(f.toLowerCase()));
    const found = [...line.matchAll(QUOTE)].map((m) => (m[1] ?? m[2] ?? m[3]).trim().replace(/[.,;]$/, '')).filter(Boolean);
    if (found.length) for (const text of found) quotes.push({ finding, text });
    else if (head && finding) {
      // `- Cardiomegaly: The heart is enlarged.`: the text after the name is the quote.
      const text = line.slice(head[0].length).trim().replace(/\.$/, '');
      if (text) quotes.push({ finding, text });
    }
  }
  return quotes;
}

/** Reads a findings answer; throws AnswerFormatError when it cannot. */
export function parseReleaseFindings(raw: string): ReleaseFindingsAnswer {
  const text = cleanAnswer(raw);
  if (!text.trim()) throw new AnswerFormatError('the answer is empty');
  const start = listStart(text, 'findings');
  const list = scanList(text, start);
  // A list cut off by the token limit is not guessed at.
  if (!list) throw new AnswerFormatError('the findings list never closes (truncated answer?)');
  const findings: Finding[] = [];
  const unknown: string[] = [];
  for (const item of list.items) {
    const name = cleanItem(item);
    if (!name) continue;
    const f = normaliseFindingName(name);
    if (f) {
      if (!findings.includes(f)) findings.push(f);
    } else if (!isNormalName(name) && !unknown.includes(name)) unknown.push(name);
  }
  if (!findings.length && unknown.length) throw new AnswerFormatError(`no finding names in the list (saw ${unknown.slice(0, 3).join(', ')})`);
  const after = text.slice(list.end);
  const header = /(?:^|\n)\s*(?:\*\*)?evidence(?:\*\*)?\s*:?(?:\*\*)?/i.exec(after);
  const answer: ReleaseFindingsAnswer = { findings, unknown, quotes: [] };
  if (header) {
    const before = after.slice(0, header.index).trim();
    if (before) answer.trailing = before;
    answer.evidenceText = after.slice(header.index + header[0].length).trim();
    answer.quotes = evidenceQuotes(answer.evidenceText, findings);
  } else if (after.trim()) {
    answer.trailing = after.trim();
  }
  return answer;
}

/** Phrases compare equal when they differ only in case, spacing, quotes and final punctuation. */
export function phraseKey(phrase: string): string {
  return cleanItem(phrase).toLowerCase().replace(/[\s-]+/g, ' ');
}

// `'phrase' (J98.11)`, `"phrase" (J90)`, `phrase (I51.7)`, `'phrase' (ICD-10: J90)`; the code must start with a
// letter and a digit, the rest is checked against the code table later.
const REASON = /(?:^|(?<=[,:;\n)]))\s*(?:[-*•]|\d+[.)])?\s*(?:(['"“‘])(.+?)(?:['"”’])|([^,:;\n()'"]+?))\s*\(\s*(?:ICD-?10(?:-CM)?(?:\s+code)?\s*[:\-]?\s*)?([A-Za-z][0-9][^\s),;]*)[^)\n]*\)/g;

// `'phrase': J90` or `'phrase' - J90`, one reason per line: the other shape chat models write.
const REASON_COLON = /(['"“‘])([^'"”’\n]+?)['"”’]\s*[:\-–]\s*\(?\s*(?:ICD-?10(?:-CM)?(?:\s+code)?\s*[:\-]?\s*)?([A-Za-z][0-9][^\s),;]*)/g;

/** Every `phrase (CODE)` pair in `text`, then the `'phrase': CODE` ones. */
function reasons(text: string): { phrase: string; code: string }[] {
  const out: { phrase: string; code: string }[] = [];
  const add = (rawPhrase: string, code: string) => {
    const phrase = cleanItem(rawPhrase).replace(/^(?:and|the reason is)\s+/i, '');
    if (phrase) out.push({ phrase, code: code.replace(/[.,;:]+$/, '') });
  };
  for (const m of text.matchAll(REASON)) add(m[2] ?? m[3] ?? '', m[4]);
  for (const m of text.matchAll(REASON_COLON)) add(m[2], m[3]);
  return out;
}

/** Reads an ICD-10 phrase answer; throws AnswerFormatError when it cannot. */
export function parseReleaseIcd10(raw: string): ReleaseIcd10Answer {
  const text = cleanAnswer(raw);
  if (!text.trim()) throw new AnswerFormatError('the answer is empty');
  // The weak-label script reads the list from the answer's first `[`; the first line may carry "Output:" first.
  const start = text.indexOf('[');
  if (start < 0) throw new AnswerFormatError(`no phrase list in [brackets] in the answer ("${text.trim().slice(0, 60)}")`);
  const list = scanList(text, start);
  if (!list) throw new AnswerFormatError('the phrase list never closes (truncated answer?)');
  const rest = text.slice(list.end);
  const reasonLine = /the reason is/i.test(rest);
  const byKey = new Map<string, string>();
  for (const r of reasons(rest)) if (!byKey.has(phraseKey(r.phrase))) byKey.set(phraseKey(r.phrase), r.code);
  const items: ReleasePhrase[] = [];
  const seen = new Set<string>();
  for (const item of list.items) {
    const phrase = cleanItem(item);
    const key = phraseKey(phrase);
    if (!phrase || seen.has(key)) continue;
    seen.add(key);
    const code = byKey.get(key);
    items.push(code ? { phrase, code } : { phrase });
  }
  const extraReasons = [...byKey].filter(([k]) => !seen.has(k)).map(([k, code]) => ({ phrase: reasons(rest).find((r) => phraseKey(r.phrase) === k)!.phrase, code }));
  return { items, reasonLine, extraReasons };
}
