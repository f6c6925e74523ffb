import { describe, expect, it } from 'vitest';
import { splitSections, type Section } from './sections.ts';

const view = (text: string, sections: Section[]) =>
  sections.map((s) => `${s.name}${s.labeled ? '*' : ''}:${text.slice(s.start, s.end).trim()}`);

describe('splitSections', () => {
  it('treats text without headers as one labeled section', () => {
    const text = 'The lungs are clear. History of pneumonia.';
    expect(splitSections(text)).toEqual([{ name: 'report', start: 0, end: text.length, labeled: true }]);
  });

  it('labels FINDINGS and IMPRESSION and skips the clinical question', () => {
    const text = 'INDICATION: r/o pneumonia.\nCOMPARISON: None.\nFINDINGS: Lungs clear.\nIMPRESSION: Normal.';
    expect(view(text, splitSections(text))).toEqual([
      'indication:r/o pneumonia.',
      'comparison:None.',
      'findings*:Lungs clear.',
      'impression*:Normal.',
    ]);
  });

  it('skips every question-type section by default', () => {
    const names = ['HISTORY', 'CLINICAL HISTORY', 'REASON FOR EXAM', 'TECHNIQUE', 'EXAM', 'CLINICAL', 'INDICATION'];
    for (const name of names) {
      const text = `${name}: pneumonia? FINDINGS: clear.`;
      const [first, second] = splitSections(text);
      expect(first.labeled, name).toBe(false);
      expect(second).toMatchObject({ name: 'findings', labeled: true });
    }
  });

  it("labels every section in mode 'all'", () => {
    const text = 'INDICATION: r/o pneumonia. FINDINGS: clear.';
    expect(splitSections(text, 'all').every((s) => s.labeled)).toBe(true);
  });

  it('finds headers mid-line after a sentence, in any case with a capital, and in capitals after a word', () => {
    expect(view('Findings: a. Impression: b', splitSections('Findings: a. Impression: b'))).toEqual(['findings*:a.', 'impression*:b']);
    expect(view('lungs clear IMPRESSION: ok', splitSections('lungs clear IMPRESSION: ok'))).toEqual(['preamble*:lungs clear', 'impression*:ok']);
    expect(view('findings: a\nimpression: b', splitSections('findings: a\nimpression: b'))).toEqual(['findings*:a', 'impression*:b']);
  });

  it('does not take prose with a colon for a header', () => {
    const text = 'FINDINGS: the exam: limited by motion.';
    expect(view(text, splitSections(text))).toEqual(['findings*:the exam: limited by motion.']);
  });

  it('reads headers in capitals on their own line without a colon', () => {
    const text = 'FINDINGS\nLungs clear.\n\nIMPRESSION\nNormal.';
    expect(view(text, splitSections(text))).toEqual(['findings*:Lungs clear.', 'impression*:Normal.']);
  });

  it('maps synonyms to canonical names', () => {
    const text = 'CLINICAL HISTORY: cough. CONCLUSION: pneumonia.';
    expect(splitSections(text).map((s) => s.name)).toEqual(['history', 'impression']);
  });

  it('labels the text before the first header when there is no FINDINGS header', () => {
    expect(splitSections('Small effusion. IMPRESSION: effusion.')[0]).toMatchObject({ name: 'preamble', labeled: true });
    expect(splitSections('Chest PA. FINDINGS: clear.')[0]).toMatchObject({ name: 'preamble', labeled: false });
  });

  it('keeps a question section to its first line when no observation header follows', () => {
    const text = 'HISTORY: cough\nThe lungs show consolidation.';
    expect(view(text, splitSections(text))).toEqual(['history:cough', 'report*:The lungs show consolidation.']);
    const oneLine = 'INDICATION: Chest pain. Small effusion.';
    expect(view(oneLine, splitSections(oneLine))).toEqual(['indication:Chest pain.', 'report*:Small effusion.']);
  });

  it('keeps a question header found inside the findings to its first sentence', () => {
    const text = 'FINDINGS: Chest  Comparison: Prior film. The heart is enlarged.\n\nIMPRESSION: Cardiomegaly.';
    expect(view(text, splitSections(text))).toEqual([
      'findings*:Chest',
      'comparison:Prior film.',
      'report*:The heart is enlarged.',
      'impression*:Cardiomegaly.',
    ]);
  });

  it('gives content offsets that exclude the header', () => {
    const text = 'FINDINGS: abc';
    const [s] = splitSections(text);
    expect(text.slice(s.start, s.end)).toBe(' abc');
  });
});
