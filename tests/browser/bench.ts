/**
 * Browser benchmark (not a test): 100,000 synthetic reports (~60 MB CSV) labeled by the rule engine through the
 * app's batch screen in headless Chromium, results stored in IndexedDB; then the CSV export and the Evaluate view
 * on the same 100,000 rows. Measures the end-to-end time, the page's main-thread long tasks and its JS heap. Run: `npm run bench:browser` (vite build, then this file).
 * Options: `--rows N` (default 100000), `--seed S` (default 1). Figures: a table on stderr, JSON on stdout's last line.
 * `--helpers 0,1` (with `--repeat R`): instead, the labeling alone with each number of helper workers (0: the batch
 * worker labels alone, as before the pool), back to back in one browser, the speed-up over the first, and the
 * main thread's longest task while labeling.
 */
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { csvLine } from '../../src/lib/csv/write.ts';
import { generateReports } from '../../src/lib/synthetic.ts';
import { chooseBatchFile, runBatch, waitForServiceWorker } from './batch-ui.ts';
import { isolatedContext, launchBrowser, serveSite } from './harness.ts';

const { values } = parseArgs({
  options: { rows: { type: 'string', default: '100000' }, seed: { type: 'string', default: '1' }, helpers: { type: 'string' }, repeat: { type: 'string', default: '1' } },
});
const ROWS = Number(values.rows);
const SEED = Number(values.seed);
if (!Number.isInteger(ROWS) || ROWS < 1 || !Number.isInteger(SEED)) {
  process.stderr.write('usage: tsx tests/browser/bench.ts [--rows N] [--seed S]\n');
  process.exit(2);
}
const log = (s: string) => process.stderr.write(`${s}\n`);

async function writeCsv(path: string): Promise<void> {
  const out = createWriteStream(path);
  const write = (line: string) => (out.write(line) ? undefined : new Promise<void>((ok) => out.once('drain', () => ok())));
  await write(csvLine(['id', 'report']));
  // In slices, so 100,000 reports are never one string in memory.
  for (let done = 0; done < ROWS; done += 10_000) {
    const reports = generateReports(Math.min(10_000, ROWS - done), SEED * 1_000_003 + done);
    for (let i = 0; i < reports.length; i++) await write(csvLine([`R${done + i + 1}`, reports[i]]));
  }
  await new Promise<void>((ok, fail) => out.end((e?: Error | null) => (e ? fail(e) : ok())));
}

const dir = mkdtempSync(join(tmpdir(), 'rrx-bench-'));
const csv = join(dir, `synthetic-${ROWS}.csv`);
log(`Writing ${ROWS.toLocaleString('en')} synthetic reports to ${csv}...`);
await writeCsv(csv);
const bytes = statSync(csv).size;

