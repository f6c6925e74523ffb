import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import type { Evidence } from '../../lib/result.ts';
import { labelReport } from '../../lib/rules/engine.ts';
import { generateReports } from '../../lib/synthetic.ts';
import { packDetails, unpackDetails } from './detail-codec.ts';
import type { RowDetail } from './schema.ts';

const IU = fileURLToPath(new URL('../../../../shared/data/iu-xray/indiana_reports.csv', import.meta.url));

/** The details a batch stores for these reports (text and evidence), with both tasks' evidence. */
function ruleDetails(texts: readonly string[]): RowDetail[] {
  return texts.map((text, i) => ({ text, evidence: labelReport(text, { task: i % 2 ? 'both' : 'findings' }).evidence }));
}

/** Packed and read back: the same values, keys in the same order, so JSONL exports are byte for byte the same. */
function expectRoundTrip(details: RowDetail[]): void {
  const packed = packDetails(details);
  expect(packed).toBeDefined();
  const back = unpackDetails(structuredClone(packed!));
  expect(back).toEqual(details);
  expect(JSON.stringify(back)).toBe(JSON.stringify(details));
  back.forEach((d, i) => d.evidence.forEach((e, j) => expect(Object.keys(e)).toEqual(Object.keys(details[i].evidence[j]))));
}

describe('packed details', () => {
  it('give back the rule engine\'s details exactly, on 3,000 generated reports', () => {
    const details = ruleDetails(generateReports(3000, 11));
    expect(details.reduce((n, d) => n + d.evidence.length, 0)).toBeGreaterThan(10_000);
    expectRoundTrip(details);
  });

  it.skipIf(!existsSync(IU))('give back the rule engine\'s details exactly, on the 3,851 IU reports', () => {
    const rows = Papa.parse<Record<string, string>>(readFileSync(IU, 'utf8'), { header: true, skipEmptyLines: true }).data;
    const details = ruleDetails(rows.map((r) => `FINDINGS: ${r.findings ?? ''}\nIMPRESSION: ${r.impression ?? ''}`));
    for (let from = 0; from < details.length; from += 1000) expectRoundTrip(details.slice(from, from + 1000));
  });

  it('keep an LLM answer\'s evidence (no section or role), raw answer, token counts and rejected ICD-10 items', () => {
    const text = 'Small left pleural effusion. No pneumothorax.';
    const details: RowDetail[] = [
      {
        text,
        evidence: [{ finding: 'Pleural Effusion', status: 'positive', mention: { start: 11, end: 27, text: 'pleural effusion' }, trigger: { start: 11, end: 27, text: 'pleural effusion', kind: 'model' } } as Evidence],
        raw: '[Pleural Effusion]\nEvidence: pleural effusion',
        usage: { promptTokens: 289, completionTokens: 12, latencyMs: 840 },
        icd10Rejected: [{ phrase: 'pneumothorax', code: 'J93.9', reason: 'negated' }],
      },
      { text: '', evidence: [] },
      { text: 'Cardiomegaly.', evidence: [{ finding: 'Cardiomegaly', status: 'positive', mention: { start: 0, end: 12, text: 'Cardiomegaly' }, section: undefined, role: 'decisive' } as Evidence] },
    ];
    expectRoundTrip(details);
    expect('section' in unpackDetails(packDetails(details)!)[2].evidence[0]).toBe(true);
  });

  it('are not used when they could not give the details back exactly', () => {
    const text = 'No effusion.';
    const base = { finding: 'Pleural Effusion', status: 'negative', mention: { start: 3, end: 11, text: 'effusion' } };
    const cases: unknown[] = [
      { ...base, mention: { start: 3, end: 11, text: 'Effusion' } }, // not the report's text at its offsets
      { ...base, mention: { start: 3, end: 40, text: 'effusion' } }, // past the end
      { status: 'negative', finding: 'Pleural Effusion', mention: base.mention }, // other key order
      { ...base, trigger: undefined },
      { ...base, trigger: { start: 0, end: 2, text: 'No' } }, // a trigger without its kind
      { ...base, section: 3 },
      { ...base, note: 'an engine field this form does not know' },
    ];
    for (const e of cases) expect(packDetails([{ text, evidence: [e as Evidence] }])).toBeUndefined();
    expect(packDetails([{ evidence: [], text } as unknown as RowDetail])).toBeUndefined();
  });
});
