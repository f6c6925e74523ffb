/**
 * Nothing is lost: a batch paused, resumed, then killed by a reload mid-way resumes from its stored cursor, and
 * the export holds every input id exactly once, in order, with the labels the core engine gives in Node.
 * Also watches the main thread: labeling runs in the worker, so no page task may take 100 ms or more.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { downloadText, expectedCsv, jobRows, syntheticCsv, useApp, waitForJobState } from './app-helpers.ts';

// Large enough that the job is still running when the test pauses, reloads and cancels it, even on an idle fast
// machine (the engine labels several thousand rows a second in the page).
const ROWS = 60_000;
const NAME = `synthetic-${ROWS}.csv`;
const dir = mkdtempSync(join(tmpdir(), 'radreportx-resume-'));
const file = join(dir, NAME);
const { ids, csvText } = syntheticCsv(ROWS, 7, 'S');
writeFileSync(file, csvText);

const app = useApp('#batch');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function watchLongTasks() {
  await app.page.evaluate(() => {
    const w = window as unknown as { __long: number[] };
    w.__long = [];
    new PerformanceObserver((list) => list.getEntries().forEach((e) => w.__long.push(e.duration))).observe({ type: 'longtask', buffered: false });
  });
}
const longTasks = () => app.page.evaluate(() => (window as unknown as { __long: number[] }).__long);

async function waitForRows(atLeast: number) {
  await expect.poll(() => jobRows(app.page, NAME), { timeout: 120_000, interval: 100 }).toBeGreaterThanOrEqual(atLeast);
}

describe('resuming a batch', () => {
  it('pauses and resumes a running job', async () => {
    await app.page.getByTestId('batch-file').setInputFiles(file);
    await app.page.getByTestId('text-columns').getByLabel('report').waitFor();
    expect(await app.page.getByTestId('id-columns').getByLabel('study_id').isChecked()).toBe(true);
    await app.page.getByTestId('batch-start').click();
    await waitForJobState(app.page, NAME, 'running');
    // From here on the batch runs: the page only renders progress.
    await watchLongTasks();
    await waitForRows(2000);
    const card = app.page.locator('[data-testid="job-card"]', { hasText: NAME });
    const stats = await card.getByTestId('job-stats').textContent();
    expect(stats).toMatch(/rows\/s/);
    expect(stats).toMatch(/left/);
    await card.getByTestId('job-pause').click();
    await waitForJobState(app.page, NAME, 'paused');
    // Pausing keeps every row labeled so far, not only whole chunks.
    const paused = await jobRows(app.page, NAME);
    expect(paused).toBeGreaterThanOrEqual(2000);
    expect(paused).toBeLessThan(ROWS);
    // Paused means stopped: the cursor does not move.
    await app.page.waitForTimeout(1000);
    expect(await jobRows(app.page, NAME)).toBe(paused);
    expect(await card.getByTestId('job-resume').textContent()).toContain(`row ${(paused + 1).toLocaleString('en')}`);

    await card.getByTestId('job-resume').click();
    await waitForRows(paused + 2000);
    const long = await longTasks();
    expect(long.filter((d) => d >= 100), `main-thread tasks: ${long.map(Math.round).join(', ')} ms`).toEqual([]);
  });

  it('survives a reload in the middle of the batch and resumes with no gap and no duplicate', async () => {
    const before = await jobRows(app.page, NAME);
    await app.page.reload();
    await waitForJobState(app.page, NAME, 'interrupted', 30_000);
    const stored = await jobRows(app.page, NAME);
    expect(stored).toBeGreaterThanOrEqual(before);
    expect(stored).toBeLessThan(ROWS);

    const card = app.page.locator('[data-testid="job-card"]', { hasText: NAME });
    await card.getByTestId('job-resume').click();
    await waitForJobState(app.page, NAME, 'done', 180_000);
    expect(await jobRows(app.page, NAME)).toBe(ROWS);

    const { text } = await downloadText(app.page, () => card.getByTestId('export-csv').click());
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('study_id,findings,status,Atelectasis,Cardiomegaly,Consolidation,Edema,Enlarged Cardiomediastinum,Fracture,Lung Lesion,Lung Opacity,Pleural Effusion,Pleural Other,Pneumonia,Pneumothorax,Support Devices');
    const exportedIds = lines.slice(1).map((l) => l.split(',')[0]);
    expect(exportedIds.length).toBe(ROWS);
    expect(new Set(exportedIds).size).toBe(ROWS);
    expect(exportedIds).toEqual(ids);
    expect(text).toBe(expectedCsv(csvText, ['report'], ['study_id'], 'findings'));
  });

  it('cancels a running job and keeps the rows it stored, in order', async () => {
    await app.page.getByTestId('batch-file').setInputFiles(file);
    await app.page.getByTestId('batch-start').click();
    const card = app.page.locator('[data-testid="job-card"][data-state="running"]', { hasText: NAME });
    await card.waitFor();
    const jobId = await card.getAttribute('data-job-id');
    const mine = app.page.locator(`[data-job-id="${jobId}"]`);
    await expect.poll(async () => Number(await mine.getByTestId('job-rows').getAttribute('data-rows')), { timeout: 120_000, interval: 100 }).toBeGreaterThanOrEqual(1000);
    await mine.getByTestId('job-cancel').click();
    await expect.poll(() => mine.getAttribute('data-state'), { timeout: 30_000 }).toBe('cancelled');
    const kept = Number(await mine.getByTestId('job-rows').getAttribute('data-rows'));
    await app.page.waitForTimeout(1000);
    expect(Number(await mine.getByTestId('job-rows').getAttribute('data-rows'))).toBe(kept);
    expect(await mine.getByTestId('job-resume').count()).toBe(0);
    const { text } = await downloadText(app.page, () => mine.getByTestId('export-csv').click());
    expect(text.trimEnd().split('\n').slice(1).map((l) => l.split(',')[0])).toEqual(ids.slice(0, kept));
  });

  it('made no request beyond 127.0.0.1 and opened no dialog', () => {
    expect(app.blocked).toEqual([]);
    expect(app.dialogs).toEqual([]);
    expect(app.pageErrors).toEqual([]);
  });
});
