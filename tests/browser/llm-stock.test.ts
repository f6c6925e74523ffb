/**
 * Stock models (WebLLM's own prebuilt models) in the built site with the shipped deploy.config.json: they are
 * listed on the Model tab with the disclosure (what, from where, how large, no report text sent), cannot be
 * downloaded because the default build enables no other origin, the page's policy stays connect-src 'self', the
 * Privacy panel names the hosts, and nothing is requested from them.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import shipped from '../../src/lib/models/registry.json' with { type: 'json' };
import { isolatedContext, launchBrowser, serveSite, type SiteServer } from './harness.ts';

let browser: Browser;
let server: SiteServer;
const STOCK = (shipped.models as { id: string; name: string; stock?: boolean; downloadMB: number }[]).filter((m) => m.stock);

beforeAll(async () => {
  server = await serveSite();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('stock models, default deployment', () => {
  it('are listed with the disclosure, blocked by the strict default policy, and never requested', async () => {
    const { context, blocked } = await isolatedContext(browser, { viewport: { width: 1100, height: 1400 } });
    const page = await context.newPage();
    await page.goto(`${server.origin}/#model`);
    const policy = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    expect(policy).toMatch(/(^|; )connect-src 'self'(;|$)/);
    await page.getByTestId('stock-intro').waitFor();
    expect(STOCK.length).toBeGreaterThanOrEqual(5);
    for (const m of STOCK) {
      const card = page.getByTestId(`model-${m.id}`);
      const disclosure = await card.getByTestId(`disclosure-${m.id}`).textContent();
      expect(disclosure).toContain(m.name);
      expect(disclosure).toMatch(/not\s+RadReportX/);
      expect(disclosure).toContain(`about ${(m.downloadMB / 1024).toFixed(1)} GB`);
      expect(disclosure).toMatch(/from\s+huggingface\.co/);
      expect(disclosure).toMatch(/raw\.githubusercontent\.com/);
      expect(disclosure).toMatch(/No report text is sent/);
      expect(await card.getByTestId(`blocked-${m.id}`).textContent()).toMatch(/does not allow downloads[\s\S]*stockModelOrigins/);
      await expect.poll(() => card.getByTestId(`load-${m.id}`).isDisabled()).toBe(true);
    }
    // RadReportX keeps its own section, first, and is not called a stock model.
    expect(await page.getByTestId('model-RadReportX-8B-q4f32_1').getByText('not RadReportX').count()).toBe(0);

    await page.getByTestId('tab-privacy').click();
    const privacy = page.getByTestId('privacy-stock');
    await privacy.waitFor();
    expect(await privacy.textContent()).toMatch(/huggingface\.co/);
    expect(await privacy.getByTestId('privacy-stock-blocked').count()).toBe(STOCK.length);
    expect(await page.getByTestId('privacy-connect').textContent()).toBe('this site');
    expect(blocked).toEqual([]);
    await context.close();
  });
});
