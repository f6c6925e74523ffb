/**
 * Driving the app's batch screen from a test or benchmark (test ids from src/ui/batch): pick a CSV, tick the
 * text and id columns, start, wait for the job to finish. Shared by the privacy and evaluate tests and bench.ts.
 */
import type { Locator, Page } from 'playwright-core';

export interface BatchRun {
  job: Locator;
  rows: number;
  /** Milliseconds from the Start click to the job showing done. */
  elapsedMs: number;
}

/** Resolves once the service worker controls the page, i.e. it has installed (precached) the app shell. */
export async function waitForServiceWorker(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }));
    }
  });
}

export async function chooseBatchFile(page: Page, file: string, textColumns: string[], idColumns: string[]): Promise<void> {
  await page.getByTestId('tab-batch').click();
  await page.getByTestId('batch-file').setInputFiles(file);
  await setChecked(page.getByTestId('text-columns'), textColumns);
  await setChecked(page.getByTestId('id-columns'), idColumns);
}

/** Ticks exactly `columns` among the checkboxes of a column picker. */
async function setChecked(group: Locator, columns: string[]): Promise<void> {
  await group.waitFor();
  const boxes = group.getByRole('checkbox');
  for (let i = 0; i < (await boxes.count()); i++) {
    const box = boxes.nth(i);
    const name = (await box.locator('xpath=..').textContent())?.trim() ?? '';
    const want = columns.includes(name);
    if ((await box.isChecked()) !== want) await box.setChecked(want);
  }
}

/** Clicks Start and waits for the newest job to be done. */
export async function runBatch(page: Page, timeoutMs = 120_000, onTick?: () => void | Promise<void>): Promise<BatchRun> {
  const started = Date.now();
  await page.getByTestId('batch-start').click();
  const job = page.getByTestId('job-card').first();
  for (;;) {
    const state = await job.getAttribute('data-state').catch(() => null);
    if (state === 'done') break;
    if (state === 'error' || state === 'cancelled') throw new Error(`The batch job stopped: ${await job.textContent()}`);
    if (Date.now() - started > timeoutMs) throw new Error(`The batch job did not finish in ${timeoutMs / 1000} s.`);
    await onTick?.();
    await page.waitForTimeout(100);
  }
  const elapsedMs = Date.now() - started;
  const rows = Number(await job.getByTestId('job-rows').getAttribute('data-rows'));
  return { job, rows, elapsedMs };
}
