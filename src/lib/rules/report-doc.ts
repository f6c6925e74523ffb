/**
 * A report parsed once for every annotator (medspaCy's Doc, NegBio's one parse): the text, its sections with the
 * section mode applied, the sentences of the labeled sections, and each sentence's trigger spans, found the first
 * time a target in that sentence is asserted. The findings matcher and the ICD-10 phrase matcher both read it, and
 * one ConText pass (`assertTargets`) gives every target of either a status.
 *
 * Plain data: nothing in it refers back to the code that built it, so it can be inspected or printed in a test.
 */
import type { SectionMode } from '../engine.ts';
import type { Finding } from '../findings.ts';
import { assertWithTriggers, triggersAtTokens, type Assertion, type TriggerMatch } from './context.ts';
import { tokenStarts } from './matcher.ts';
import { splitSections, type Section } from './sections.ts';
import { splitSentences, type Sentence } from './sentences.ts';

export interface ReportDoc {
  readonly text: string;
  readonly sections: readonly Section[];
  /** Sentences of the labeled sections, in text order: the outer limit of every scope. */
  readonly sentences: readonly Sentence[];
  /**
   * Trigger spans of `sentences[i]` (negation, uncertainty, ..., and the terminators that end a clause), filled
   * by `sentenceTriggers` on first use: a sentence with no target is never scanned.
   */
  readonly triggers: Array<readonly TriggerMatch[] | undefined>;
  /**
   * Token starts of the sentences (word starts and punctuation, where any rule pattern can start), found in one
   * walk: sentence i's are `tokens[sentenceTokens[i]]` up to `tokens[sentenceTokens[i + 1] - 1]`.
   */
  readonly tokens: readonly number[];
  readonly sentenceTokens: readonly number[];
}

/** Something an annotator found whose status ConText decides: a findings mention or an ICD-10 phrase. */
export interface Target {
  start: number;
  end: number;
  /** Index of the sentence in `doc.sentences`. */
  sentence: number;
  /**
   * The finding, for a findings mention (rules whose `except` names it are skipped). A target with a finding
   * pairs in a differential ("X or Y") only with other findings mentions, one without only with other phrases, so
   * a finding's status does not depend on which task ran.
   */
  finding?: Finding;
}

/** Sections, then sentences of the sections `mode` labels. */
export function parseReport(text: string, mode?: SectionMode): ReportDoc {
  const sections = splitSections(text, mode);
  const sentences = splitSentences(text, sections);
  const { tokens, offsets } = tokenStarts(text, sentences);
  return { text, sections, sentences, triggers: new Array(sentences.length), tokens, sentenceTokens: offsets };
}

/** The trigger spans of one sentence, found once and kept in the doc. */
export function sentenceTriggers(doc: ReportDoc, sentence: number): readonly TriggerMatch[] {
  let found = doc.triggers[sentence];
  if (!found) doc.triggers[sentence] = found = triggersAtTokens(doc.text, doc.sentences[sentence], doc.tokens, doc.sentenceTokens[sentence], doc.sentenceTokens[sentence + 1]);
  return found;
}

/**
 * The one ConText pass: the status of every target, whichever annotator found it, from the triggers of its
 * sentence. Returned in the order of `targets`.
 */
export function assertTargets(doc: ReportDoc, targets: readonly Target[]): Assertion[] {
  // The other targets of a sentence are the candidates for the second diagnosis of a differential ("X or Y");
  // gathered only for sentences that have a differential trigger.
  let bySentence: Map<number, Target[]> | undefined;
  const siblingsOf = (t: Target): Target[] | undefined => {
    if (!sentenceTriggers(doc, t.sentence).some((x) => x.kind === 'differential')) return undefined;
    if (!bySentence) {
      bySentence = new Map();
      for (const u of targets) {
        const list = bySentence.get(u.sentence);
        if (list) list.push(u);
        else bySentence.set(u.sentence, [u]);
      }
    }
    return bySentence.get(t.sentence)!.filter((s) => s !== t && (s.finding === undefined) === (t.finding === undefined));
  };
  return targets.map((t) =>
    assertWithTriggers(doc.text, sentenceTriggers(doc, t.sentence), t.start, t.end, { finding: t.finding, siblings: siblingsOf(t) }),
  );
}
