/**
 * Helpers for the app's browser tests: open the built site in an isolated Chromium, read downloads, and label a
 * CSV in Node with the same core engine, to compare the page's exports against.
 */
import { readFile } from 'node:fs/promises';
import Papa from 'papaparse';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { layoutFor, prepareRow } from '../../src/lib/csv/records.ts';
import { csvLine } from '../../src/lib/csv/write.ts';
import { outputColumns, outputRecord } from '../../src/lib/output.ts';
import type { Task } from '../../src/lib/result.ts';
import { labelReport } from '../../src/lib/rules/engine.ts';
import { generateReports } from '../../src/lib/synthetic.ts';
import { isolatedContext, launchBrowser, serveSite, type SiteServer } from './harness.ts';

export interface AppSession {
  server: SiteServer;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  blocked: string[];
  /** Messages of any dialog the page opened (window.alert and friends): must stay empty. */
  dialogs: string[];
  pageErrors: string[];
  close(): Promise<void>;
}

export async function openApp(hash = '', viewport = { width: 1280, height: 900 }): Promise<AppSession> {
  const server = await serveSite();
  const browser = await launchBrowser();
  // No service worker: it would cache files across reloads; these tests exercise the page itself (the offline
  // tests cover the service worker).
  const { context, blocked } = await isolatedContext(browser, { viewport, acceptDownloads: true, serviceWorkers: 'block' });
  const page = await context.newPage();
  const dialogs: string[] = [];
  const pageErrors: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`${server.origin}/${hash}`);
  return {
    server,
    browser,
    context,
    page,
    blocked,
    dialogs,
    pageErrors,
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

/**
 * The app opened (openApp) before the tests of one file and closed after them, as useSiteAndBrowser does for the
 * bare site. Its fields are there once the tests run; `open` false (input missing) leaves it closed and empty.
 */
export function useApp(hash: string, open = true): AppSession {
  const session = {} as AppSession;
  beforeAll(async () => {
    if (open) Object.assign(session, await openApp(hash));
  });
  afterAll(async () => {
    await session.close?.();
  });
  return session;
}

/** Clicks a button that downloads a file and returns the file's text. */
export async function downloadText(page: Page, click: () => Promise<void>): Promise<{ name: string; text: string }> {
  const [download] = await Promise.all([page.waitForEvent('download'), click()]);
  const path = await download.path();
  return { name: download.suggestedFilename(), text: await readFile(path, 'utf8') };
}

/** What the CLI's `label` would write for this CSV text: the same columns, rows and codes, labeled in Node. */
export function expectedCsv(csvText: string, textColumns: string[], idColumns: string[], task: Task): string {
  const parsed = Papa.parse<string[]>(csvText.replace(/^\uFEFF/, ''), { skipEmptyLines: true });
  const [header, ...rows] = parsed.data;
  // The core's layout, as `label` resolves it: several text columns are joined under their headings.
  const layout = layoutFor(header, textColumns, idColumns);
  let out = csvLine(outputColumns(idColumns, task));
  rows.forEach((fields, i) => {
    const row = prepareRow(fields, layout, i + 1);
    if (!row.ok) throw new Error(`Test CSV row ${i + 1} is malformed: ${row.message}`);
    out += csvLine(outputRecord(row.ids, labelReport(row.text, { task }), task));
  });
  return out;
}

/** Waits until the job card for `fileName` shows `state` (running, paused, interrupted, done, ...). */
export async function waitForJobState(page: Page, fileName: string, state: string, timeout = 120_000): Promise<void> {
  await page.locator(`[data-testid="job-card"][data-state="${state}"]`, { hasText: fileName }).waitFor({ timeout });
}

/** Rows the job card for `fileName` reports as stored. */
export async function jobRows(page: Page, fileName: string): Promise<number> {
  const v = await page.locator('[data-testid="job-card"]', { hasText: fileName }).getByTestId('job-rows').getAttribute('data-rows');
  return Number(v);
}

/** A generated `study_id,report` CSV of `rows` reports (ids `<prefix>000001`…), with its ids and reports for checks. */
export function syntheticCsv(rows: number, seed: number, idPrefix: string): { ids: string[]; reports: string[]; csvText: string } {
  const ids = Array.from({ length: rows }, (_, i) => `${idPrefix}${String(i + 1).padStart(6, '0')}`);
  const reports = generateReports(rows, seed);
  const csvText = csvLine(['study_id', 'report']) + ids.map((id, i) => csvLine([id, reports[i]])).join('');
  return { ids, reports, csvText };
}
