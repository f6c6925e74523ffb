/** The built site on 127.0.0.1 and a headless Chromium, shared by the tests of one file and closed after them. */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { launchBrowser, serveSite, type SiteServer } from './harness.ts';

export function useSiteAndBrowser(): { server: SiteServer; browser: Browser } {
  const session = {} as { server: SiteServer; browser: Browser };
  beforeAll(async () => {
    session.server = await serveSite();
    session.browser = await launchBrowser();
  });
  afterAll(async () => {
    await session.browser?.close();
    await session.server?.close();
  });
  return session;
}
