/**
 * Stage 1: find the report's sections, so the clinical question ("INDICATION: r/o pneumonia") is not read as a
 * finding. A header is a known section name followed by a colon (any case), or an upper-case name on its own at
 * the start of a line. Text with no header at all is one labeled section named `report`.
 */
import type { SectionMode } from '../engine.ts';

export interface Section {
  /** Canonical lower-case name: `findings`, `impression`, `indication`, ..., `preamble`, `report`. */
  name: string;
  /** Offsets of the section's content (after the header and its colon) in the report text. */
  start: number;
  end: number;
  /** Whether the engine reads this section under the chosen mode. */
  labeled: boolean;
}

// Header spellings → canonical name. Longer spellings first so "clinical history" beats "clinical".
const HEADER_NAMES: ReadonlyArray<readonly [string, string]> = [
  ['findings and impression', 'findings'],
  ['findings', 'findings'],
  ['finding', 'findings'],
  ['observations', 'findings'],
  ['description', 'findings'],
  ['report', 'findings'],
  ['impressions', 'impression'],
  ['impression', 'impression'],
  ['conclusions', 'impression'],
  ['conclusion', 'impression'],
  ['interpretation', 'impression'],
  ['summary', 'impression'],
  ['opinion', 'impression'],
  ['indications', 'indication'],
  ['indication', 'indication'],
  ['clinical history', 'history'],
  ['clinical information', 'clinical'],
  ['clinical indication', 'indication'],
  ['clinical data', 'clinical'],
  ['clinical', 'clinical'],
  ['history', 'history'],
  ['reason for examination', 'reason'],
  ['reason for exam', 'reason'],
  ['reason for study', 'reason'],
  ['reason', 'reason'],
  ['comparisons', 'comparison'],
  ['comparison', 'comparison'],
  ['technique', 'technique'],
  ['examination', 'exam'],
  ['exam', 'exam'],
  ['procedure', 'exam'],
  ['recommendations', 'recommendation'],
  ['recommendation', 'recommendation'],
  ['addendum', 'addendum'],
  ['notification', 'notification'],
];

/** Sections that hold what the radiologist saw: always read by default. */
const READ_BY_DEFAULT = new Set(['findings', 'impression', 'addendum']);
/** Sections that hold the question or the setting, never an observation: skipped by default. */
const SKIPPED_BY_DEFAULT = new Set(['indication', 'history', 'clinical', 'reason', 'comparison', 'technique', 'exam']);

const NAME_OF = new Map(HEADER_NAMES.map(([k, v]) => [k.replace(/ /g, ''), v]));
const MAX_HEADER_WORDS = 4;

interface Header {
  at: number;
  contentStart: number;
  name: string;
}

const isLetter = (c: string) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
const isBlank = (c: string) => c === ' ' || c === '\t';

/**
 * Headers ending in a colon. The words before a colon are a header when they are a known name and either start
 * a line, follow sentence punctuation or a run of spaces, or are written in capitals ("... clear IMPRESSION:").
 * Scanning from the colons keeps this fast: reports have few of them.
 */
function colonHeaders(text: string, out: Header[]) {
  for (let c = text.indexOf(':'); c >= 0; c = text.indexOf(':', c + 1)) {
    let e = c;
    while (e > 0 && isBlank(text[e - 1])) e--;
    // Walk back over up to MAX_HEADER_WORDS words; each word start is a candidate header start, and the longest
    // known name wins ("CLINICAL HISTORY:" over "HISTORY:").
    let k = e;
    let best: Header | undefined;
    for (let words = 0; words < MAX_HEADER_WORDS && k > 0 && isLetter(text[k - 1]); words++) {
      while (k > 0 && isLetter(text[k - 1])) k--;
      const phrase = text.slice(k, e);
      const lower = phrase.toLowerCase();
      const name = NAME_OF.get((lower.includes(' ') || lower.includes('\t')) ? lower.replace(/[ \t]+/g, '') : lower);
      if (name) {
        let b = k;
        while (b > 0 && isBlank(text[b - 1])) b--;
        const before = b === 0 ? '\n' : text[b - 1];
        const lineStart = before === '\n' || before === '\r';
        const atBoundary = lineStart || '.;!?'.includes(before) || k - b >= 2;
        const capitalised = phrase[0] === phrase[0].toUpperCase();
        // Mid-line, a header is capitalised ("Findings:"); at a line start any case is. All capitals may even
        // follow a word ("... lungs clear IMPRESSION:"), as flattened exports often have it.
        if ((atBoundary && (capitalised || lineStart)) || phrase === phrase.toUpperCase()) {
          best = { at: k, contentStart: c + 1, name };
        }
      }
      if (k < 2 || !isBlank(text[k - 1]) || !isLetter(text[k - 2])) break;
      k--;
    }
    if (best) out.push(best);
  }
}

