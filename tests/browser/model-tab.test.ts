/**
 * The Model tab as a new user meets it: a site whose SPA fallback answers the model's URLs with index.html
 * (the message says the files are not on the server and how to put them there), a folder of right-sized junk
 * (refused for its tokenizer and its library, on the card it was imported for), the card's cache status after a
 * failed load, no internal error names in the text, and Single report with the webllm engine and no model (one
 * message with a link to the Model tab).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIST, isolatedContext, launchBrowser, serveSite, type SiteServer } from './harness.ts';
import { F32_ID, F32_LIBRARY, WEIGHTS_PATH, syntheticModel, type SyntheticModel } from './llm-fixture.ts';
import type { Browser } from 'playwright-core';

let browser: Browser;
let server: SiteServer;
let model: SyntheticModel;
/** While true, every /models/ URL gets the site's index.html with HTTP 200, as an SPA fallback does. */
let spaFallback = false;
/** While set, this shard answers 404. */
let missingShard: string | undefined;
const INDEX = readFileSync(join(DIST, 'index.html'));
const dir = mkdtempSync(join(tmpdir(), 'radreportx-model-tab-'));

beforeAll(async () => {
  model = syntheticModel();
  server = await serveSite();
  server.mount(WEIGHTS_PATH, model.dir);
  server.mount('/models/lib/', model.libDir);
  server.routes.push((req, res) => {
    if (spaFallback && (req.url ?? '').startsWith('/models/')) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(INDEX);
      return true;
    }
    if (missingShard && (req.url ?? '').endsWith(missingShard)) {
      res.writeHead(404).end('not found');
      return true;
    }
    return false;
  });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function open(hash = '#model'): Promise<{ page: Page; close: () => Promise<void> }> {
  const { context } = await isolatedContext(browser, { viewport: { width: 1100, height: 1400 } });
  const page = await context.newPage();
  await page.goto(`${server.origin}/${hash}`);
  return { page, close: () => context.close() };
}
const card = (page: Page) => page.getByTestId(`model-${F32_ID}`);
const status = (page: Page) => card(page).getByTestId('cache-status').textContent();
const INTERNAL = /ModelNotAvailable|ModelLoadFailed|BadUsage|NotCsv|StorageFull|RadReportXError/;

describe('Model tab messages', () => {
  it('an SPA fallback answering index.html: "the files are not on this server", and how to put them there', async () => {
    const { page, close } = await open();
    spaFallback = true;
    try {
      await expect.poll(() => status(page), { timeout: 60_000 }).toMatch(/Not in this browser yet/);
      await card(page).getByTestId(`load-${F32_ID}`).click();
      const problem = card(page).getByTestId('model-problem');
      await problem.waitFor({ timeout: 60_000 });
      const text = (await problem.textContent()) ?? '';
      expect(text).toMatch(/The model files are not on this server/);
      expect(text).toMatch(/index\.html/);
      expect(text).toMatch(/public\/models\//);
      expect(text).toMatch(/Import from a folder/);
      expect(text).not.toMatch(/not valid JSON|Reload the page/);
      expect(await page.locator('main').textContent()).not.toMatch(INTERNAL);
      // Nothing of the page was cached as a model file.
      await expect.poll(() => status(page)).toMatch(/Not in this browser yet/);
    } finally {
      spaFallback = false;
      await close();
    }
  });

  it('the card status follows the cache after a failed load', async () => {
    const { page, close } = await open();
    missingShard = 'params_shard_2.bin';
    try {
      await expect.poll(() => status(page), { timeout: 60_000 }).toMatch(/Not in this browser yet/);
      await card(page).getByTestId(`load-${F32_ID}`).click();
      await card(page).getByTestId('model-problem').waitFor({ timeout: 60_000 });
      expect(await card(page).getByTestId('model-problem').textContent()).toMatch(/params_shard_2\.bin could not be downloaded \(HTTP 404\)/);
      // The shards that did arrive are kept, and the card says so without a reload.
      await expect.poll(() => status(page)).toMatch(/Partly downloaded: [1-3] of 4 weight files/);
      await card(page).getByTestId(`delete-${F32_ID}`).click();
      await expect.poll(() => status(page)).toMatch(/Not in this browser yet/);
    } finally {
      missingShard = undefined;
      await close();
    }
  });

  it('a folder of right-sized junk is refused on its card: the tokenizer, then the library, are checked', async () => {
    const junk = join(dir, 'junk');
    cpSync(model.importRoot, junk, { recursive: true });
    const tokenizer = join(junk, F32_ID, 'tokenizer.json');
    const good = readFileSync(tokenizer);
    writeFileSync(tokenizer, Buffer.alloc(good.length, 0x41));
    writeFileSync(join(junk, F32_LIBRARY), Buffer.alloc(200, 0x42));
    const { page, close } = await open();
    try {
      await expect.poll(() => status(page), { timeout: 60_000 }).toMatch(/Not in this browser yet/);
      const problem = card(page).getByTestId('model-problem');

      await card(page).getByTestId(`folder-${F32_ID}`).setInputFiles(junk);
      await problem.waitFor({ timeout: 60_000 });
      expect(await problem.textContent()).toMatch(/tokenizer is not usable: tokenizer\.json is not valid JSON/);
      expect(await page.getByTestId('model-notice').count()).toBe(0);
      await expect.poll(() => status(page)).toMatch(/Not in this browser yet/);

      writeFileSync(tokenizer, good);
      await card(page).getByTestId(`folder-${F32_ID}`).setInputFiles(junk);
      await expect.poll(() => problem.textContent(), { timeout: 60_000 }).toMatch(/model library is not usable: .*\.wasm is not a WebAssembly model library/);
      await expect.poll(() => status(page)).toMatch(/Not in this browser yet/);
      expect(await page.locator('main').textContent()).not.toMatch(INTERNAL);

      rmSync(join(junk, F32_LIBRARY));
      await card(page).getByTestId(`folder-${F32_ID}`).setInputFiles(junk);
      await expect.poll(() => page.getByTestId('model-notice').textContent(), { timeout: 60_000 }).toMatch(/Imported 7 files\. The model library will come from this site/);
      expect(await card(page).getByTestId('model-problem').count()).toBe(0);
      await expect.poll(() => status(page)).toMatch(/In this browser: .*\(4 weight files\)\.$/);
      expect(await status(page)).not.toMatch(/library included/);
    } finally {
      await close();
    }
  });
});

describe('Single report with an LLM engine and no model', () => {
  it('shows one message with a link to the Model tab, not also "Empty"', async () => {
    const { page, close } = await open('#single');
    try {
      const picker = page.getByTestId('engine-select');
      await expect.poll(() => picker.locator('option[value="webllm"]').count(), { timeout: 30_000 }).toBe(1);
      await picker.selectOption('webllm');
      const message = page.getByTestId('single-needs-model');
      await page.getByTestId('report-input').fill('');
      await page.getByTestId('report-input').fill('FINDINGS: Small right pleural effusion.');
      await message.waitFor({ timeout: 30_000 });
      const view = (await page.getByTestId('single-view').textContent()) ?? '';
      expect(view).toMatch(/has no model loaded/);
      expect(view).not.toMatch(/Empty — there is no report text/);
      expect(view).not.toMatch(INTERNAL);
      expect(await page.getByTestId('single-view').locator('[role=alert]').count()).toBe(1);
      await page.getByTestId('report-input').fill('');
      await page.waitForTimeout(400);
      expect(await page.getByTestId('single-view').textContent()).not.toMatch(/Empty — there is no report text/);
      // The CPU engine (wllama) without its GGUF model says the same, once.
      expect(await picker.locator('option[value="wllama"]').count()).toBe(1);
      await picker.selectOption('wllama');
      await page.getByTestId('report-input').fill('FINDINGS: Small left pleural effusion.');
      await expect.poll(() => page.getByTestId('single-view').textContent()).toMatch(/engine has no model loaded/);
      expect(await page.getByTestId('single-view').locator('[role=alert]').count()).toBe(1);
      await message.getByRole('link', { name: /Model tab/ }).click();
      await page.getByTestId('tab-model').and(page.locator('[aria-selected="true"]')).waitFor();
    } finally {
      await close();
    }
  });
});
