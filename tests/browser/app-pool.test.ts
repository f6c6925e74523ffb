/**
 * A batch on several workers: with 2 helper workers beside the batch worker, a reload in the middle of the job
 * and a resume leave every row stored exactly once, in order (no gap, no duplicate), with the labels Node gives
 * and each row's text and evidence (stored by the helpers themselves) at its own row.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { downloadText, expectedCsv, jobRows, syntheticCsv, useApp, waitForJobState } from './app-helpers.ts';

const ROWS = 60_000;
const NAME = `pool-${ROWS}.csv`;
const dir = mkdtempSync(join(tmpdir(), 'radreportx-pool-'));
const file = join(dir, NAME);
const { ids, reports, csvText } = syntheticCsv(ROWS, 21, 'P');
writeFileSync(file, csvText);

const app = useApp('#batch');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('labels on the batch worker and 2 helpers, and a reload mid-batch leaves 0 gaps and 0 duplicates', { timeout: 300_000 }, async () => {
  const { page } = app;
  await page.getByTestId('batch-file').setInputFiles(file);
  await page.getByTestId('text-columns').getByLabel('report').waitFor();
  const helpers = page.getByTestId('batch-helpers');
  await helpers.fill('2');
  await helpers.dispatchEvent('change');
  await expect.poll(() => page.evaluate(() => localStorage.getItem('radreportx.labelingHelpers'))).toBe('2');
  await page.getByTestId('batch-start').click();
  await waitForJobState(page, NAME, 'running');
  const card = page.locator('[data-testid="job-card"]', { hasText: NAME });
  // Both helpers returned rows: the card says the run is on 3 workers.
  await expect.poll(() => card.getByTestId('job-workers').getAttribute('data-workers').catch(() => null), { timeout: 120_000, interval: 100 }).toBe('3');
  await expect.poll(() => jobRows(page, NAME), { timeout: 120_000, interval: 100 }).toBeGreaterThanOrEqual(5000);

  await page.reload();
  await waitForJobState(page, NAME, 'interrupted', 30_000);
  const stored = await jobRows(page, NAME);
  expect(stored).toBeGreaterThanOrEqual(5000);
  expect(stored).toBeLessThan(ROWS);
  // The setting outlives the reload.
  await expect.poll(() => page.evaluate(() => localStorage.getItem('radreportx.labelingHelpers'))).toBe('2');

  // The stored cursor is one row number: rows 1..stored are there, in order, each once.
  const { text: partial } = await downloadText(page, () => card.getByTestId('export-csv').click());
  expect(partial.trimEnd().split('\n').slice(1).map((l) => l.split(',')[0])).toEqual(ids.slice(0, stored));

  await card.getByTestId('job-resume').click();
  await waitForJobState(page, NAME, 'done', 240_000);
  expect(await jobRows(page, NAME)).toBe(ROWS);
  const { text } = await downloadText(page, () => card.getByTestId('export-csv').click());
  const exported = text.trimEnd().split('\n').slice(1).map((l) => l.split(',')[0]);
  expect(exported.length).toBe(ROWS);
  expect(new Set(exported).size).toBe(ROWS);
  expect(exported).toEqual(ids);
  expect(text).toBe(expectedCsv(csvText, ['report'], ['study_id'], 'findings'));
  // The details (text and evidence) that helpers stored themselves sit at the right rows.
  const { text: jsonl } = await downloadText(page, () => card.getByTestId('export-jsonl').click());
  const lines = jsonl.trimEnd().split('\n').map((l) => JSON.parse(l));
  expect(lines.length).toBe(ROWS);
  lines.forEach((l, i) => {
    if (l.ids.study_id !== ids[i] || l.text !== reports[i]) throw new Error(`JSONL line ${i + 1} holds the wrong row (${l.ids.study_id}).`);
  });
  const evidenced = lines.find((l) => l.findings['Pleural Effusion'] === 'positive');
  const mention = evidenced.evidence.find((e: { finding: string }) => e.finding === 'Pleural Effusion').mention;
  expect(evidenced.text.slice(mention.start, mention.end)).toBe(mention.text);
  expect(app.blocked).toEqual([]);
  expect(app.pageErrors).toEqual([]);
});