const server = await serveSite();
const browser = await launchBrowser();
if (values.helpers !== undefined) {
  try {
    await benchHelpers(values.helpers.split(',').map(Number), Number(values.repeat));
  } finally {
    await browser.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
  process.exit(0);
}

/** The batch alone (Start → done) with each helper count, in fresh contexts, alternating `repeat` times. */
async function benchHelpers(counts: number[], repeat: number): Promise<void> {
  if (counts.some((c) => !Number.isInteger(c) || c < 0) || !Number.isInteger(repeat) || repeat < 1) throw new Error('--helpers takes counts like 0,1; --repeat a positive number');
  const { loadavg } = await import('node:os');
  const loadBefore = loadavg();
  const runs: { helpers: number; seconds: number; rowsPerSecond: number; maxLongTaskMs: number; longTasks: number; workers: number }[] = [];
  for (let r = 0; r < repeat; r++) {
    for (const helpers of counts) {
      const { context, blocked } = await isolatedContext(browser);
      const page = await context.newPage();
      await page.addInitScript((n) => {
        localStorage.setItem('radreportx.labelingHelpers', String(n));
        const w = window as unknown as { __longTasks: { start: number; duration: number }[] };
        w.__longTasks = [];
        new PerformanceObserver((list) => {
          for (const e of list.getEntries()) w.__longTasks.push({ start: e.startTime, duration: e.duration });
        }).observe({ type: 'longtask', buffered: true });
      }, helpers);
      await page.goto(`${server.origin}/`);
      await waitForServiceWorker(page);
      await chooseBatchFile(page, csv, ['report'], ['id']);
      const startAt = await page.evaluate(() => performance.now());
      let workers = 1;
      const run = await runBatch(page, 15 * 60_000, async () => {
        const w = await page.getByTestId('job-workers').first().getAttribute('data-workers', { timeout: 50 }).catch(() => null);
        if (w) workers = Math.max(workers, Number(w));
      });
      if (run.rows !== ROWS) throw new Error(`Expected ${ROWS} rows, the page shows ${run.rows}.`);
      if (blocked.length) throw new Error(`The page tried to reach other hosts: ${blocked.join(', ')}`);
      const long = await page.evaluate(
        (since) => (window as unknown as { __longTasks: { start: number; duration: number }[] }).__longTasks.filter((t) => t.start >= since),
        startAt,
      );
      const seconds = run.elapsedMs / 1000;
      runs.push({ helpers, seconds, rowsPerSecond: ROWS / seconds, maxLongTaskMs: Math.round(long.reduce((m, t) => Math.max(m, t.duration), 0)), longTasks: long.length, workers });
      log(`  helpers ${helpers}: ${seconds.toFixed(1)} s (${Math.round(ROWS / seconds).toLocaleString('en')} rows/s, ${workers} worker(s) labeling), longest main-thread task ${runs.at(-1)!.maxLongTaskMs} ms`);
      await context.close();
    }
  }
  const loadAfter = loadavg();
  const best = counts.map((helpers) => runs.filter((x) => x.helpers === helpers).reduce((a, b) => (b.seconds < a.seconds ? b : a)));
  log('');
  log(`${ROWS.toLocaleString('en')} reports, ${(bytes / 1e6).toFixed(1)} MB; load average ${loadBefore.map((x) => x.toFixed(2)).join(' ')} before, ${loadAfter.map((x) => x.toFixed(2)).join(' ')} after`);
  log('helpers  seconds  rows/s    speed-up  longest main-thread task');
  for (const b of best) {
    log(`${String(b.helpers).padStart(7)}  ${b.seconds.toFixed(1).padStart(7)}  ${Math.round(b.rowsPerSecond).toLocaleString('en').padStart(7)}  ${(best[0].seconds / b.seconds).toFixed(2).padStart(7)}x  ${b.maxLongTaskMs} ms`);
  }
  process.stdout.write(`${JSON.stringify({ rows: ROWS, csvMB: +(bytes / 1e6).toFixed(1), loadBefore, loadAfter, runs, best: best.map((b) => ({ ...b, speedup: best[0].seconds / b.seconds })) })}\n`);
}

try {
  const { context, blocked } = await isolatedContext(browser);
  const page = await context.newPage();
  // Long tasks of the page's main thread, from the first script on.
  await page.addInitScript(() => {
    const w = window as unknown as { __longTasks: { start: number; duration: number }[] };
    w.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  });
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  const heapUsed = async () => {
    const { metrics } = await cdp.send('Performance.getMetrics');
    return metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0;
  };

  await page.goto(`${server.origin}/`);
  await waitForServiceWorker(page);
  const heapBefore = await heapUsed();
  const windowStart = await page.evaluate(() => performance.now());

  log('Choosing the file and starting the job...');
  const picked = Date.now();
  await chooseBatchFile(page, csv, ['report'], ['id']);
  const startAt = await page.evaluate(() => performance.now());
  let heapPeak = heapBefore;
  let lastSample = 0;
  let lastLog = Date.now();
  const run = await runBatch(page, 15 * 60_000, async () => {
    if (Date.now() - lastSample < 500) return;
    lastSample = Date.now();
    heapPeak = Math.max(heapPeak, await heapUsed());
    if (Date.now() - lastLog > 10_000) {
      lastLog = Date.now();
      log(`  ${((Date.now() - picked) / 1000).toFixed(0)} s: ${await page.getByTestId('job-rows').first().textContent()}`);
    }
  });
  const endToEndMs = Date.now() - picked;
  heapPeak = Math.max(heapPeak, await heapUsed());

  // Evaluate view at the same scale: the job's own CSV export as the reference, the stored job as predictions.
  log('Exporting the results and evaluating the stored job against its export...');
  const exportedCsv = join(dir, 'exported.csv');
  const download = page.waitForEvent('download', { timeout: 5 * 60_000 });
  const exportStart = Date.now();
  await run.job.getByTestId('export-csv').click();
  await (await download).saveAs(exportedCsv);
  const exportMs = Date.now() - exportStart;
  const evalAt = await page.evaluate(() => performance.now());
  await page.getByTestId('tab-evaluate').click();
  await page.getByTestId('eval-reference-file').setInputFiles(exportedCsv);
  await page.getByTestId('eval-reference-join').waitFor();
  await page.getByTestId('eval-reference-join').selectOption('id');
  await page.getByTestId('eval-kind-job').check();
  const evalStart = Date.now();
  await page.getByTestId('eval-run').click();
  await page.getByTestId('eval-metrics').waitFor({ timeout: 10 * 60_000 });
  const evaluateMs = Date.now() - evalStart;
  heapPeak = Math.max(heapPeak, await heapUsed());
  const microF1 = await page.locator('[data-testid=eval-micro] [data-metric=f1]').textContent();
  const scoredCaption = await page.locator('[data-testid=eval-metrics] caption').textContent();
  if (microF1 !== '1.000') throw new Error(`A job evaluated against its own export should score 1.000, the page shows ${microF1}.`);

  const longTasks = await page.evaluate(
    (since) => (window as unknown as { __longTasks: { start: number; duration: number }[] }).__longTasks.filter((t) => t.start >= since),
    windowStart,
  );
  // The results are in IndexedDB, not just on screen.
  const stored = await page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((ok, fail) => {
      const r = indexedDB.open('radreportx');
      r.onsuccess = () => ok(r.result);
      r.onerror = () => fail(r.error);
    });
    const jobs = await new Promise<{ rowsDone: number; state: string }[]>((ok, fail) => {
      const r = db.transaction('jobs').objectStore('jobs').getAll();
      r.onsuccess = () => ok(r.result as { rowsDone: number; state: string }[]);
      r.onerror = () => fail(r.error);
    });
    const chunks = await new Promise<number>((ok, fail) => {
      const r = db.transaction('rows').objectStore('rows').count();
      r.onsuccess = () => ok(r.result);
      r.onerror = () => fail(r.error);
    });
    db.close();
    return { rowsDone: jobs[0]?.rowsDone ?? 0, state: jobs[0]?.state ?? 'none', chunks };
  });
  const estimate = await page.evaluate(() => navigator.storage.estimate());
  if (run.rows !== ROWS || stored.rowsDone !== ROWS || stored.state !== 'done') {
    throw new Error(`Expected ${ROWS} stored rows, the page shows ${run.rows} and IndexedDB holds ${stored.rowsDone} (${stored.state}).`);
  }
  if (blocked.length) throw new Error(`The page tried to reach other hosts: ${blocked.join(', ')}`);

  const maxLongTask = longTasks.reduce((m, t) => Math.max(m, t.duration), 0);
  // When each long task happened: while the file was being chosen and inspected, or while the job ran.
  const longTaskList = longTasks.map((t) => ({ atS: +((t.start - windowStart) / 1000).toFixed(2), ms: Math.round(t.duration), phase: t.start < startAt ? 'choosing file' : t.start < evalAt ? 'labeling' : 'evaluating' }));
  const figures = {
    rows: ROWS,
    csvMB: +(bytes / 1e6).toFixed(1),
    endToEndS: +(endToEndMs / 1000).toFixed(1),
    startToDoneS: +(run.elapsedMs / 1000).toFixed(1),
    rowsPerSecond: Math.round(ROWS / (run.elapsedMs / 1000)),
    longTasks: longTasks.length,
    maxLongTaskMs: Math.round(maxLongTask),
    heapBeforeMB: +(heapBefore / 1e6).toFixed(1),
    heapPeakMB: +(heapPeak / 1e6).toFixed(1),
    storedChunks: stored.chunks,
    storageUsedMB: +((estimate.usage ?? 0) / 1e6).toFixed(1),
    exportS: +(exportMs / 1000).toFixed(1),
    evaluateS: +(evaluateMs / 1000).toFixed(1),
    evaluatedRows: Number(/\((\d+) rows compared\)/.exec(scoredCaption ?? '')?.[1] ?? 0),
    cpus: (await import('node:os')).cpus().length,
    longTaskList,
  };
  const table: [string, string, string][] = [
    ['reports', figures.rows.toLocaleString('en'), `${figures.csvMB} MB CSV`],
    ['end to end (pick file → done)', `${figures.endToEndS} s`, 'target < 60 s'],
    ['Start → done', `${figures.startToDoneS} s`, `${figures.rowsPerSecond.toLocaleString('en')} rows/s`],
    ['main-thread long tasks', String(figures.longTasks), `max ${figures.maxLongTaskMs} ms (target ≤ 100 ms)`],
    ['page JS heap', `${figures.heapPeakMB} MB peak`, `${figures.heapBeforeMB} MB before`],
    ['stored in IndexedDB', `${figures.storedChunks} chunks`, `${figures.storageUsedMB} MB used by the site`],
    ['export CSV', `${figures.exportS} s`, ''],
    ['Evaluate view (job vs export)', `${figures.evaluateS} s`, `${figures.evaluatedRows.toLocaleString('en')} rows scored`],
  ];
  log('');
  for (const [a, b, c] of table) log(`${a.padEnd(32)} ${b.padStart(14)}   ${c}`);
  for (const t of longTaskList) log(`  long task at ${t.atS} s (${t.phase}): ${t.ms} ms`);
  process.stdout.write(`${JSON.stringify(figures)}\n`);
  await context.close();
} finally {
  await browser.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
