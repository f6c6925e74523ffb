// Sanity run of the ICD-10 extractor over the real IU X-ray reports, read in place from ../shared. It prints how
// many reports get codes and the most frequent codes (figures for the README, not asserted exactly) and checks
// properties every item must have.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { extractIcd10, lookupCode } from '../src/lib/icd10/index.ts';

const CSV = fileURLToPath(new URL('../../shared/data/iu-xray/indiana_reports.csv', import.meta.url));
const present = existsSync(CSV);
if (!present) console.warn(`SKIPPED icd10-iu: ${CSV} is absent.`);

describe.skipIf(!present)('ICD-10 extractor on the IU X-ray reports', () => {
  it('codes a plausible share of reports, with valid spans and table codes', () => {
    const rows = Papa.parse<Record<string, string>>(readFileSync(CSV, 'utf8'), { header: true, skipEmptyLines: true }).data;
    const perCode = new Map<string, number>();
    let withCodes = 0;
    let items = 0;
    const started = performance.now();
    for (const row of rows) {
      // The text as `label -t findings,impression` builds it: the two sections under their headers.
      const text = `FINDINGS: ${row.findings ?? ''}\nIMPRESSION: ${row.impression ?? ''}`;
      const found = extractIcd10(text);
      if (found.length) withCodes++;
      items += found.length;
      for (const item of found) {
        expect(text.slice(item.start!, item.end!)).toBe(item.phrase);
        expect(lookupCode(item.code)?.title).toBe(item.title);
        expect(item.flags).toEqual([]);
      }
      for (const code of new Set(found.map((i) => i.code))) perCode.set(code, (perCode.get(code) ?? 0) + 1);
    }
    const ms = performance.now() - started;
    const top = [...perCode].sort((a, b) => b[1] - a[1]).slice(0, 15);
    console.log(
      `IU X-ray: ${rows.length} reports, ${withCodes} with at least one code (${((100 * withCodes) / rows.length).toFixed(1)}%), ` +
        `${items} items, ${perCode.size} distinct codes, ${(ms / rows.length).toFixed(2)} ms/report.\n` +
        `Most frequent codes (reports): ${top.map(([c, n]) => `${c} ${n}`).join(', ')}`,
    );
    expect(rows.length).toBe(3851);
    // About 40% of IU reports are labeled Normal by their indexers; most of the rest name something codable.
    expect(withCodes / rows.length).toBeGreaterThan(0.3);
    expect(withCodes / rows.length).toBeLessThan(0.8);
  });
});
