/**
 * The Evaluate view shows the numbers `radreportx evaluate` prints for the same files: real IU X-ray reports
 * labeled in the app (a stored job, and its CSV export) against the reference labels derived by truth.mjs.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Papa from 'papaparse';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { chooseBatchFile, runBatch } from './batch-ui.ts';
import { haveIuReports, ROOT, isolatedContext, launchBrowser, serveSite, type SiteServer } from './harness.ts';

const DATA = join(ROOT, '../shared/data/iu-xray');
const REPORTS = join(DATA, 'indiana_reports.csv');

let browser: Browser;
let server: SiteServer;
const dir = mkdtempSync(join(tmpdir(), 'rrx-evaluate-'));
const truthCsv = join(dir, 'iu_truth.csv');

const HAVE_IU = haveIuReports('evaluate (the Evaluate view against the CLI on the IU X-ray reports)');

beforeAll(async () => {
  if (!HAVE_IU) return;
  writeFileSync(truthCsv, execFileSync(process.execPath, [join(DATA, 'truth.mjs'), REPORTS], { maxBuffer: 64 * 1024 * 1024 }));
  server = await serveSite();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

interface CliScore {
  finding: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
  predicted: number;
}
interface CliReport {
  report: {
    rows: number;
    findings: CliScore[];
    micro: { precision: number; recall: number; f1: number; support: number };
    macro: { precision: number; recall: number; f1: number; findings: string[] };
    normal: { precision: number; recall: number; f1: number; support: number };
  };
}

function cliEvaluate(predictions: string): CliReport {
  const out = join(dir, `cli-${Date.now()}.json`);
  execFileSync('npx', ['tsx', 'training/cli.ts', 'evaluate', '-p', predictions, '--truth', truthCsv, '--truth-column', 'findings', '--join', 'uid', '--json', out], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return JSON.parse(readFileSync(out, 'utf8')) as CliReport;
}

/** What the page's metrics table shows, cell by cell. */
async function shownScores(page: Page) {
  const cells = async (selector: string) =>
    page.locator(selector).evaluateAll((rows) =>
      rows.map((row) => ({
        name: (row as HTMLElement).dataset.finding ?? row.querySelector('th')?.textContent?.trim(),
        ...Object.fromEntries([...row.querySelectorAll('[data-metric]')].map((c) => [(c as HTMLElement).dataset.metric, c.textContent?.trim()])),
      })),
    );
  return {
    findings: await cells('[data-testid=eval-row]'),
    micro: (await cells('[data-testid=eval-micro]'))[0],
    macro: (await cells('[data-testid=eval-macro]'))[0],
    normal: (await cells('[data-testid=eval-normal]'))[0],
    caption: await page.locator('[data-testid=eval-metrics] caption').textContent(),
    macroCovers: await page.getByTestId('eval-macro-covers').textContent(),
  };
}

function expectSameNumbers(shown: Awaited<ReturnType<typeof shownScores>>, cli: CliReport) {
  const f3 = (x: number) => x.toFixed(3);
  const r = cli.report;
  expect(r.rows).toBeGreaterThan(3000);
  expect(shown.caption).toContain(`${r.rows} rows compared`);
  expect(shown.findings).toEqual(
    r.findings.map((s) => ({ name: s.finding, precision: f3(s.precision), recall: f3(s.recall), f1: f3(s.f1), support: String(s.support), predicted: String(s.predicted) })),
  );
  const avg = (s: { precision: number; recall: number; f1: number }) => ({ precision: f3(s.precision), recall: f3(s.recall), f1: f3(s.f1) });
  expect(shown.micro).toEqual({ name: 'Micro average', ...avg(r.micro), support: String(r.micro.support) });
  expect(shown.macro).toEqual({ name: 'Macro average', ...avg(r.macro) });
  expect(shown.normal).toEqual({ name: 'Normal (no finding)', ...avg(r.normal), support: String(r.normal.support) });
  for (const f of r.macro.findings) expect(shown.macroCovers).toContain(f);
}

async function waitForResult(page: Page) {
  await page.getByTestId('eval-run').click();
  await expect.poll(async () => (await page.getByTestId('eval-status').textContent())?.trim() ?? '', { timeout: 60_000, interval: 200 }).toMatch(/^Done/);
  expect(await page.getByTestId('eval-error').count()).toBe(0);
}

