/**
 * The Model tab against a real Chromium with its software WebGPU adapter (SwiftShader, no shader-f16), a
 * synthetic model folder served on 127.0.0.1, and the real WebLLM 0.2.86: capability check, download with
 * progress into WebLLM's caches, cancel and resume, folder import without network, and the clear failure at the
 * model library step (no real library or GPU here).
 */
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolatedContext, launchBrowser, serveSite, type SiteServer } from './harness.ts';
import { F16_ID, F32_ID, F32_LIBRARY, WEIGHTS_PATH, syntheticModel, type SyntheticModel } from './llm-fixture.ts';

let browser: Browser;
let server: SiteServer;
let model: SyntheticModel;
/** While set, requests for shards other than the first wait for it: progress can be seen and a load cancelled. */
let gate: Promise<void> | undefined;
let openGate: () => void = () => undefined;
/** While true, the server sends a truncated last shard. */
let truncate = false;

beforeAll(async () => {
  model = syntheticModel();
  server = await serveSite();
  server.mount(WEIGHTS_PATH, model.dir);
  server.mount('/models/lib/', model.libDir);
  server.routes.push(async (req, res) => {
    if (gate && /params_shard_[1-9]/.test(req.url ?? '')) await gate;
    if (truncate && (req.url ?? '').endsWith('params_shard_3.bin')) {
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(Buffer.alloc(10));
      return true;
    }
    return false;
  });
  browser = await launchBrowser();
});

afterAll(async () => {
  openGate();
  await browser?.close();
  await server?.close();
});

function holdShards(): void {
  gate = new Promise((ok) => (openGate = ok));
}
function releaseShards(): void {
  openGate();
  gate = undefined;
}

async function openModelTab(): Promise<{ page: Page; blocked: string[]; logs: string[]; close: () => Promise<void> }> {
  const { context, blocked } = await isolatedContext(browser, { viewport: { width: 1100, height: 1400 } });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  const logs: string[] = [];
  page.on('console', (m) => {
    if (m.text().includes('[radreportx]')) logs.push(m.text());
  });
  await page.goto(`${server.origin}/#model`);
  await page.getByTestId('capability').waitFor();
  await expect.poll(() => page.getByTestId(`model-${F32_ID}`).getByTestId('cache-status').textContent(), { timeout: 60_000 }).not.toMatch(/Checking/);
  return { page, blocked, logs, close: () => context.close() };
}

const modelRequests = (from: number) => server.requests.slice(from).map((r) => r.url).filter((u) => u.startsWith('/models/'));
const card = (page: Page, id = F32_ID) => page.getByTestId(`model-${id}`);

async function cacheKeys(page: Page): Promise<Record<string, string[]>> {
  return page.evaluate(async () => {
    const out: Record<string, string[]> = {};
    for (const name of ['webllm/config', 'webllm/model', 'webllm/wasm']) {
      out[name] = (await (await caches.open(name)).keys()).map((r) => new URL(r.url).pathname).sort();
    }
    return out;
  });
}

