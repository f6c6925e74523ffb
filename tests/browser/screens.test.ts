/**
 * Small and large screens: every tab, filled with real content (a labeled report with evidence, a finished job,
 * its results and an opened row, an evaluation with its disagreements, the Model and Privacy panels), at 375,
 * 768, 1280 and 1920 px wide. The page must never scroll sideways (no element wider than the window, except
 * inside a box that scrolls on its own), and axe-core must find no serious or critical violation at any width.
 * Screenshots land in $SCREENS_DIR (default: the test's temporary folder) for a person to look at.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { csvLine } from '../../src/lib/csv/write.ts';
import { labelReport } from '../../src/lib/rules/index.ts';
import { generateReports } from '../../src/lib/synthetic.ts';
import { chooseBatchFile, runBatch } from './batch-ui.ts';
import { isolatedContext } from './harness.ts';
import { useSiteAndBrowser } from './site-session.ts';

const site = useSiteAndBrowser();
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const WIDTHS = [375, 768, 1280, 1920];
const dir = mkdtempSync(join(tmpdir(), 'rrx-screens-'));
const shots = process.env.SCREENS_DIR ?? join(dir, 'shots');
mkdirSync(shots, { recursive: true });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Long ids and long column names: what makes tables overflow on a phone.
const reports = generateReports(120, 3);
const ids = reports.map((_, i) => `ACCESSION-NUMBER-2026-${String(i + 1).padStart(8, '0')}`);
const batchCsv = join(dir, 'chest-xray-reports-with-a-long-file-name-export-2026.csv');
writeFileSync(batchCsv, csvLine(['Accession Number', 'report_text_final_signed']) + reports.map((r, i) => csvLine([ids[i], r])).join(''));
// Reference labels: the core's own, with every 7th row changed, so there are disagreements to list.
const truthCsv = join(dir, 'truth.csv');
writeFileSync(
  truthCsv,
  csvLine(['Accession Number', 'findings']) +
    reports
      .map((r, i) => {
        const positive = Object.entries(labelReport(r).findings).filter(([, s]) => s === 'positive').map(([f]) => f);
        return csvLine([ids[i], i % 7 === 0 ? 'Pleural Effusion; Cardiomegaly' : positive.join('; ')]);
      })
      .join(''),
);

const LONG_REPORT = [
  'EXAMINATION: Chest radiograph, two views (posteroanterior and lateral), comparison with prior study.',
  'FINDINGS: The cardiomediastinal silhouette is enlarged. Small bilateral pleural effusions with adjacent',
  'atelectasis. Possible right lower lobe pneumonia. No pneumothorax. Right internal jugular central venous',
  'catheter terminates in the superior vena cava. Healing fracture of the left seventh posterior rib.',
  'IMPRESSION: Cardiomegaly with small effusions; possible pneumonia.',
].join('\n');

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

async function axe(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE);
  const vs = await page.evaluate(async () => {
    const r = await (window as unknown as { axe: { run(c: Document, o: object): Promise<{ violations: Violation[] }> } }).axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
  });
  return vs.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
}

/**
 * Elements that stick out of the window on the right (or left), outside any box that scrolls sideways by
 * itself, plus the page's own sideways scroll. Empty when the page fits.
 */
async function overflow(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const out: string[] = [];
    if (document.documentElement.scrollWidth > width + 1) out.push(`page scrolls sideways: ${document.documentElement.scrollWidth} > ${width}`);
    const scrollsAlone = (el: Element | null): boolean => {
      for (let e = el?.parentElement; e && e !== document.body; e = e.parentElement) {
        const s = getComputedStyle(e);
        if (['auto', 'scroll', 'hidden', 'clip'].includes(s.overflowX)) return true;
      }
      return false;
    };
    for (const el of document.querySelectorAll('body *')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      // Off-screen on purpose (the skip link, visually hidden text) is not overflow.
      if (r.right <= 0) continue;
      if (r.right > width + 1 && !scrollsAlone(el)) {
        const name = `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.getAttribute('data-testid') ? `[${el.getAttribute('data-testid')}]` : ''}.${[...el.classList].join('.')}`;
        out.push(`${name} spans ${Math.round(r.left)}–${Math.round(r.right)} px`);
      }
    }
    return out.slice(0, 4);
  });
}

it('every tab fits 375, 768, 1280 and 1920 px without sideways scrolling, and passes axe at each', async () => {
  const { context } = await isolatedContext(site.browser, { viewport: { width: 1280, height: 900 }, acceptDownloads: true, serviceWorkers: 'block' });
  const page = await context.newPage();
  await page.goto(`${site.server.origin}/#single`);

  // Content first, at a desktop width: a job, an evaluation, a report with evidence.
  await chooseBatchFile(page, batchCsv, ['report_text_final_signed'], ['Accession Number']);
  await runBatch(page, 90_000);
  await page.getByTestId('tab-evaluate').click();
  await page.getByTestId('eval-reference-file').setInputFiles(truthCsv);
  await page.getByTestId('eval-reference-join').waitFor();
  await page.getByTestId('eval-reference-join').selectOption('Accession Number');
  await page.getByTestId('eval-run').click();
  await page.getByTestId('eval-metrics').waitFor({ timeout: 60_000 });

  const found: Record<string, string[]> = {};
  const tabs: [string, (p: Page) => Promise<void>][] = [
    ['single', async (p) => {
      await p.getByTestId('report-input').fill(LONG_REPORT);
      await p.getByTestId('findings-table').waitFor();
    }],
    ['batch', async (p) => {
      await p.getByTestId('job-card').first().waitFor();
      // The file chosen again: the reading options and column picker are on screen with the job card.
      if (!(await p.getByTestId('read-options').count())) await p.getByTestId('batch-file').setInputFiles(batchCsv);
      await p.getByTestId('read-options').waitFor();
    }],
    ['results', async (p) => {
      await p.getByTestId('open-row').first().waitFor();
      await p.getByTestId('open-row').first().click();
      await p.getByTestId('row-detail').waitFor();
    }],
    ['evaluate', async (p) => {
      await p.getByTestId('eval-metrics').waitFor();
      await p.getByTestId('eval-disagreement').first().click().catch(() => undefined);
    }],
    ['model', async (p) => {
      await p.waitForTimeout(300);
    }],
    ['privacy', async (p) => {
      await p.getByTestId('storage-usage').waitFor();
    }],
  ];

  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    for (const [tab, fill] of tabs) {
      await page.getByTestId(`tab-${tab}`).click();
      await fill(page);
      await page.waitForTimeout(150);
      const key = `${tab} @ ${width}px`;
      found[key] = [...(await overflow(page)), ...(await axe(page))];
      await page.screenshot({ path: join(shots, `${tab}-${width}.png`), fullPage: true });
    }
  }
  expect(Object.keys(found)).toHaveLength(WIDTHS.length * tabs.length);
  expect(found).toEqual(Object.fromEntries(Object.keys(found).map((k) => [k, []])));
  await context.close();
});