it.skipIf(!HAVE_IU)('shows the CLI evaluate numbers for a stored job and for its CSV export, and opens disagreements', async () => {
  const { context } = await isolatedContext(browser, { acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(`${server.origin}/`);
  await chooseBatchFile(page, REPORTS, ['findings', 'impression'], ['uid']);
  const { job, rows } = await runBatch(page, 90_000);
  expect(rows).toBe(3851);
  const download = page.waitForEvent('download');
  await job.getByTestId('export-csv').click();
  const predictionsCsv = join(dir, 'predictions.csv');
  await (await download).saveAs(predictionsCsv);
  const cli = cliEvaluate(predictionsCsv);

  // 1. Predictions from the job stored in this browser.
  await page.getByTestId('tab-evaluate').click();
  await page.getByTestId('eval-reference-file').setInputFiles(truthCsv);
  await page.getByTestId('eval-reference-join').waitFor();
  expect(await page.getByTestId('eval-reference-join').inputValue()).toBe('uid');
  expect(await page.getByTestId('eval-reference-format').inputValue()).toBe('names:findings');
  expect(await page.getByTestId('eval-kind-job').isChecked()).toBe(true);
  await waitForResult(page);
  expectSameNumbers(await shownScores(page), cli);
  await page.screenshot({ path: '/tmp/evaluate-job.png', fullPage: true });

  // A disagreement opens with the row id, expected vs predicted, and the report text from the stored job.
  const first = page.getByTestId('eval-disagreement').first();
  await first.click();
  const heading = (await page.locator('[data-testid=eval-disagreements] h4').textContent()) ?? '';
  const uid = /^uid (\S+) \(row \d+\)$/.exec(heading.trim())?.[1];
  expect(uid).toBeTruthy();
  const source = Papa.parse<Record<string, string>>(readFileSync(REPORTS, 'utf8'), { header: true, skipEmptyLines: true }).data.find((r) => r.uid === uid)!;
  const truth = Papa.parse<Record<string, string>>(readFileSync(truthCsv, 'utf8'), { header: true, skipEmptyLines: true }).data.find((r) => r.uid === uid)!;
  await expect.poll(() => page.getByTestId('eval-report-text').textContent(), { timeout: 10_000 }).toContain((source.findings || source.impression).slice(0, 40));
  const expected = (await page.getByTestId('eval-expected').textContent())?.trim();
  expect(expected).toBe(truth.findings === 'Normal' ? 'none' : truth.findings.split('; ').join(', '));
  expect(await page.getByTestId('eval-predicted').textContent()).not.toBe(expected);

  // 2. Predictions from the exported CSV: the same numbers.
  await page.getByTestId('eval-kind-csv').check();
  await page.getByTestId('eval-predictions-file').setInputFiles(predictionsCsv);
  await page.getByTestId('eval-predictions-join').waitFor();
  expect(await page.getByTestId('eval-predictions-format').inputValue()).toBe('codes');
  expect(await page.getByTestId('eval-predictions-join').inputValue()).toBe('uid');
  await waitForResult(page);
  expectSameNumbers(await shownScores(page), cli);
  await page.screenshot({ path: '/tmp/evaluate-csv.png', fullPage: true });
  await context.close();
});

it.skipIf(!HAVE_IU)('names the problem when the reference has unknown finding names', async () => {
  const bad = join(dir, 'bad_truth.csv');
  writeFileSync(bad, 'uid,findings\n1,Cardiomegaly; Bananas\n2,Normal\n');
  const preds = join(dir, 'preds_small.csv');
  writeFileSync(preds, 'uid,findings\n1,Cardiomegaly\n2,Normal\n');
  const { context } = await isolatedContext(browser);
  const page = await context.newPage();
  await page.goto(`${server.origin}/#evaluate`);
  await page.getByTestId('eval-reference-file').setInputFiles(bad);
  await page.getByTestId('eval-kind-csv').check();
  await page.getByTestId('eval-predictions-file').setInputFiles(preds);
  await page.getByTestId('eval-predictions-join').waitFor();
  await page.getByTestId('eval-run').click();
  await expect.poll(() => page.getByTestId('eval-error').textContent().catch(() => ''), { timeout: 20_000 }).toContain('"Bananas"');
  await context.close();
});
