/**
 * Jobs and results as a new user meets them: the job card (counts, start time, duration, engine and version, an
 * editable name, delete with confirmation, focus after Start), a job running in another tab (shown running
 * with live progress, paused from there, interrupted once that tab closes), Results opening the only job, its
 * ICD-10 view (code prevalence, filter by code and by text, the same counts as the core in Node) and the
 * prevalence chart's labels, whole at 1280 px.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { csvLine } from '../../src/lib/csv/write.ts';
import { labelReport, RULES_ENGINE_INFO } from '../../src/lib/rules/index.ts';
import { generateReports } from '../../src/lib/synthetic.ts';
import { chooseBatchFile } from './batch-ui.ts';
import { jobRows, useApp, waitForJobState } from './app-helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'radreportx-jobs-'));
const SMALL = 'small-both.csv';
const reports = generateReports(300, 11);
// One empty report and one row with a field too many, so every count but unparsed is non-zero.
const smallRows = reports.map((r, i) => [`A${i + 1}`, i === 5 ? '' : r]);
const smallCsv = csvLine(['accession', 'report']) + smallRows.map((r) => csvLine(r)).join('') + 'A301,"Mild cardiomegaly.",extra\n';
writeFileSync(join(dir, SMALL), smallCsv);

const BIG = 'big.csv';
const bigReports = generateReports(40_000, 5);
writeFileSync(join(dir, BIG), csvLine(['id', 'report']) + bigReports.map((r, i) => csvLine([`B${i + 1}`, r])).join(''));

const app = useApp('#batch');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// What the core gives in Node for the small file: row statuses and ICD-10 codes per row.
const node = smallRows.map(([, text]) => (text.trim() ? labelReport(text, { task: 'both' }) : undefined));
const codeRows = new Map<string, number>();
for (const r of node) for (const code of new Set((r?.icd10 ?? []).map((i) => i.code))) codeRows.set(code, (codeRows.get(code) ?? 0) + 1);

describe('job cards', () => {
  it('after Start, focus is on the new job card; the card shows counts, start time, duration, engine and version', async () => {
    const { page } = app;
    await chooseBatchFile(page, join(dir, SMALL), ['report'], ['accession']);
    await page.getByTestId('batch-task').selectOption('both');
    await page.getByTestId('batch-start').click();
    await waitForJobState(page, SMALL, 'done');
    const card = page.locator('[data-testid="job-card"]', { hasText: SMALL });
    await expect.poll(() => page.evaluate(() => document.activeElement?.closest('[data-testid="job-card"]')?.textContent?.includes('small-both.csv') ?? false)).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('H3');

    expect(await card.getByTestId('job-count-ok').textContent()).toBe(`${node.filter(Boolean).length} ok`);
    expect(await card.getByTestId('job-count-empty').textContent()).toBe('1 empty');
    expect(await card.getByTestId('job-count-error').textContent()).toBe('1 error');
    expect(await card.getByTestId('job-count-unparsed').textContent()).toBe('0 unparsed');
    expect(await card.getByTestId('job-engine').textContent()).toBe(`rules ${RULES_ENGINE_INFO.version}`);
    const when = (await card.getByTestId('job-when').textContent()) ?? '';
    expect(when).toMatch(/Started \d{2}\/\d{2}\/\d{4}, \d{2}:\d{2}:\d{2} · took \d+ (s|min)/);
    const iso = await card.locator('time').getAttribute('datetime');
    expect(Math.abs(Date.parse(iso!) - Date.now())).toBeLessThan(5 * 60_000);
  });

  it('renames a job (kept after a reload) and asks before deleting it', async () => {
    const { page } = app;
    const id = await page.locator('[data-testid="job-card"]', { hasText: SMALL }).getAttribute('data-job-id');
    const card = page.locator(`[data-testid="job-card"][data-job-id="${id}"]`);
    await card.getByTestId('job-rename').click();
    expect(await card.getByTestId('job-name-input').inputValue()).toBe(SMALL);
    await card.getByTestId('job-name-input').fill('Chest X-rays, March');
    await card.getByTestId('job-name-input').press('Enter');
    await expect.poll(() => card.getByTestId('job-name').textContent()).toBe('Chest X-rays, March');
    await page.reload();
    const renamed = page.locator('[data-testid="job-card"]', { hasText: 'Chest X-rays, March' });
    await renamed.waitFor();
    expect(await renamed.getByTestId('job-meta').textContent()).toContain(SMALL);

    await renamed.getByTestId('job-delete').click();
    const confirm = renamed.getByTestId('job-delete-confirm');
    await confirm.waitFor();
    expect(await confirm.textContent()).toContain('Delete “Chest X-rays, March” and its 301 labeled rows');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('job-delete-yes');
    await renamed.getByTestId('job-delete-no').click();
    expect(await renamed.getByTestId('job-delete-confirm').count()).toBe(0);
    expect(await page.getByTestId('job-card').count()).toBe(1);
  });
});

describe('results', () => {
  it('opens the only job without a dropdown, with the chart labels whole at 1280 px', async () => {
    const { page } = app;
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByTestId('tab-results').click();
    await page.getByTestId('prevalence-chart').waitFor();
    expect(await page.getByTestId('results-job').count()).toBe(0);
    expect(await page.getByTestId('results-only-job').textContent()).toContain('Chest X-rays, March');
    const clipped = await page.getByTestId('prevalence-chart').evaluate((fig) => {
      const box = fig.getBoundingClientRect();
      return [...fig.querySelectorAll('.chart-label, .chart-value')]
        .filter((el) => {
          const r = el.getBoundingClientRect();
          return el.scrollWidth > el.clientWidth + 1 || r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.width === 0;
        })
        .map((el) => el.textContent);
    });
    expect(clipped).toEqual([]);
    expect(await page.locator('.chart-label').count()).toBe(14);
  });

  it('has an ICD-10 view: code prevalence, filter by code and by text, with the core\'s counts', async () => {
    const { page } = app;
    await page.getByTestId('results-view-icd10').click();
    const table = page.getByTestId('icd10-prevalence');
    await table.waitFor();
    const shown = await table.locator('tbody tr').evaluateAll((trs) =>
      trs.map((tr) => [tr.querySelector('[data-testid="icd10-code"]')!.textContent!, Number(tr.querySelector('[data-testid="icd10-code-rows"]')!.firstChild!.textContent!.replace(/,/g, ''))] as [string, number]),
    );
    expect(new Map(shown)).toEqual(codeRows);
    expect(shown.length).toBeGreaterThan(2);
    const [topCode, topRows] = shown[0];
    expect(topRows).toBe(Math.max(...codeRows.values()));

    await table.getByTestId('icd10-code').first().click();
    await expect.poll(() => page.getByTestId('icd10-count').textContent()).toBe(`${topRows} rows`);
    expect(await page.getByTestId('icd10-filter-code').inputValue()).toBe(topCode);

    await page.getByTestId('icd10-filter-code').selectOption('');
    await page.getByTestId('icd10-search').fill('effusion');
    const withEffusion = node.filter((r) => r?.icd10?.some((i) => `${i.code} ${i.phrase} ${i.title ?? ''}`.toLowerCase().includes('effusion'))).length;
    expect(withEffusion).toBeGreaterThan(0);
    await expect.poll(() => page.getByTestId('icd10-count').textContent()).toBe(`${withEffusion} rows`);
    await page.getByTestId('icd10-open-row').first().click();
    await page.getByTestId('row-detail').waitFor();
  });
});

describe('a job in another tab', () => {
  it('shows as running there with live progress, pauses from there, and is interrupted once its tab closes', async () => {
    const { page, context } = app;
    await chooseBatchFile(page, join(dir, BIG), ['report'], ['id']);
    await page.getByTestId('batch-start').click();
    await waitForJobState(page, BIG, 'running');

    const other = await context.newPage();
    await other.goto(`${app.server.origin}/#batch`);
    const there = other.locator('[data-testid="job-card"]', { hasText: BIG });
    await waitForJobState(other, BIG, 'running', 30_000);
    expect(await there.getAttribute('data-elsewhere')).toBe('true');
    expect(await there.getByTestId('job-state').textContent()).toBe('Running in another tab');
    expect(await there.getByTestId('job-resume').count()).toBe(0);
    const first = await jobRows(other, BIG);
    await expect.poll(() => jobRows(other, BIG), { timeout: 20_000 }).toBeGreaterThan(first);

    // Pause from the other tab: the tab that runs the job pauses it.
    await there.getByTestId('job-pause').click();
    await waitForJobState(page, BIG, 'paused', 30_000);
    await waitForJobState(other, BIG, 'paused', 30_000);

    // Resume in the first tab, then close it: the other tab sees the job interrupted (its lock is gone).
    await page.locator('[data-testid="job-card"]', { hasText: BIG }).getByTestId('job-resume').click();
    await waitForJobState(other, BIG, 'running', 30_000);
    await page.close();
    await waitForJobState(other, BIG, 'interrupted', 30_000);
    expect(await there.getByTestId('job-resume').count()).toBe(1);
    app.page = other;

    // Delete, confirmed: the job and its card are gone.
    const before = await other.getByTestId('job-card').count();
    await there.getByTestId('job-delete').click();
    await there.getByTestId('job-delete-yes').click();
    await expect.poll(() => other.getByTestId('job-card').count()).toBe(before - 1);
    expect(await other.locator('[data-testid="job-card"]', { hasText: BIG }).count()).toBe(0);
  });
});