describe('Model tab (software WebGPU, synthetic model)', () => {
  it('sees the software adapter, blocks the f16 variant and recommends f32', async () => {
    const { page, close } = await openModelTab();
    try {
      await expect.poll(() => page.getByTestId('gpu-name').textContent()).toMatch(/swiftshader/i);
      const summary = await page.getByTestId('capability-summary').textContent();
      expect(summary).toMatch(/RadReportX 8B \(q4f32_1/);
      expect(summary).toMatch(/needs shader-f16/);
      expect(summary).toMatch(/software renderer/);
      expect(await page.getByTestId('check-software').textContent()).toMatch(/Warning/);
      expect(await card(page, F16_ID).getByTestId('verdict').textContent()).toMatch(/Cannot run here.*shader-f16/s);
      expect(await card(page, F16_ID).getByTestId(`load-${F16_ID}`).isDisabled()).toBe(true);
      expect(await card(page).textContent()).toMatch(/Recommended for this device/);
      await page.screenshot({ path: join(process.env.SCREENSHOT_DIR ?? '/tmp', 'model-tab.png'), fullPage: true });
    } finally {
      await close();
    }
  });

  it('downloads every file into WebLLM\'s caches with progress, then stops clearly at the model library', async () => {
    const { page, blocked, logs, close } = await openModelTab();
    const from = server.requests.length;
    try {
      holdShards();
      await page.getByTestId(`load-${F32_ID}`).click();
      const progress = page.getByTestId('load-progress');
      await expect.poll(() => progress.textContent(), { timeout: 30_000 }).toMatch(/Downloading the model, \d+ KB of \d+ KB, [1-9]\d*%/);
      releaseShards();
      const problem = page.getByTestId('model-problem');
      await problem.waitFor({ timeout: 90_000 });
      expect(await problem.textContent()).toMatch(/model library \(Llama-3-8B-Instruct-q4f32_1_cs1k-webgpu\.wasm\) is missing or is not a WebLLM model library/);
      expect(await problem.textContent()).toMatch(/public\/models\/lib/);
      // The failure is WebLLM's own reload() instantiating the library it read from the cache.
      expect(logs.join('\n')).toMatch(/CompileError: WebAssembly\.instantiate\(\): expected magic word/);
      await page.screenshot({ path: join(process.env.SCREENSHOT_DIR ?? '/tmp', 'model-tab-library-step.png'), fullPage: true });

      // Each file crossed the network once: WebLLM's own reload then read config and library from the cache.
      const got = modelRequests(from);
      const expected = ['mlc-chat-config.json', 'tensor-cache.json', 'tokenizer.json', ...model.shards.map((s) => s.name)].map((f) => `${WEIGHTS_PATH}${f}`);
      expect([...got].sort()).toEqual([...expected, `/models/lib/${F32_LIBRARY}`].sort());

      const keys = await cacheKeys(page);
      expect(keys['webllm/config']).toEqual([`${WEIGHTS_PATH}mlc-chat-config.json`]);
      expect(keys['webllm/model']).toEqual(expected.slice(1).sort());
      expect(keys['webllm/wasm']).toEqual([`/models/lib/${F32_LIBRARY}`]);
      // WebLLM's hasModelInCache (asked in the worker) agrees the model is cached.
      await expect.poll(() => card(page).getByTestId('cache-status').textContent()).toMatch(/In this browser: .*\(4 weight files\), library included/);
      expect(blocked).toEqual([]);

      await card(page).getByTestId(`delete-${F32_ID}`).click();
      await expect.poll(() => card(page).getByTestId('cache-status').textContent()).toMatch(/Not in this browser yet/);
      expect(await cacheKeys(page)).toEqual({ 'webllm/config': [], 'webllm/model': [], 'webllm/wasm': [] });
    } finally {
      releaseShards();
      await close();
    }
  });

  it('cancels a download, keeps what arrived, and resumes without fetching it again', async () => {
    const { page, close } = await openModelTab();
    const from = server.requests.length;
    try {
      holdShards();
      await page.getByTestId(`load-${F32_ID}`).click();
      await expect.poll(() => page.getByTestId('load-progress').textContent(), { timeout: 30_000 }).toMatch(/[1-9]\d*%/);
      await page.getByTestId('cancel-load').click();
      await expect.poll(() => page.getByTestId('model-notice').textContent(), { timeout: 30_000 }).toMatch(/cancelled/i);
      await expect.poll(() => card(page).getByTestId('cache-status').textContent()).toMatch(/Partly downloaded: 1 of 4 weight files/);
      releaseShards();

      const resumeFrom = server.requests.length;
      await page.getByTestId(`load-${F32_ID}`).click();
      await page.getByTestId('model-problem').waitFor({ timeout: 90_000 });
      const again = modelRequests(resumeFrom);
      expect(again).not.toContain(`${WEIGHTS_PATH}params_shard_0.bin`);
      expect(again).not.toContain(`${WEIGHTS_PATH}tensor-cache.json`);
      expect(again.filter((u) => u.includes('params_shard_')).sort()).toEqual([1, 2, 3].map((i) => `${WEIGHTS_PATH}params_shard_${i}.bin`));
      expect(modelRequests(from).filter((u) => u.endsWith('params_shard_0.bin'))).toHaveLength(1);
    } finally {
      releaseShards();
      await close();
    }
  });

  it('imports a model folder into the cache WebLLM reads, after which loading makes no network request', async () => {
    const { page, close } = await openModelTab();
    const from = server.requests.length;
    try {
      await card(page).getByTestId(`folder-${F32_ID}`).setInputFiles(model.importRoot);
      await expect.poll(() => page.getByTestId('model-notice').textContent(), { timeout: 60_000 }).toMatch(/Imported 8 files\. Loading now needs no network at all/);
      await expect.poll(() => card(page).getByTestId('cache-status').textContent()).toMatch(/In this browser: .*library included/);
      await page.getByTestId(`load-${F32_ID}`).click();
      // The imported library is a valid but empty WebAssembly module, so WebLLM stops when it looks for the
      // model's functions; what matters here is that it got that far without a request.
      await page.getByTestId('model-problem').waitFor({ timeout: 90_000 });
      expect(await page.getByTestId('model-problem').textContent()).not.toMatch(/^\s*$/);
      expect(modelRequests(from)).toEqual([]);
    } finally {
      await close();
    }
  });

  it('refuses a shard whose size differs from tensor-cache.json and caches none of it', async () => {
    const { page, close } = await openModelTab();
    truncate = true;
    try {
      await page.getByTestId(`load-${F32_ID}`).click();
      const problem = page.getByTestId('model-problem');
      await problem.waitFor({ timeout: 60_000 });
      expect(await problem.textContent()).toMatch(/params_shard_3\.bin is 10 bytes on the server, but tensor-cache\.json says 48000/);
      expect((await cacheKeys(page))['webllm/model']).not.toContain(`${WEIGHTS_PATH}params_shard_3.bin`);
    } finally {
      truncate = false;
      await close();
    }
  });

  it('offers the webllm engine, and labeling with it before a model is loaded says what to do', async () => {
    const { page, close } = await openModelTab();
    try {
      const picker = page.getByTestId('engine-select');
      await expect.poll(() => picker.locator('option[value="webllm"]').textContent()).toMatch(/webllm \(no model loaded\)/);
      await picker.selectOption('webllm');
      await page.getByTestId('tab-single').click();
      await page.getByTestId('report-input').fill('FINDINGS: Small right pleural effusion.');
      await expect.poll(() => page.getByTestId('single-view').textContent(), { timeout: 30_000 }).toMatch(/has no model loaded.*Load a model on the Model tab/);
    } finally {
      await close();
    }
  });

  it('refuses an incomplete folder and names the missing shard', async () => {
    const broken = `${model.importRoot}-broken`;
    cpSync(model.importRoot, broken, { recursive: true });
    rmSync(join(broken, F32_ID, 'params_shard_2.bin'));
    const { page, close } = await openModelTab();
    try {
      await card(page).getByTestId(`folder-${F32_ID}`).setInputFiles(broken);
      const problem = page.getByTestId('model-problem');
      await problem.waitFor({ timeout: 60_000 });
      expect(await problem.textContent()).toMatch(/The folder is incomplete: params_shard_2\.bin is missing\./);
      expect((await cacheKeys(page))['webllm/model']).toEqual([]);
    } finally {
      await close();
    }
  });
});
