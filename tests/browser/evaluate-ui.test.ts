/**
 * The Evaluate view on files a researcher really has: ids under different column names, predictions in another
 * order than the reference, ids with a prefix and different zero-padding. The join is never a silent row-order
 * join; a row-order join whose ids differ is warned about, with the id join offered; id transforms; the
 * confusion table and the seeded bootstrap intervals; metrics and disagreement exports byte for byte equal to
 * `radreportx evaluate` on the same files; a binary file refused in one line.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { csvLine } from '../../src/lib/csv/write.ts';
import { FINDINGS } from '../../src/lib/findings.ts';
import { labelReport } from '../../src/lib/rules/index.ts';
import { generateReports } from '../../src/lib/synthetic.ts';
import { downloadText, useApp } from './app-helpers.ts';
import { ROOT } from './harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'radreportx-eval-ui-'));
const N = 150;
const reports = generateReports(N, 21);
const names = (text: string) => FINDINGS.filter((f) => labelReport(text).findings[f] === 'positive').join('; ');
// The reference: the core's labels with some changed, so there is something to disagree about; sorted by id.
const truthRows = reports.map((r, i) => [String(i + 1), i % 6 === 0 ? 'Edema' : names(r)]);
const TRUTH = join(dir, 'truth.csv');
writeFileSync(TRUTH, csvLine(['Accession Number', 'findings']) + truthRows.map((r) => csvLine(r)).join(''));
// Predictions in reverse order, ids as CXR + zero-padded number, under another id-like column name.
const PRED = join(dir, 'pred.csv');
writeFileSync(PRED, csvLine(['accession', 'findings']) + reports.map((r, i) => [`CXR${String(i + 1).padStart(5, '0')}`, names(r)]).reverse().map((r) => csvLine(r)).join(''));
const PRED_PLAIN = join(dir, 'pred-plain.csv');
writeFileSync(PRED_PLAIN, csvLine(['accession', 'findings']) + reports.map((r, i) => [String(i + 1), names(r)]).reverse().map((r) => csvLine(r)).join(''));

interface CliJson {
  metrics: { micro: { f1: number; tp: number; fp: number; fn: number; tn: number }; findings: { finding: string; tp: number; fp: number; fn: number; tn: number }[] };
  ci?: { micro: { low: number; high: number } };
}

function cli(pred: string, extra: string[]): { json: CliJson; metrics: string; disagreements: string } {
  const tag = Math.random().toString(36).slice(2);
  const out = { json: join(dir, `${tag}.json`), metrics: join(dir, `${tag}-m.csv`), disagreements: join(dir, `${tag}-d.csv`) };
  execFileSync(process.execPath, ['--import', 'tsx', 'training/cli.ts', 'evaluate', '-p', pred, '--truth', TRUTH, '--truth-column', 'findings', '--prediction-column', 'findings',
    '--json', out.json, '--metrics-csv', out.metrics, '--disagreements', out.disagreements, ...extra], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  return { json: JSON.parse(readFileSync(out.json, 'utf8')) as CliJson, metrics: readFileSync(out.metrics, 'utf8'), disagreements: readFileSync(out.disagreements, 'utf8') };
}

const app = useApp('#evaluate');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let picks = 0;
/** Picks both files (as fresh copies, so the inputs see a change) and waits until the view has read them. */
async function pick(reference: string, predictions: string): Promise<void> {
  const { page } = app;
  const copy = (path: string) => {
    const to = join(dir, `pick${++picks}-${path.split('/').pop()}`);
    writeFileSync(to, readFileSync(path));
    return to;
  };
  const ref = copy(reference);
  const pred = copy(predictions);
  await page.getByTestId('eval-reference-file').setInputFiles(ref);
  await page.getByTestId('eval-confusion').waitFor({ state: 'detached' });
  await page.getByTestId('eval-reference-join').waitFor();
  await page.getByTestId('eval-kind-csv').check();
  await page.getByTestId('eval-predictions-file').setInputFiles(pred);
  await expect.poll(() => page.getByTestId('eval-predictions-join').count()).toBe(1);
  await expect.poll(() => page.getByTestId('eval-run').isEnabled()).toBe(true);
}

/** Runs the evaluation; every caller changed an option first, which clears the last result. */
async function run(): Promise<void> {
  await app.page.getByTestId('eval-confusion').waitFor({ state: 'detached' });
  await app.page.getByTestId('eval-run').click();
  await app.page.getByTestId('eval-confusion').waitFor({ timeout: 60_000 });
  await expect.poll(() => app.page.getByTestId('eval-status').textContent()).toMatch(/Done/);
}

const f3 = (x: number) => x.toFixed(3);

