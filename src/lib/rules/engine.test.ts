import { describe, expect, it } from 'vitest';
import { labelReport, rulesEngine } from './engine.ts';

const REPORT = 'INDICATION: cough.\nFINDINGS: Cardiomegaly. Small right pleural effusion. No pneumothorax.\nIMPRESSION: Mild CHF.';

describe('labelReport', () => {
  it('task findings (default): the 13 findings, no ICD-10 list', () => {
    const r = labelReport(REPORT);
    expect(r.status).toBe('ok');
    expect(r.findings.Cardiomegaly).toBe('positive');
    expect(r.findings.Pneumothorax).toBe('negative');
    expect(r.icd10).toBeUndefined();
  });

  it('task icd10: the ICD-10 items, and no findings labeled (not computed only to be thrown away)', () => {
    const r = labelReport(REPORT, { task: 'icd10' });
    expect(r.status).toBe('ok');
    expect(r.engine.name).toBe('rules');
    expect(Object.values(r.findings).every((s) => s === 'absent')).toBe(true);
    expect(r.evidence).toEqual([]);
    expect(r.normal).toBe(false);
    expect(r.icd10?.map((i) => [i.phrase, i.code])).toEqual([
      ['Cardiomegaly', 'I51.7'],
      ['pleural effusion', 'J90'],
      ['CHF', 'I50.9'],
    ]);
    for (const i of r.icd10!) expect(REPORT.slice(i.start!, i.end!)).toBe(i.phrase);
  });

  it('task both: findings and ICD-10 together', () => {
    const r = labelReport(REPORT, { task: 'both' });
    expect(r.findings['Pleural Effusion']).toBe('positive');
    expect(r.icd10).toHaveLength(3);
  });

  it('passes the section mode on', () => {
    const text = 'INDICATION: COPD.\nFINDINGS: Clear lungs.';
    expect(labelReport(text, { task: 'icd10' }).icd10).toEqual([]);
    expect(labelReport(text, { task: 'icd10', sections: 'all' }).icd10?.map((i) => i.code)).toEqual(['J44.9']);
  });

  it('blank text is empty, never Normal, with no items', () => {
    const r = labelReport('   ', { task: 'both' });
    expect(r.status).toBe('empty');
    expect(r.normal).toBe(false);
    expect(r.icd10).toEqual([]);
  });
});

describe('long reports', () => {
  // An issue-11 typo pass once rescanned the rest of the text for every long word, so a 420 KB report took ~7 s
  // instead of ~30 ms (quiet 2-core machine). The bound leaves a wide margin for a loaded CI machine.
  it('labels a 420 KB report in well under 2 seconds', () => {
    const text = `No pneumothorax. ${'The lungs are clear. '.repeat(20_000)}Small left pleural effusion.`;
    const t = performance.now();
    const r = labelReport(text, { task: 'both' });
    expect(performance.now() - t).toBeLessThan(2_000);
    expect(r.findings['Pleural Effusion']).toBe('positive');
    expect(r.findings.Pneumothorax).toBe('negative');
  });
});

describe('rulesEngine', () => {
  it('labels through the common interface', async () => {
    const r = await rulesEngine.label(REPORT, { task: 'icd10' });
    expect(r.icd10?.map((i) => i.code)).toEqual(['I51.7', 'J90', 'I50.9']);
    expect(rulesEngine.info.name).toBe('rules');
  });

  it('refuses an aborted request', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(rulesEngine.label(REPORT, { signal: controller.signal })).rejects.toBeDefined();
  });
});
