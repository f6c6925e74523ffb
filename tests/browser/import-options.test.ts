/**
 * Importing a CSV in the page with the reading options the CLI has: the detected encoding, delimiter and header
 * row are shown and can be changed; UTF-16 (with and without a BOM) is read; a Windows-1252 file can be read as
 * such instead of only being refused; a file without a header row is detected and the user told; duplicate
 * column names are flagged and the user picks one. Each job's export equals what the core gives in Node.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { csvLine } from '../../src/lib/csv/write.ts';
import { labelReport } from '../../src/lib/rules/index.ts';
import { csvRecords } from '../fixtures/run-cli.ts';
import { downloadText, useApp, waitForJobState } from './app-helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'radreportx-import-'));
const REPORTS = ['Large right pleural effusion.', 'No pneumothorax. Lungs are clear.', 'Heart is enlarged. Café-au-lait: no acute disease.', 'Small left pneumothorax.'];
const utf8Csv = csvLine(['id', 'report']) + REPORTS.map((r, i) => csvLine([String(i + 1), r])).join('');
const findingsOf = (text: string) => {
  const r = labelReport(text);
  return r.normal ? 'Normal' : Object.entries(r.findings).filter(([, s]) => s === 'positive').map(([f]) => f).join('; ');
};

const app = useApp('#batch');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function choose(name: string, bytes: Buffer | string): Promise<void> {
  writeFileSync(join(dir, name), bytes);
  await app.page.getByTestId('tab-batch').click();
  await app.page.getByTestId('batch-file').setInputFiles(join(dir, name));
}

/** Starts the job for the chosen file, waits for it, and returns its exported rows. */
async function runAndExport(name: string): Promise<Record<string, string>[]> {
  const { page } = app;
  await page.getByTestId('batch-start').click();
  await waitForJobState(page, name, 'done');
  const card = page.locator('[data-testid="job-card"]', { hasText: name });
  const { text } = await downloadText(page, () => card.getByTestId('export-csv').click());
  return csvRecords(text);
}

describe('encodings', () => {
  it('reads UTF-16 LE without a BOM and BE with one, and says so', async () => {
    const le = Buffer.from(utf8Csv, 'utf16le');
    for (const [name, bytes, shown] of [
      ['utf16le.csv', le, 'UTF-16 (little-endian)'],
      ['utf16be.csv', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(le).swap16()]), 'UTF-16 (big-endian), with a BOM'],
    ] as const) {
      await choose(name, bytes);
      await app.page.getByTestId('read-options').waitFor();
      expect(await app.page.getByTestId('read-encoding').locator('option[value="auto"]').textContent()).toContain(shown);
      const rows = await runAndExport(name);
      expect(rows.map((r) => [r.id, r.findings])).toEqual(REPORTS.map((t, i) => [String(i + 1), findingsOf(t)]));
    }
  });

  it('offers Windows-1252 for a file that is not UTF-8, and reads it right', async () => {
    const { page } = app;
    await choose('cp1252.csv', Buffer.from(utf8Csv, 'latin1'));
    await page.getByTestId('read-undecodable').waitFor();
    await page.getByTestId('read-undecodable-encoding').selectOption('windows-1252');
    await page.getByTestId('read-undecodable-retry').click();
    await page.getByTestId('read-options').waitFor();
    expect(await page.getByTestId('read-summary').textContent()).toContain('Windows-1252');
    // The "é" came through as é, not as a replacement character.
    expect(await page.locator('.preview').textContent()).toContain('Café-au-lait');
    const rows = await runAndExport('cp1252.csv');
    expect(rows).toHaveLength(REPORTS.length);
  });
});

describe('delimiter and header row', () => {
  it('detects ";" and lets the user change the delimiter', async () => {
    const { page } = app;
    await choose('semicolon.csv', utf8Csv.replace(/,/g, ';').replace('Café-au-lait; no', 'Café-au-lait: no'));
    await page.getByTestId('read-options').waitFor();
    expect(await page.getByTestId('read-delimiter').locator('option[value="auto"]').textContent()).toContain('semicolon');
    expect(await page.getByTestId('text-columns').getByRole('checkbox').count()).toBe(2);
    await page.getByTestId('read-delimiter').selectOption(',');
    await expect.poll(() => page.getByTestId('text-columns').getByRole('checkbox').count()).toBe(1);
    expect(await page.getByTestId('read-summary').textContent()).toContain('comma-separated');
    await page.getByTestId('read-delimiter').selectOption('auto');
    await expect.poll(() => page.getByTestId('text-columns').getByRole('checkbox').count()).toBe(2);
  });

  it('a file without a header row: detected, the user told, every row labeled; "names the columns" switches back', async () => {
    const { page } = app;
    const noHeader = REPORTS.map((r, i) => csvLine([`CXR${100 + i}`, r])).join('');
    await choose('no-header.csv', noHeader);
    await page.getByTestId('read-no-header').waitFor();
    expect(await page.getByTestId('read-header').locator('option[value="auto"]').textContent()).toContain('found: data');
    const names = await page.getByTestId('text-columns').locator('label').allTextContents();
    expect(names.map((n) => n.trim())).toEqual(['column_1', 'column_2']);
    await page.getByTestId('read-header').selectOption('yes');
    await expect.poll(async () => (await page.getByTestId('text-columns').locator('label').allTextContents()).map((n) => n.trim())).toEqual(['CXR100', REPORTS[0]]);
    await page.getByTestId('read-header').selectOption('auto');
    await expect.poll(async () => (await page.getByTestId('text-columns').locator('label').allTextContents()).map((n) => n.trim())).toEqual(['column_1', 'column_2']);
    const rows = await runAndExport('no-header.csv');
    expect(rows.map((r) => r.findings)).toEqual(REPORTS.map(findingsOf));
  });
});

describe('id columns', () => {
  it('recognises an id column by its common name ("Accession Number", "MRN")', async () => {
    const { page } = app;
    for (const name of ['Accession Number', 'MRN']) {
      await choose(`ids-${name.replace(' ', '-')}.csv`, csvLine(['site', name, 'report']) + REPORTS.map((r, i) => csvLine(['A', `X${i}`, r])).join(''));
      const ids = page.getByTestId('id-columns');
      await ids.waitFor();
      const ticked = await ids.locator('label').filter({ has: page.locator('input:checked') }).allTextContents();
      expect(ticked.map((t) => t.trim())).toEqual([name]);
    }
  });
});

describe('duplicate column names', () => {
  it('flags them and labels the one the user picks', async () => {
    const { page } = app;
    const dup = csvLine(['id', 'report', 'report']) + REPORTS.map((r, i) => csvLine([String(i + 1), 'see addendum', r])).join('');
    await choose('duplicates.csv', dup);
    const notice = page.getByTestId('read-duplicate');
    await notice.waitFor();
    expect(await notice.textContent()).toMatch(/2 columns are named “report” \(columns 2 and 3\).*“report \(1\)” and “report \(2\)”/s);
    const text = page.getByTestId('text-columns');
    for (const label of await text.locator('label').all()) {
      const name = (await label.textContent())?.trim();
      const box = label.getByRole('checkbox');
      await box.setChecked(name === 'report (2)');
    }
    const rows = await runAndExport('duplicates.csv');
    expect(rows.map((r) => r.findings)).toEqual(REPORTS.map(findingsOf));
  });
});