describe('joins', () => {
  it('joins on the id columns it finds by name, not by row order; same numbers, intervals and exports as the CLI', async () => {
    const { page } = app;
    await pick(TRUTH, PRED_PLAIN);
    expect(await page.getByTestId('eval-reference-join').inputValue()).toBe('Accession Number');
    expect(await page.getByTestId('eval-predictions-join').inputValue()).toBe('accession');
    await run();
    expect(await page.getByTestId('eval-join').textContent()).toMatch(/joined on accession = Accession Number/);
    expect(await page.getByTestId('eval-order-warning').count()).toBe(0);

    const c = cli(PRED_PLAIN, []);
    const micro = page.getByTestId('eval-confusion').locator('tr[data-finding="micro"] td');
    const cells = await micro.allTextContents();
    expect(cells.slice(0, 5)).toEqual([c.json.metrics.micro.tp, c.json.metrics.micro.fp, c.json.metrics.micro.fn, c.json.metrics.micro.tn].map((x) => x.toLocaleString('en')).concat(f3(c.json.metrics.micro.f1)));
    expect(cells[5]).toBe(`${f3(c.json.ci!.micro.low)}–${f3(c.json.ci!.micro.high)}`);
    expect(c.json.ci!.micro.high).toBeGreaterThan(c.json.ci!.micro.low);

    const metrics = await downloadText(page, () => page.getByTestId('eval-export-metrics-csv').click());
    expect(metrics.name).toBe('metrics.csv');
    expect(metrics.text).toBe(c.metrics);
    const disagreements = await downloadText(page, () => page.getByTestId('eval-export-disagreements').click());
    expect(disagreements.text).toBe(c.disagreements);
    expect(disagreements.text.split('\n').length).toBeGreaterThan(10);
    const json = await downloadText(page, () => page.getByTestId('eval-export-metrics-json').click());
    expect((JSON.parse(json.text) as CliJson).metrics.micro).toEqual(c.json.metrics.micro);
  });

  it('a row-order join whose ids differ is warned about, and the id join is one click away', async () => {
    const { page } = app;
    await page.getByTestId('eval-reference-join').selectOption('');
    await run();
    const warning = page.getByTestId('eval-order-warning');
    await warning.waitFor();
    expect(await warning.textContent()).toMatch(/paired by their order, but the ids differ in \d+ of 150 rows \(first at row 1: “1” in the reference, “150” in the predictions\)/);
    const orderF1 = await page.getByTestId('eval-confusion').locator('tr[data-finding="micro"] td').nth(4).textContent();
    await page.getByTestId('eval-join-ids').click();
    await expect.poll(() => page.getByTestId('eval-join').textContent()).toMatch(/joined on/);
    expect(await warning.count()).toBe(0);
    const idF1 = await page.getByTestId('eval-confusion').locator('tr[data-finding="micro"] td').nth(4).textContent();
    expect(Number(idF1)).toBeGreaterThan(Number(orderF1));
  });

  it('matches CXR00012 to 12 through a transform, as the CLI does', async () => {
    const { page } = app;
    await pick(TRUTH, PRED);
    await run();
    // Without the transform nothing joins.
    expect(await page.getByTestId('eval-counts').textContent()).toMatch(/Could not join: 150 prediction rows/);
    await page.locator('details.transform summary').click();
    await page.getByTestId('eval-id-prefix').fill('CXR');
    await page.getByTestId('eval-id-pad').fill('5');
    await run();
    expect(await page.getByTestId('eval-join').textContent()).toMatch(/ids compared after the transform/);
    expect(await page.getByTestId('eval-counts').textContent()).not.toMatch(/Could not join/);
    const c = cli(PRED, ['--id-strip-prefix', 'CXR', '--id-pad', '5']);
    expect(await page.getByTestId('eval-confusion').locator('tr[data-finding="micro"] td').nth(4).textContent()).toBe(f3(c.json.metrics.micro.f1));
    const metrics = await downloadText(page, () => page.getByTestId('eval-export-metrics-csv').click());
    expect(metrics.text).toBe(c.metrics);
  });
});

describe('checking inputs', () => {
  it('refuses a binary file in one line, without its content', async () => {
    const { page } = app;
    const png = join(dir, 'scan.csv');
    writeFileSync(png, Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(300, 0)]));
    await page.getByTestId('eval-reference-file').setInputFiles(png);
    const error = page.getByTestId('eval-error');
    await error.waitFor();
    const text = (await error.textContent()) ?? '';
    expect(text).toMatch(/^scan\.csv: /);
    expect(text.split('\n')).toHaveLength(1);
    expect(text.length).toBeLessThan(300);
  });

  it('refuses a reports CSV chosen as predictions in one line, without quoting the reports', async () => {
    const { page } = app;
    const secret = 'Unmistakable report sentence about a left apical pneumothorax.';
    const reportsCsv = join(dir, 'reports.csv');
    writeFileSync(reportsCsv, csvLine(['uid', 'report']) + Array.from({ length: 20 }, (_, i) => csvLine([String(i + 1), `${secret} ${i}`])).join(''));
    const truth = join(dir, 'truth-again.csv');
    writeFileSync(truth, readFileSync(TRUTH));
    await page.getByTestId('eval-reference-file').setInputFiles(truth);
    await page.getByTestId('eval-reference-join').waitFor();
    await page.getByTestId('eval-kind-csv').check();
    await page.getByTestId('eval-predictions-file').setInputFiles(reportsCsv);
    const error = page.getByTestId('eval-error');
    await expect.poll(() => error.textContent()).toMatch(/^reports\.csv: /);
    const text = (await error.textContent()) ?? '';
    expect(text.split('\n')).toHaveLength(1);
    expect(text).not.toContain('pneumothorax');
    expect(text).toMatch(/report text in column "report"/);
    expect(await page.getByTestId('eval-run').isEnabled()).toBe(false);
    // Told to read its "report" column as a list of names anyway, the run is refused the same way.
    await page.getByTestId('eval-predictions-format').selectOption('names:report');
    await page.getByTestId('eval-run').click();
    await expect.poll(() => error.textContent()).toMatch(/holds report text in column "report", not finding labels/);
    expect((await error.textContent())!.split('\n')).toHaveLength(1);
    expect(await error.textContent()).not.toContain('pneumothorax');
  });
});
