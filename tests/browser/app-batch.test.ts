/**
 * The batch flow on the 3,851 real IU X-ray reports: column detection, labeling in the worker, exports checked
 * row by row against the core engine run in Node on the same file, and the results view.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';

import { labelReport } from '../../src/lib/rules/engine.ts';
import { downloadText, expectedCsv, useApp, waitForJobState } from './app-helpers.ts';
import { haveIuReports, ROOT } from './harness.ts';

const IU = join(ROOT, '../shared/data/iu-xray/indiana_reports.csv');
const NAME = 'indiana_reports.csv';
const HAVE_IU = haveIuReports('app-batch (the batch flow on the real IU X-ray reports)');
const csvText = HAVE_IU ? readFileSync(IU, 'utf8') : '';

const app = useApp('#batch', HAVE_IU);

describe.skipIf(!HAVE_IU)('batch labeling of a real CSV', () => {
  it('detects the text and id columns from the header', async () => {
    await app.page.getByTestId('batch-file').setInputFiles(IU);
    const text = app.page.getByTestId('text-columns');
    await text.waitFor();
    expect(await text.getByLabel('findings').isChecked()).toBe(true);
    expect(await text.getByLabel('impression').isChecked()).toBe(true);
    expect(await text.getByLabel('indication').isChecked()).toBe(false);
    expect(await app.page.getByTestId('id-columns').getByLabel('uid').isChecked()).toBe(true);
  });

  it('labels every row and exports the same CSV the core engine gives in Node', async () => {
    await app.page.getByTestId('batch-task').selectOption('both');
    await app.page.getByTestId('batch-start').click();
    await waitForJobState(app.page, NAME, 'done', 180_000);
    const card = app.page.locator('[data-testid="job-card"]', { hasText: NAME });
    expect(await card.getByTestId('job-rows').getAttribute('data-rows')).toBe('3851');

    const { name, text } = await downloadText(app.page, () => card.getByTestId('export-csv').click());
    expect(name).toBe('indiana_reports.labels.csv');
    const expected = expectedCsv(csvText, ['findings', 'impression'], ['uid'], 'both');
    const got = text.split('\n');
    const want = expected.split('\n');
    expect(got.length).toBe(want.length);
    // Row by row, so a failure names the first row that differs.
    for (let i = 0; i < want.length; i++) if (got[i] !== want[i]) expect({ line: i, got: got[i] }).toEqual({ line: i, got: want[i] });
  });

  it('exports JSONL with one object per row, in order, with evidence', async () => {
    const card = app.page.locator('[data-testid="job-card"]', { hasText: NAME });
    const { text } = await downloadText(app.page, () => card.getByTestId('export-jsonl').click());
    const lines = text.trimEnd().split('\n').map((l) => JSON.parse(l));
    const rows = Papa.parse<Record<string, string>>(csvText, { header: true, skipEmptyLines: true }).data;
    expect(lines.length).toBe(rows.length);
    lines.forEach((l, i) => expect(l.ids.uid).toBe(rows[i].uid));
    const i = lines.findIndex((l) => l.findings?.['Pleural Effusion'] === 'positive');
    expect(i).toBeGreaterThanOrEqual(0);
    expect(lines[i].evidence.some((e: { finding: string }) => e.finding === 'Pleural Effusion')).toBe(true);
    expect(lines[i].icd10).toBeInstanceOf(Array);
  });

  it('shows results: prevalence, filters that match Node counts, and a row with its evidence', async () => {
    const card = app.page.locator('[data-testid="job-card"]', { hasText: NAME });
    await card.getByTestId('job-open-results').click();
    const chart = app.page.getByTestId('prevalence-chart');
    await chart.waitFor();
    expect(await chart.locator('.chart-label', { hasText: 'Pleural Effusion' }).count()).toBe(1);

    const rows = Papa.parse<Record<string, string>>(csvText, { header: true, skipEmptyLines: true }).data;
    const effusion = rows.filter((r) => labelReport([r.findings, r.impression].filter((s) => s.trim()).join('\n\n')).findings['Pleural Effusion'] === 'positive').length;
    await app.page.getByTestId('filter-finding').selectOption('Pleural Effusion');
    await app.page.getByTestId('filter-status').selectOption('positive');
    await expect.poll(() => app.page.getByTestId('results-count').textContent()).toBe(`${effusion.toLocaleString('en')} of 3,851 rows`);

    // Only a window of rows is in the DOM, however many match.
    await app.page.getByTestId('filter-finding').selectOption('all');
    await expect.poll(() => app.page.getByTestId('results-count').textContent()).toBe('3,851 of 3,851 rows');
    expect(await app.page.getByTestId('open-row').count()).toBeLessThan(60);
    await app.page.getByTestId('results-viewport').evaluate((el) => (el.scrollTop = 34 * 3000));
    await expect.poll(() => app.page.getByTestId('open-row').first().textContent()).not.toBe(rows[0].uid);

    await app.page.getByTestId('filter-finding').selectOption('Pleural Effusion');
    await app.page.getByTestId('open-row').first().click();
    const detail = app.page.getByTestId('row-detail');
    await detail.waitFor();
    const marks = await detail.locator('mark[data-finding="Pleural Effusion"]').count();
    expect(marks).toBeGreaterThan(0);
    expect(await detail.locator('tr[data-finding="Pleural Effusion"]').getAttribute('data-status')).toBe('positive');
    await app.page.screenshot({ path: '/tmp/radreportx-app-results.png', fullPage: true });
  });

  it('made no request beyond 127.0.0.1 and opened no dialog', () => {
    expect(app.blocked).toEqual([]);
    expect(app.dialogs).toEqual([]);
    expect(app.pageErrors).toEqual([]);
  });
});
