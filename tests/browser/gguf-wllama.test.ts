/**
 * Real tokens in the browser: a synthetic GGUF model (written by the test, tests/support/gguf) imported on the Model
 * tab, loaded by wllama inside the labeling worker, and used through the app's own paths (single report, batch with
 * cancel). The site is served with its own `_headers` (strict CSP + COOP/COEP), so the page is cross-origin
 * isolated, and no request may leave 127.0.0.1 or hit a CSP violation. Random weights: the assertions are about
 * the path (valid results, usage, cancel), not the labels.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FINDINGS, FINDING_STATUSES } from '../../src/lib/findings.ts';
import type { LabelResult } from '../../src/lib/result.ts';
import { writeSyntheticModel } from '../support/gguf/model.ts';
import { chooseBatchFile, waitForServiceWorker } from './batch-ui.ts';
import { isolatedContext, launchBrowser, serveSite, type SiteServer } from './harness.ts';
import { recordCspViolations } from './page-helpers.ts';

let server: SiteServer;
let browser: Browser;
let page: Page;
let blocked: string[];
let violations: string[];
const dir = mkdtempSync(join(tmpdir(), 'rrx-gguf-'));
const model = join(dir, 'synthetic.gguf');

beforeAll(async () => {
  writeSyntheticModel(model);
  server = await serveSite(undefined, { headers: true });
  browser = await launchBrowser();
  const isolated = await isolatedContext(browser, { permissions: ['clipboard-read', 'clipboard-write'] });
  blocked = isolated.blocked;
  page = await isolated.context.newPage();
  violations = await recordCspViolations(page);
  await page.goto(`${server.origin}/`);
});

afterAll(async () => {
  await browser?.close();
  await server?.close().catch(() => undefined);
});

it('imports a GGUF file, loads it in the worker with wllama and labels a report with real tokens', async () => {
  expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
  await page.getByTestId('tab-model').click();
  const panel = page.getByTestId('gguf-panel');
  await panel.waitFor();
  await page.getByTestId('gguf-file').setInputFiles(model);
  const card = page.locator('[data-testid=gguf-model][data-name=synthetic]');
  await card.waitFor({ timeout: 30_000 });
  await expect.poll(() => card.textContent()).toMatch(/needs about .* of memory/);
  expect(await card.getByTestId('gguf-check-limits').textContent()).toMatch(/Cross-origin isolated: 1 thread of 2 cores|Cross-origin isolated: \d+ threads? of \d+ cores/);
  // No WebGPU model is cached here and SwiftShader is software: the CPU engine is the one to use, and it says why.
  await expect.poll(() => page.getByTestId('engine-choice').textContent()).toMatch(/CPU engine \(wllama, \d+ threads?\)/);

  await page.getByTestId('gguf-names-only').check();
  const t0 = Date.now();
  await card.getByTestId('gguf-load').click();
  await card.getByTestId('gguf-loaded').waitFor({ timeout: 60_000 });
  const loadMs = Date.now() - t0;
  expect(await card.getByTestId('gguf-loaded').textContent()).toMatch(/names-only answers/);
  expect(await page.getByTestId('engine-select').inputValue()).toBe('wllama');

  await page.getByTestId('tab-single').click();
  await page.getByTestId('report-input').fill('FINDINGS: Moderate right pleural effusion. No pneumothorax. Heart size is normal.');
  const summary = page.getByTestId('result-summary');
  await expect.poll(() => summary.getAttribute('data-status').catch(() => null), { timeout: 60_000 }).toBe('ok');
  const usage = await page.getByTestId('llm-usage').textContent();
  const [, prompt, answer, ms] = /Model: ([\d,]+) prompt and ([\d,]+) answer tokens, ([\d,]+) ms/.exec(usage ?? '') ?? [];
  expect(Number(prompt.replace(/,/g, ''))).toBeGreaterThan(100);
  expect(Number(answer.replace(/,/g, ''))).toBeGreaterThan(5);
  // Copy as JSON puts the whole result on the clipboard (or shows it when the clipboard is refused).
  await page.getByTestId('copy-json').click();
  const copied = await page.evaluate(() => navigator.clipboard.readText()).catch(() => '');
  const result = JSON.parse(copied || (await page.locator('#result-json').inputValue())) as LabelResult;
  expect(result.engine).toEqual({ name: 'wllama', version: 'synthetic+json' });
  expect(Object.keys(result.findings).sort()).toEqual([...FINDINGS].sort());
  for (const f of FINDINGS) expect(FINDING_STATUSES).toContain(result.findings[f]);
  const raw = JSON.parse(result.raw!) as Record<string, unknown>;
  for (const k of ['positive', 'uncertain', 'negative']) for (const n of raw[k] as string[]) expect(FINDINGS).toContain(n);
  expect(Array.isArray(result.icd10)).toBe(true);
  const timing = result.usage as { prefillMs?: number; decodeMs?: number; promptTokens: number; completionTokens: number };
  expect(timing.prefillMs).toBeGreaterThan(0);
  expect(timing.decodeMs).toBeGreaterThan(0);
  process.stderr.write(
    `wllama, synthetic model: load ${(loadMs / 1000).toFixed(2)} s (click to ready), ${prompt} prompt + ${answer} answer tokens in ${ms} ms; ` +
      `prefill ${((timing.promptTokens * 1000) / timing.prefillMs!).toFixed(0)} tok/s, decode ${((timing.completionTokens * 1000) / timing.decodeMs!).toFixed(0)} tok/s\n`,
  );
});

it('a batch with the CPU engine cancels mid-job, keeping the rows done', async () => {
  const csv = join(dir, 'batch.csv');
  writeFileSync(csv, `id,report\n${Array.from({ length: 400 }, (_, i) => `b${i},"Report ${i}: small right pleural effusion, no pneumothorax."`).join('\n')}\n`);
  await chooseBatchFile(page, csv, ['report'], ['id']);
  await page.getByTestId('batch-start').click();
  const job = page.getByTestId('job-card').first();
  const rows = job.getByTestId('job-rows');
  await expect.poll(async () => Number(await rows.getAttribute('data-rows').catch(() => '0')), { timeout: 60_000 }).toBeGreaterThan(0);
  await job.getByTestId('job-cancel').click();
  await expect.poll(() => job.getAttribute('data-state'), { timeout: 30_000 }).toBe('cancelled');
  const done = Number(await rows.getAttribute('data-rows'));
  expect(done).toBeGreaterThan(0);
  expect(done).toBeLessThan(400);
  // Nothing left the machine, and the strict policy held for the page and its workers.
  expect(blocked).toEqual([]);
  expect(violations).toEqual([]);
  expect(server.requests.filter((r) => /\/assets\/wllama-.*\.wasm/.test(r.url)).length).toBeGreaterThan(0);
});

it('offline, cross-origin isolated from the service worker, the stored model loads again and labels', async () => {
  await waitForServiceWorker(page);
  const precached = await page.evaluate(async () => {
    const urls: string[] = [];
    for (const n of await caches.keys()) for (const r of await (await caches.open(n)).keys()) urls.push(`${n} ${new URL(r.url).pathname}`);
    return urls;
  });
  // The CPU engine's files are not in the app shell every visitor downloads, but cached since they were used.
  expect(precached.filter((u) => u.startsWith('workbox-precache') && /wllama/.test(u))).toEqual([]);
  expect(precached.some((u) => /^radreportx-assets \/assets\/wllama-.*\.wasm$/.test(u))).toBe(true);

  await page.context().setOffline(true);
  await server.close();
  await page.reload();
  expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
  await page.getByTestId('tab-model').click();
  const card = page.locator('[data-testid=gguf-model][data-name=synthetic]');
  await card.getByTestId('gguf-load').click();
  await card.getByTestId('gguf-loaded').waitFor({ timeout: 60_000 });
  await page.getByTestId('tab-single').click();
  await page.getByTestId('report-input').fill('IMPRESSION: Bibasilar atelectasis.');
  await expect.poll(() => page.getByTestId('result-summary').getAttribute('data-status').catch(() => null), { timeout: 60_000 }).toBe('ok');
  expect(await page.getByTestId('llm-usage').textContent()).toMatch(/answer tokens/);
  expect(blocked).toEqual([]);
  expect(violations).toEqual([]);
});

it('cross-origin isolation gives wllama real threads: loaded on 2 threads it runs multi-threaded', async () => {
  await page.getByTestId('tab-model').click();
  const card = page.locator('[data-testid=gguf-model][data-name=synthetic]');
  await card.getByRole('button', { name: 'Unload' }).click();
  await page.getByTestId('gguf-threads').fill('2');
  await card.getByTestId('gguf-load').click();
  await card.getByTestId('gguf-loaded').waitFor({ timeout: 60_000 });
  expect(await card.getByTestId('gguf-loaded').textContent()).toMatch(/2 threads \(multi-threaded\)/);
  await page.getByTestId('gguf-threads').fill('');
});

it('release: the released prompts as raw completions; a meaningless answer is unparsed with its raw text kept', async () => {
  await page.getByTestId('tab-model').click();
  const card = page.locator('[data-testid=gguf-model][data-name=synthetic]');
  await card.getByRole('button', { name: 'Unload' }).click();
  await page.getByTestId('gguf-profile').selectOption('release');
  await card.getByTestId('gguf-load').click();
  await card.getByTestId('gguf-loaded').waitFor({ timeout: 60_000 });
  expect(await card.getByTestId('gguf-loaded').textContent()).toMatch(/prompt release/);
  await page.getByTestId('tab-single').click();
  await page.getByTestId('report-input').fill('FINDINGS: Enlarged cardiac silhouette. Small left effusion.');
  const summary = page.getByTestId('result-summary');
  await expect.poll(() => summary.getAttribute('data-status').catch(() => null), { timeout: 60_000 }).toBe('unparsed');
  expect(await summary.getAttribute('data-normal')).toBe('false');
  await page.getByTestId('copy-json').click();
  const result = JSON.parse(await page.evaluate(() => navigator.clipboard.readText())) as LabelResult;
  expect(result.engine.version).toBe('synthetic+release');
  // The single report asks both tasks: two raw completions, both kept.
  const raws = JSON.parse(result.raw!) as string[];
  expect(raws).toHaveLength(2);
  expect(raws.every((r) => r.length > 0)).toBe(true);
  expect(result.usage!.completionTokens).toBeGreaterThan(10);
  expect(violations).toEqual([]);
});
