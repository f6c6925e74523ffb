/**
 * Accessibility: axe-core on every tab of the built app, each in a state with real content (a labeled report,
 * a finished job, its results, an evaluation, the Privacy panel and its confirmation dialog). No serious or
 * critical violation is allowed.
 */
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { chooseBatchFile, runBatch } from './batch-ui.ts';
import { haveIuReports, ROOT, isolatedContext } from './harness.ts';
import { recordCspViolations } from './page-helpers.ts';
import { useSiteAndBrowser } from './site-session.ts';

const REPORTS = join(ROOT, '../shared/data/iu-xray/indiana_reports.csv');
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const site = useSiteAndBrowser();

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/**
 * Runs axe in the page. The source goes in through DevTools evaluation, which the page's CSP does not govern,
 * so the test runs against the real policy (no bypassCSP) and would also catch a violation axe itself caused.
 */
async function axe(page: Page): Promise<Violation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE);
  return page.evaluate(async () => {
    const result = await (window as unknown as { axe: { run(c: Document, o: object): Promise<{ violations: Violation[] }> } }).axe.run(document, {
      resultTypes: ['violations'],
    });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
  });
}

const serious = (vs: Violation[]) =>
  vs.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);

it.skipIf(!haveIuReports('a11y (every tab filled with the real IU X-ray reports)'))('has no serious or critical axe violation on any tab', async () => {
  const { context } = await isolatedContext(site.browser, { acceptDownloads: true });
  const page = await context.newPage();
  const violations = await recordCspViolations(page);
  await page.goto(`${site.server.origin}/`);
  const found: Record<string, string[]> = {};
  const check = async (name: string) => {
    await page.waitForTimeout(300);
    found[name] = serious(await axe(page));
  };

  await page.getByTestId('tab-single').click();
  await page.getByTestId('report-input').fill('FINDINGS: Heart size is enlarged. Possible right lower lobe pneumonia. No pneumothorax.');
  await page.getByTestId('findings-table').waitFor();
  await check('single');

  await chooseBatchFile(page, REPORTS, ['findings', 'impression'], ['uid']);
  await check('batch (file chosen)');
  await runBatch(page, 90_000);
  await check('batch (job done)');

  await page.getByTestId('job-open-results').first().click();
  await page.getByTestId('results-view').waitFor();
  await page.getByTestId('open-row').first().click().catch(() => undefined);
  await check('results');

  const dir = mkdtempSync(join(tmpdir(), 'rrx-a11y-'));
  const truth = join(dir, 'truth.csv');
  writeFileSync(truth, await truthFile());
  await page.getByTestId('tab-evaluate').click();
  await check('evaluate (empty)');
  await page.getByTestId('eval-reference-file').setInputFiles(truth);
  await page.getByTestId('eval-reference-join').waitFor();
  await page.getByTestId('eval-run').click();
  await page.getByTestId('eval-metrics').waitFor({ timeout: 60_000 });
  await page.getByTestId('eval-disagreement').first().click();
  await check('evaluate (results)');

  await page.getByTestId('tab-privacy').click();
  await page.getByTestId('storage-usage').waitFor();
  await check('privacy');
  await page.getByTestId('storage-delete').click();
  await check('privacy (confirmation dialog)');
  await page.keyboard.press('Escape');

  // Every tab, including any added later (a tab not listed above is still checked in its first state).
  const tabs = await page.locator('[role=tab]').evaluateAll((els) => els.map((e) => e.id));
  expect(tabs.length).toBeGreaterThanOrEqual(5);
  for (const id of tabs) {
    await page.locator(`#${id}`).click();
    await check(`tab ${id}`);
  }
  await page.screenshot({ path: '/tmp/a11y-last.png', fullPage: true });
  expect(Object.keys(found).length).toBe(8 + tabs.length);
  expect(found).toEqual(Object.fromEntries(Object.keys(found).map((k) => [k, []])));
  expect(violations).toEqual([]);
  await context.close();
});

/** Reference labels for the IU reports, from the data set's own truth.mjs. */
async function truthFile(): Promise<string> {
  const { execFileSync } = await import('node:child_process');
  return execFileSync(process.execPath, [join(ROOT, '../shared/data/iu-xray/truth.mjs'), REPORTS], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}
