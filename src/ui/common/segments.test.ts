import { describe, expect, it } from 'vitest';
import type { Evidence } from '../../lib/result.ts';
import { segments } from './segments.ts';

const text = 'No pleural effusion. Mild cardiomegaly.';
const evidence: Evidence[] = [
  { finding: 'Pleural Effusion', status: 'negative', mention: { start: 3, end: 19, text: 'pleural effusion' }, trigger: { start: 0, end: 2, text: 'No', kind: 'negation' } },
  { finding: 'Cardiomegaly', status: 'positive', mention: { start: 26, end: 38, text: 'cardiomegaly' } },
];

describe('segments', () => {
  it('covers the whole text, in order, with no overlap', () => {
    const segs = segments(text, evidence);
    expect(segs.map((s) => s.text).join('')).toBe(text);
    segs.forEach((s, i) => i > 0 && expect(s.start).toBe(segs[i - 1].start + segs[i - 1].text.length));
  });

  it('marks mentions with their status and triggers with their kind', () => {
    const segs = segments(text, evidence);
    const byText = Object.fromEntries(segs.map((s) => [s.text, s]));
    expect(byText['No'].triggers).toEqual([{ finding: 'Pleural Effusion', status: 'negative', kind: 'negation' }]);
    expect(byText['pleural effusion'].mentions).toEqual([{ finding: 'Pleural Effusion', status: 'negative' }]);
    expect(byText['cardiomegaly'].mentions[0].status).toBe('positive');
    expect(byText[' '].mentions).toEqual([]);
  });

  it('ignores spans outside the text instead of throwing', () => {
    const bad: Evidence[] = [{ finding: 'Edema', status: 'positive', mention: { start: 30, end: 999, text: 'x' } }];
    expect(segments('short', bad)).toEqual([{ start: 0, text: 'short', mentions: [], triggers: [] }]);
  });

  it('keeps markup in the report as text', () => {
    const segs = segments('<img src=x onerror=alert(1)>', []);
    expect(segs[0].text).toBe('<img src=x onerror=alert(1)>');
  });
});
