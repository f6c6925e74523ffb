/**
 * Privacy: a whole batch of real reports is labeled, exported and inspected while every request is recorded on
 * both ends (the server's log and the browser's). Nothing may leave the page's origin, nothing may be requested
 * while labeling runs, and no request may carry report text. The built page carries the CSP and breaks none of it.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import Papa from 'papaparse';
import { expect, it } from 'vitest';
import type { Request } from 'playwright-core';
import { chooseBatchFile, runBatch, waitForServiceWorker } from './batch-ui.ts';
import { DIST, haveIuReports, ROOT, isolatedContext } from './harness.ts';
import { evaluateCsvFiles, recordCspViolations } from './page-helpers.ts';
import { useSiteAndBrowser } from './site-session.ts';

const REPORTS = join(ROOT, '../shared/data/iu-xray/indiana_reports.csv');

const site = useSiteAndBrowser();

/** Pieces of report text spread over the file: if any shows up in a request, report text left the page. */
function reportSnippets(count: number): string[] {
  const rows = Papa.parse<Record<string, string>>(readFileSync(REPORTS, 'utf8'), { header: true, skipEmptyLines: true }).data;
  const snippets: string[] = [];
  for (let i = 0; snippets.length < count && i < rows.length; i += Math.floor(rows.length / count)) {
    const text = `${rows[i].findings ?? ''} ${rows[i].impression ?? ''}`.replace(/\s+/g, ' ').trim();
    if (text.length < 40) continue;
    snippets.push(text.slice(10, 34));
  }
  return snippets;
}

const HAVE_IU = haveIuReports('privacy (a batch of the real IU X-ray reports, with every request recorded)');

