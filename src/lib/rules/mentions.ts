/**
 * Stage 3: find where each finding is mentioned, sentence by sentence, using the lexicon. Exclusions
 * ("pericardial effusion") remove any mention of their finding that they overlap.
 */
import { FINDINGS, type Finding } from '../findings.ts';
import { LEXICON_DATA } from './lexicon.ts';
import { FirstCharIndex, stickyAlternation } from './matcher.ts';
import type { ReportDoc, Target } from './report-doc.ts';
import { validateLexicon } from './schema.ts';

/** Where a finding is mentioned; `sentence` indexes `doc.sentences`. */
export interface Mention extends Target {
  finding: Finding;
}

/**
 * The patterns of one first character: `any` (all of them) first, as a filter, since most words start no
 * mention; then one sticky regex per finding.
 */
interface Bucket {
  any: RegExp;
  byFinding: ReadonlyArray<{ finding: number; regex: RegExp }>;
}

export interface CompiledLexicon {
  mentions: FirstCharIndex<Bucket>;
  exclusions: FirstCharIndex<Bucket>;
  /** Bit i is set when FINDINGS[i] has exclusions. */
  exclusionMask: number;
}

function index(items: ReadonlyArray<{ finding: number; pattern: string }>): FirstCharIndex<Bucket> {
  return new FirstCharIndex(
    items.map((x) => x.pattern),
    (indices) => {
      const byFinding: Array<{ finding: number; regex: RegExp }> = [];
      for (let f = 0; f < FINDINGS.length; f++) {
        const patterns = indices.filter((i) => items[i].finding === f).map((i) => items[i].pattern);
        if (patterns.length) byFinding.push({ finding: f, regex: stickyAlternation(patterns, false) });
      }
      if (!byFinding.length) return undefined;
      return { any: stickyAlternation(indices.map((i) => items[i].pattern), false), byFinding };
    },
  );
}

/** Validates and compiles lexicon data once; the regexes are reused for every report. */
export function compileLexicon(data: unknown): CompiledLexicon {
  const entries = validateLexicon(data);
  const mentionItems = entries.flatMap((e) => e.mentions.map((pattern) => ({ finding: FINDINGS.indexOf(e.finding), pattern })));
  const exclusionItems = entries.flatMap((e) => (e.exclusions ?? []).map((pattern) => ({ finding: FINDINGS.indexOf(e.finding), pattern })));
  return {
    mentions: index(mentionItems),
    exclusions: index(exclusionItems),
    exclusionMask: exclusionItems.reduce((mask, x) => mask | (1 << x.finding), 0),
  };
}

export const DEFAULT_LEXICON: CompiledLexicon = compileLexicon(LEXICON_DATA);

// How far before a mention an exclusion may start and still overlap it ("soft tissue mass" around "mass").
const EXCLUSION_REACH = 40;

/** Reused between calls: the end of the last match per finding (a report is labeled synchronously). */
const lastEnd = new Int32Array(FINDINGS.length);

/**
 * Matches of one index at the token starts `tokens[first..last)` that lie in [start, end): for each finding, the
 * leftmost matches that do not overlap each other (what a global regex per finding would find), ending by
 * `limit`; only findings in the `wanted` bit mask.
 */
function scan(
  text: string,
  tokens: readonly number[],
  first: number,
  last: number,
  start: number,
  end: number,
  limit: number,
  idx: FirstCharIndex<Bucket>,
  wanted: number,
  out: Array<[number, number, number]>,
) {
  lastEnd.fill(-1);
  for (let k = first; k < last; k++) {
    const i = tokens[k];
    if (i < start) continue;
    if (i >= end) break;
    const bucket = idx.bucketFor(text.charCodeAt(i), text.charCodeAt(i + 1));
    if (!bucket) continue;
    // `any` only filters; a two-character bucket often holds one finding's patterns, whose own regex says the same.
    if (bucket.byFinding.length > 1) {
      bucket.any.lastIndex = i;
      if (!bucket.any.test(text)) continue;
    }
    for (const { finding, regex } of bucket.byFinding) {
      if (i < lastEnd[finding] || !(wanted & (1 << finding))) continue;
      regex.lastIndex = i;
      // A sticky regex's test() leaves lastIndex at the end of the match: no match array to allocate.
      if (regex.test(text) && regex.lastIndex > i && regex.lastIndex <= limit) {
        out.push([finding, i, regex.lastIndex]);
        lastEnd[finding] = regex.lastIndex;
      }
    }
  }
}

const ALL = (1 << FINDINGS.length) - 1;

/** Mentions of every finding in the doc's sentences, ordered by position. */
export function findMentions(doc: ReportDoc, lexicon: CompiledLexicon = DEFAULT_LEXICON): Mention[] {
  const { text, sentences } = doc;
  const out: Mention[] = [];
  const found: Array<[number, number, number]> = [];
  const excluded: Array<[number, number, number]> = [];
  for (let k = 0; k < sentences.length; k++) {
    const sentence = sentences[k];
    found.length = 0;
    const first = doc.sentenceTokens[k];
    const last = doc.sentenceTokens[k + 1];
    scan(text, doc.tokens, first, last, sentence.start, sentence.end, sentence.end, lexicon.mentions, ALL, found);
    for (const [f, s, e] of found) {
      // Exclusions are looked for only near a mention of a finding that has them: they must overlap it.
      if (lexicon.exclusionMask & (1 << f)) {
        excluded.length = 0;
        scan(text, doc.tokens, first, last, Math.max(sentence.start, s - EXCLUSION_REACH), e, sentence.end, lexicon.exclusions, 1 << f, excluded);
        if (excluded.some(([, xs, xe]) => xs < e && xe > s)) continue;
      }
      out.push({ finding: FINDINGS[f], start: s, end: e, sentence: k });
    }
  }
  return out.sort((a, b) => a.start - b.start || FINDINGS.indexOf(a.finding) - FINDINGS.indexOf(b.finding));
}

/** Whether some mention pattern of the lexicon matches at `i` (a word the lexicon knows, even if excluded there). */
export function lexiconMatchesAt(text: string, i: number, lexicon: CompiledLexicon = DEFAULT_LEXICON): boolean {
  const bucket = lexicon.mentions.bucketAt(text.charCodeAt(i));
  if (!bucket) return false;
  bucket.any.lastIndex = i;
  return bucket.any.test(text);
}