/** Headers in capitals on a line of their own, without a colon ("FINDINGS\n..."). */
function lineHeaders(text: string, out: Header[]) {
  for (let i = 0; i >= 0 && i < text.length; i = text.indexOf('\n', i) + (i === -1 ? 0 : 1)) {
    let s = i;
    while (s < text.length && isBlank(text[s])) s++;
    let e = s;
    while (e < text.length && (isLetter(text[e]) || isBlank(text[e]))) e++;
    const phrase = text.slice(s, e).trimEnd();
    const next = text[e];
    if (phrase && phrase === phrase.toUpperCase() && (next === undefined || next === '\n' || next === '\r')) {
      const name = NAME_OF.get(phrase.toLowerCase().replace(/[ \t]+/g, ''));
      if (name) out.push({ at: s, contentStart: e, name });
    }
    if (text.indexOf('\n', i) < 0) break;
  }
}

function findHeaders(text: string): Header[] {
  const out: Header[] = [];
  colonHeaders(text, out);
  if (text.includes('\n') || text.length < 40) lineHeaders(text, out);
  out.sort((a, b) => a.at - b.at);
  // Two headers can overlap only through a bad match; keep the first.
  return out.filter((h, i) => i === 0 || h.at >= out[i - 1].contentStart);
}

/**
 * Splits a report into sections. `mode` `findings,impression` labels FINDINGS, IMPRESSION (and their synonyms,
 * plus ADDENDUM), and the text before the first header when there is no FINDINGS header. When a report has
 * headers but none of those, every section except the skipped ones (INDICATION, HISTORY, REASON, CLINICAL,
 * COMPARISON, TECHNIQUE, EXAM) is labeled. A skipped section ends after its first line or sentence when there is
 * no observation header, or when it follows one.
 * `all` labels every section.
 */
export function splitSections(text: string, mode: SectionMode = 'findings,impression'): Section[] {
  const headers = findHeaders(text);
  if (headers.length === 0) return [{ name: 'report', start: 0, end: text.length, labeled: true }];
  let sections: Section[] = [];
  if (/\S/.test(text.slice(0, headers[0].at))) sections.push({ name: 'preamble', start: 0, end: headers[0].at, labeled: false });
  headers.forEach((h, i) => {
    const end = i + 1 < headers.length ? headers[i + 1].at : text.length;
    sections.push({ name: h.name, start: h.contentStart, end, labeled: false });
  });
  const hasFindings = sections.some((s) => s.name === 'findings' || s.name === 'report');
  const hasObservations = sections.some((s) => READ_BY_DEFAULT.has(s.name));
  // A question section ("HISTORY: cough") holds only its first line or sentence when no observation header
  // comes before it: without an observation header what follows is the report itself, and after one the
  // question header sits inside the findings ("FINDINGS: Chest  Comparison: ... The heart is enlarged.").
  // Skipping that text would read as Normal.
  let seenObservations = false;
  // A loop rather than flatMap: no one-element array per section (this runs on every report).
  const kept: Section[] = [];
  for (const s of sections) {
    const cut = SKIPPED_BY_DEFAULT.has(s.name) && (!hasObservations || seenObservations);
    seenObservations ||= READ_BY_DEFAULT.has(s.name);
    if (cut) kept.push(...cutQuestion(text, s));
    else kept.push(s);
  }
  sections = kept;
  for (const s of sections) {
    s.labeled =
      mode === 'all' ||
      READ_BY_DEFAULT.has(s.name) ||
      // Text before the first header is the findings when there is no FINDINGS header ("Lungs clear. IMPRESSION: ...").
      (s.name === 'preamble' && !hasFindings) ||
      s.name === 'report' ||
      (!hasObservations && !SKIPPED_BY_DEFAULT.has(s.name));
  }
  return sections;
}

/** Splits a question section after its first line or first sentence, whichever ends first. */
function cutQuestion(text: string, s: Section): Section[] {
  const content = text.slice(s.start, s.end);
  const lead = content.length - content.trimStart().length;
  const line = content.indexOf('\n', lead);
  const sentence = content.slice(lead).search(/[.?!]\s/);
  const ends = [line >= 0 ? line + 1 : -1, sentence >= 0 ? sentence + lead + 2 : -1].filter((x) => x > lead);
  if (!ends.length) return [s];
  const cut = Math.min(...ends);
  if (!/[A-Za-z0-9]/.test(content.slice(cut))) return [s];
  return [
    { ...s, end: s.start + cut },
    { name: 'report', start: s.start + cut, end: s.end, labeled: false },
  ];
}