it.skipIf(!HAVE_IU)('labels a batch without any request leaving the origin, during labeling, or carrying report text', async () => {
  const snippets = reportSnippets(40);
  expect(snippets.length).toBeGreaterThan(30);
  const { context, blocked } = await isolatedContext(site.browser, { acceptDownloads: true });
  const seen: { at: number; url: string; body: string; method: string }[] = [];
  context.on('request', (r: Request) => seen.push({ at: Date.now(), url: r.url(), body: r.postData() ?? '', method: r.method() }));
  const page = await context.newPage();
  const violations = await recordCspViolations(page);

  await page.goto(`${site.server.origin}/#batch`);
  const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  expect(csp).toContain("connect-src 'self'");
  expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
  const builtHtml = readFileSync(join(DIST, 'index.html'), 'utf8');
  expect(builtHtml).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
  expect(builtHtml.indexOf('Content-Security-Policy')).toBeLessThan(builtHtml.indexOf('<script'));

  // The service worker's install downloads the app shell in the background; let it finish so its fetches are
  // not mistaken for labeling traffic (they are checked below with everything else).
  await waitForServiceWorker(page);
  await chooseBatchFile(page, REPORTS, ['findings', 'impression'], ['uid']);
  await page.waitForTimeout(500); // let requests triggered by choosing the file settle before the window opens

  const serverBefore = site.server.requests.length;
  const started = Date.now();
  const { job, rows } = await runBatch(page, 90_000);
  const finished = Date.now();
  expect(rows).toBe(3851);
  const duringServer = site.server.requests.slice(serverBefore);
  const duringPage = seen.filter((r) => r.at >= started && r.at <= finished);
  expect(duringServer.map((r) => r.url)).toEqual([]);
  expect(duringPage.map((r) => r.url)).toEqual([]);

  // Export and look at the results and the Privacy panel: still nothing off the page.
  const download = page.waitForEvent('download');
  await job.getByTestId('export-csv').click();
  const exported = readFileSync(await (await download).path(), 'utf8');
  expect(exported.split('\n')[0]).toContain('uid');
  // A request made inside the labeling worker is listed too (the worker reports its own Resource Timing).
  const worker = page.workers().find((w) => w.url().includes('labeler.worker'));
  expect(worker, 'the labeling worker is running').toBeTruthy();
  await worker!.evaluate(() => fetch('/icon.svg?from-worker').then((r) => r.text()));
  await page.getByTestId('tab-privacy').click();
  await expect
    .poll(() => page.locator('[data-testid=privacy-request]').evaluateAll((rows) => rows.map((r) => r.textContent ?? '').filter((t) => t.includes('from-worker')).join()))
    .toMatch(/worker.*\/icon\.svg\?from-worker/);
  const textOf = (testId: string) => page.getByTestId(testId).textContent().then((t) => t?.trim());
  await expect.poll(() => textOf('privacy-offsite-count')).toBe('0');
  await expect.poll(async () => Number(await page.getByTestId('privacy-request-count').textContent())).toBeGreaterThan(3);
  expect(await textOf('privacy-connect')).toBe('this site');
  // The run is known to the panel through the marks the app sets around it, and made no request.
  await expect.poll(() => textOf('privacy-run-count')).toMatch(/^0 \(run from /);
  await page.screenshot({ path: '/tmp/privacy-panel.png', fullPage: true });

  // "Delete all local data" removes the job's database and every cache but the app shell, after confirming.
  // (The app opens a fresh, empty database right after, to show its empty job list: what matters is that
  // no record is left.)
  const stored = () =>
    page.evaluate(async () => {
      const records: Record<string, number> = {};
      for (const { name } of await indexedDB.databases()) {
        const db = await new Promise<IDBDatabase>((ok, fail) => {
          const r = indexedDB.open(name!);
          r.onsuccess = () => ok(r.result);
          r.onerror = () => fail(r.error);
        });
        for (const store of db.objectStoreNames) {
          records[`${name}/${store}`] = await new Promise<number>((ok, fail) => {
            const r = db.transaction(store).objectStore(store).count();
            r.onsuccess = () => ok(r.result);
            r.onerror = () => fail(r.error);
          });
        }
        db.close();
      }
      return { records, caches: await caches.keys() };
    });
  await expect.poll(() => textOf('storage-items')).toMatch(/Database radreportx \(jobs.*Cache workbox-precache\S*: \d+ files \(the app itself/s);
  const before = await stored();
  expect(before.records['radreportx/jobs']).toBe(1);
  expect(before.records['radreportx/rows']).toBeGreaterThan(0);
  await page.getByTestId('storage-delete').click();
  expect(await page.getByTestId('delete-dialog').isVisible()).toBe(true);
  await page.getByTestId('delete-confirm').click();
  await expect.poll(() => textOf('storage-status'), { timeout: 20_000 }).toMatch(/Deleted [1-9]\d* databases?/);
  const after = await stored();
  expect(Object.values(after.records).reduce((a, b) => a + b, 0)).toBe(0);
  expect(after.caches.every((c) => c.startsWith('workbox-precache'))).toBe(true);
  // The Batch tab forgets the job at once, and after a reload too.
  await page.getByTestId('tab-batch').click();
  await expect.poll(() => page.getByTestId('job-card').count()).toBe(0);
  await page.reload();
  await page.getByTestId('batch-view').waitFor();
  await page.waitForTimeout(500);
  expect(await page.getByTestId('job-card').count()).toBe(0);

  // Every request, from either end, went to this origin only and carried no report text.
  const all = [...seen.map((r) => ({ url: r.url, body: r.body })), ...site.server.requests.map((r) => ({ url: `${site.server.origin}${r.url}`, body: r.body }))];
  expect(all.length).toBeGreaterThan(3);
  for (const r of all) expect(new URL(r.url).origin === site.server.origin || /^(blob|data):/.test(r.url), r.url).toBe(true);
  for (const r of all) {
    const haystack = `${decodeURIComponent(r.url)}\n${r.body}`;
    for (const s of snippets) expect(haystack.includes(s), `request ${r.url} carries report text`).toBe(false);
  }
  expect(seen.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.url}`)).toEqual([]);
  expect(blocked).toEqual([]);
  expect(violations).toEqual([]);
  await context.close();
});

/** The `_headers` file the build writes, as a header map. */
function builtHeaders(): Record<string, string> {
  const lines = readFileSync(join(DIST, '_headers'), 'utf8').split('\n').slice(1).filter(Boolean);
  return Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).trim(), l.slice(l.indexOf(':') + 1).trim()]));
}

it('works under the same policy sent as an HTTP header, which also binds the workers', async () => {
  const headers = builtHeaders();
  expect(headers['Content-Security-Policy']).toContain("frame-ancestors 'none'");
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.webmanifest': 'application/manifest+json' };
  // Served by this route, every file carries the headers a production host would send.
  site.server.routes.push((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const file = normalize(join(DIST, path === '/' ? 'index.html' : path));
    if (!file.startsWith(DIST)) return false;
    let data: Buffer;
    try {
      data = readFileSync(file);
    } catch {
      return false;
    }
    res.writeHead(200, { ...headers, 'content-type': types[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
    res.end(data);
    return true;
  });
  try {
    const { context, blocked } = await isolatedContext(site.browser);
    const page = await context.newPage();
    const violations = await recordCspViolations(page, 'page: ');
    const workers: import('playwright-core').Worker[] = [];
    page.on('worker', (w) => {
      workers.push(w);
      void w.evaluate(() => {
        const scope = self as unknown as { __violations: string[] };
        scope.__violations = [];
        self.addEventListener('securitypolicyviolation', (e) => scope.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
      });
    });
    const response = await page.goto(`${site.server.origin}/`);
    expect(response?.headers()['content-security-policy']).toBe(headers['Content-Security-Policy']);

    await page.getByTestId('tab-single').click();
    await page.getByTestId('report-input').fill('IMPRESSION: Right lower lobe consolidation, likely pneumonia.');
    const consolidation = page.locator('[data-testid=findings-table] tr[data-finding="Consolidation"]');
    await expect.poll(() => consolidation.getAttribute('data-status'), { timeout: 30_000 }).toBe('positive');

    const dir = mkdtempSync(join(tmpdir(), 'rrx-csp-'));
    writeFileSync(join(dir, 'truth.csv'), 'id,findings\n1,Pneumonia\n2,Normal\n');
    writeFileSync(join(dir, 'pred.csv'), 'id,findings\n1,Pneumonia; Consolidation\n2,\n');
    await evaluateCsvFiles(page, join(dir, 'truth.csv'), join(dir, 'pred.csv'));
    await page.getByTestId('eval-metrics').waitFor({ timeout: 30_000 });

    expect(workers.map((w) => w.url()).join()).toMatch(/labeler\.worker.*evaluate\.worker|evaluate\.worker.*labeler\.worker/);
    for (const w of workers) violations.push(...(await w.evaluate(() => (self as unknown as { __violations?: string[] }).__violations ?? [])).map((v) => `worker: ${v}`));
    expect(violations).toEqual([]);
    expect(blocked).toEqual([]);
    await context.close();
  } finally {
    site.server.routes.length = 0;
  }
});
