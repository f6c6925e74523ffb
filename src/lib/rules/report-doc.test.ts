import { describe, expect, it } from 'vitest';
import { findMentions } from './mentions.ts';
import { assertTargets, parseReport, sentenceTriggers } from './report-doc.ts';

const REPORT = 'INDICATION: r/o pneumonia.\nFINDINGS: Heart size normal. No pleural effusion.\nIMPRESSION: No acute disease.';

describe('parseReport', () => {
  it('applies the section mode once: sentences come only from the labeled sections', () => {
    const doc = parseReport(REPORT);
    expect(doc.sections.map((s) => [s.name, s.labeled])).toEqual([['indication', false], ['findings', true], ['impression', true]]);
    expect(doc.sentences.map((s) => REPORT.slice(s.start, s.end))).toEqual(['Heart size normal.', 'No pleural effusion.', 'No acute disease.']);
    expect(parseReport(REPORT, 'all').sentences.map((s) => s.section)).toEqual(['indication', 'findings', 'findings', 'impression']);
  });

  it('finds a sentence\'s triggers on first use only, and keeps them', () => {
    const doc = parseReport(REPORT);
    expect(doc.triggers.filter(Boolean)).toHaveLength(0);
    const first = sentenceTriggers(doc, 1);
    expect(first.map((t) => [REPORT.slice(t.start, t.end), t.kind])).toEqual([['No', 'negation']]);
    expect(sentenceTriggers(doc, 1)).toBe(first);
    expect(doc.triggers[0]).toBeUndefined();
  });
});

describe('assertTargets (the one ConText pass)', () => {
  it('gives any target the status of its span, and scans only sentences that hold a target', () => {
    const doc = parseReport(REPORT);
    const mentions = findMentions(doc);
    expect(mentions.map((m) => m.finding)).toEqual(['Pleural Effusion']);
    // A target that is not a findings mention ("acute disease", as another annotator might find it) goes through the same pass.
    const other = { start: REPORT.indexOf('acute disease'), end: REPORT.indexOf('acute disease') + 13, sentence: 2 };
    const [effusion, acute] = assertTargets(doc, [...mentions, other]);
    expect(effusion).toMatchObject({ status: 'negative', trigger: { text: 'No', kind: 'negation' } });
    expect(acute).toMatchObject({ status: 'negative', trigger: { text: 'No' } });
    expect(doc.triggers[0]).toBeUndefined();
  });
});
