/**
 * Offline: after one visit the service worker has the app shell, so the page reloads and labels a report with
 * the network off and the server gone.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { isolatedContext } from './harness.ts';
import { evaluateCsvFiles, recordCspViolations } from './page-helpers.ts';
import { useSiteAndBrowser } from './site-session.ts';

const site = useSiteAndBrowser();

it('reloads and labels a report with the network off after one visit', async () => {
  const { context, blocked } = await isolatedContext(site.browser);
  const page = await context.newPage();
  const violations = await recordCspViolations(page);

  await page.goto(`${site.server.origin}/`);
  // Activation follows a complete precache, and clientsClaim makes the worker take this page.
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }));
    }
  });
  const precached = await page.evaluate(async () => {
    const names = await caches.keys();
    const urls: string[] = [];
    for (const n of names) for (const r of await (await caches.open(n)).keys()) urls.push(new URL(r.url).pathname);
    return urls;
  });
  expect(precached).toContain('/index.html');
  expect(precached.some((u) => /\/assets\/labeler\.worker-.*\.js/.test(u))).toBe(true);
  expect(precached.some((u) => u.startsWith('/models/'))).toBe(false);

  // Both: the browser reports itself offline, and the server is really gone.
  await context.setOffline(true);
  await site.server.close();
  const before = site.server.requests.length;

  await page.reload();
  await expect.poll(() => page.evaluate(() => navigator.onLine)).toBe(false);
  await page.getByTestId('tab-single').click();
  await page.getByTestId('report-input').fill('FINDINGS: The heart is enlarged. Small left pleural effusion. No pneumothorax.');
  const effusion = page.locator('[data-testid=findings-table] tr[data-finding="Pleural Effusion"]');
  await expect.poll(() => effusion.getAttribute('data-status'), { timeout: 30_000 }).toBe('positive');
  await expect.poll(() => page.locator('[data-testid=findings-table] tr[data-finding="Pneumothorax"]').getAttribute('data-status')).toBe('negative');
  await page.screenshot({ path: '/tmp/offline.png', fullPage: true });

  // The evaluate worker is part of the shell too: score two small files offline.
  const dir = mkdtempSync(join(tmpdir(), 'rrx-offline-'));
  writeFileSync(join(dir, 'truth.csv'), 'id,findings\n1,Edema\n2,Normal\n3,Pneumothorax\n');
  writeFileSync(join(dir, 'pred.csv'), 'id,findings\n1,Edema\n2,Edema\n3,Pneumothorax\n');
  await evaluateCsvFiles(page, join(dir, 'truth.csv'), join(dir, 'pred.csv'));
  const edema = page.locator('[data-testid=eval-row][data-finding="Edema"] [data-metric=precision]');
  await expect.poll(() => edema.textContent().catch(() => null), { timeout: 30_000 }).toBe('0.500');

  expect(site.server.requests.length).toBe(before);
  expect(blocked).toEqual([]);
  expect(violations).toEqual([]);
  await context.close();
});
