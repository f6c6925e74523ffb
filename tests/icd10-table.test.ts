// Checks the hand-written ICD-10 table against the official FY2023 chest subset, read in place from ../shared.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ICD10_TABLE } from '../src/lib/icd10/table.ts';

const TSV = fileURLToPath(new URL('../../shared/data/icd10cm/chest_subset_fy2023.tsv', import.meta.url));
const present = existsSync(TSV);
if (!present) console.warn(`SKIPPED icd10-table: ${TSV} is absent, so the code table is not checked against the official list.`);

function readOfficial(): Map<string, string> {
  const [header, ...lines] = readFileSync(TSV, 'utf8').trimEnd().split('\n');
  expect(header).toBe('code\ttitle');
  return new Map(lines.map((l) => l.split('\t') as [string, string]));
}

describe.skipIf(!present)('ICD-10 table vs the official FY2023 chest subset', () => {
  const official = present ? readOfficial() : new Map<string, string>();

  it('lists every billable code with its exact official title', () => {
    const wrong = ICD10_TABLE.filter((r) => !r.category)
      .filter((r) => official.get(r.code) !== r.title)
      .map((r) => `${r.code}: table "${r.title}", official "${official.get(r.code) ?? '(no such billable code)'}"`);
    expect(wrong).toEqual([]);
  });

  it('marks category rows only where the code is not billable, and their prefix exists', () => {
    const codes = [...official.keys()];
    for (const row of ICD10_TABLE.filter((r) => r.category)) {
      expect(official.has(row.code), `${row.code} is billable, not a category`).toBe(false);
      expect(codes.some((c) => c.startsWith(row.code)), `${row.code} has no billable code under it`).toBe(true);
    }
  });
});
