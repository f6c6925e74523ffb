/**
 * The clinical case table (tests/cases/clinical-cases.ts) through the rule engine, task `both`: each row's finding
 * statuses and, where given, its exact ICD-10 codes. Also checks that the table covers every category with enough
 * rows, and that no row copies a sentence of the IU X-ray reports (read in place when ../shared is present).
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { labelReport } from '../src/lib/rules/index.ts';
import { CLINICAL_CASES, type CaseCategory } from './cases/clinical-cases.ts';

const CATEGORIES: CaseCategory[] = [
  'issue table', 'post-position negation', 'pre-position hedge', 'post-position hedge', 'query shorthand', 'structured line',
  'differential', 'list, not differential', 'temporality', 'partial resolution', 'question answered', 'typo', 'vocabulary', 'icd10 coding',
];

describe('clinical case table', () => {
  it('has at least 150 rows and every category', () => {
    expect(CLINICAL_CASES.length).toBeGreaterThanOrEqual(150);
    for (const cat of CATEGORIES) expect(CLINICAL_CASES.filter((c) => c.category === cat).length, cat).toBeGreaterThanOrEqual(5);
    expect(new Set(CLINICAL_CASES.map((c) => c.text)).size, 'no duplicate rows').toBe(CLINICAL_CASES.length);
  });

  for (const cat of CATEGORIES) {
    describe(cat, () => {
      it.each(CLINICAL_CASES.filter((c) => c.category === cat).map((c) => [c.text, c] as const))('%s', (_text, row) => {
        const result = labelReport(row.text, { task: 'both', ...row.options });
        expect(result.status).toBe('ok');
        for (const [finding, status] of Object.entries(row.findings)) {
          const ev = result.evidence.filter((e) => e.finding === finding).map((e) => `${e.mention.text}:${e.status}${e.trigger ? `(${e.trigger.text})` : ''}`);
          expect(result.findings[finding as keyof typeof result.findings], `${finding} [${ev.join(' | ')}]`).toBe(status);
        }
        if (row.icd10) expect(result.icd10!.map((i) => i.code).sort(), 'ICD-10 codes').toEqual([...row.icd10].sort());
      });
    });
  }

  const CSV = fileURLToPath(new URL('../../shared/data/iu-xray/indiana_reports.csv', import.meta.url));
  it.skipIf(!existsSync(CSV))('copies no IU report sentence', () => {
    const rows = Papa.parse<Record<string, string>>(readFileSync(CSV, 'utf8'), { header: true, skipEmptyLines: true }).data;
    const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
    const iu = new Set<string>();
    for (const r of rows) for (const s of `${r.findings} ${r.impression}`.split(/(?<=[.?!])\s+/)) iu.add(norm(s));
    // The issue's own rows are quoted as the issue wrote them; every other row must be this project's wording.
    const copied = CLINICAL_CASES.filter((c) => c.category !== 'issue table').flatMap((c) => c.text.split(/(?<=[.?!])\s+|\n/)).filter((s) => norm(s).split(' ').length > 3 && iu.has(norm(s)));
    expect(copied).toEqual([]);
  });
});
