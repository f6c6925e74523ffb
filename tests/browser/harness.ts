/**
 * Shared browser-test harness: finds a Chromium, serves the built site (`dist/`) on 127.0.0.1, and records
 * every request the server sees. Tests and benchmarks reach only 127.0.0.1.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

export const ROOT = resolve(import.meta.dirname, '../..');
export const DIST = join(ROOT, 'dist');
/** The IU X-ray development set, read in place from ../shared beside the checkout (never copied into the repo). */
export const IU_DIR = join(ROOT, '../shared/data/iu-xray');

/** True when the IU X-ray reports are there; otherwise says, visibly, which tests are skipped and why. */
export function haveIuReports(what: string): boolean {
  if (existsSync(join(IU_DIR, 'indiana_reports.csv'))) return true;
  console.warn(`SKIPPED ${what}: ${IU_DIR}/indiana_reports.csv is absent (it needs ../shared/data/iu-xray beside the checkout).`);
  return false;
}

const CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/opt/google/chrome/chrome',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
];

/**
 * A system Chromium or Chrome (env `CHROMIUM_PATH` first), else Playwright's own Chromium, downloaded once.
 * Never returns silently without a browser: the tests must not skip for lack of one.
 */
export function findChromium(): string {
  const fromEnv = process.env.CHROMIUM_PATH ?? process.env.PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`CHROMIUM_PATH points to ${fromEnv}, which does not exist.`);
    return fromEnv;
  }
  const found = CANDIDATES.find((p) => existsSync(p));
  if (found) return found;
  const bundled = chromium.executablePath();
  if (existsSync(bundled)) return bundled;
  try {
    process.stderr.write('No system Chromium or Chrome found; downloading Playwright\'s Chromium...\n');
    execFileSync(process.execPath, [join(ROOT, 'node_modules/playwright-core/cli.js'), 'install', 'chromium'], { stdio: 'inherit' });
  } catch {
    /* reported below */
  }
  if (existsSync(bundled)) return bundled;
  throw new Error(
    'The browser tests need Chromium or Chrome. Install one (Debian: `apt-get install chromium`) or set CHROMIUM_PATH to its executable.',
  );
}

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--enable-unsafe-webgpu',
];

export async function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: findChromium(), args: [...CHROMIUM_ARGS, ...extraArgs], headless: true });
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.bin': 'application/octet-stream',
};

export interface RecordedRequest {
  method: string;
  url: string;
  body: string;
}

export type Route = (req: IncomingMessage, res: ServerResponse, body: string) => boolean | Promise<boolean>;

export interface SiteServer {
  origin: string;
  /** Every request the server received, in order, with its body. */
  requests: RecordedRequest[];
  /** Extra handlers tried before the static files (return true when handled). */
  routes: Route[];
  /** Serve files under `urlPrefix` from `dir` (e.g. a synthetic model folder). */
  mount(urlPrefix: string, dir: string): void;
  close(): Promise<void>;
}

/** The `/*` block of the build's `_headers` file (Netlify / Cloudflare Pages format), as a host applies it. */
export function siteHeaders(root = DIST): Record<string, string> {
  const text = readFileSync(join(root, '_headers'), 'utf8');
  const block = text.split(/^\/\*\s*$/m)[1] ?? '';
  return Object.fromEntries(block.split('\n').map((l) => /^\s+([\w-]+):\s*(.+)$/.exec(l)).filter((m) => m !== null).map((m) => [m![1], m![2].trim()]));
}

/**
 * Serves `dist/` (or `root`) on 127.0.0.1 at a free port. Run `vite build` first (npm run test:browser does).
 * `headers: true` sends the build's `_headers` on every response, as a production host would (CSP, COOP/COEP).
 */
export async function serveSite(root = DIST, options: { headers?: boolean } = {}): Promise<SiteServer> {
  if (!existsSync(join(root, 'index.html'))) throw new Error(`${root}/index.html is missing: run \`npm run build\` first.`);
  const extra = options.headers ? siteHeaders(root) : {};
  const mounts: [string, string][] = [];
  const requests: RecordedRequest[] = [];
  const routes: Route[] = [];

  const sendFile = async (res: ServerResponse, file: string) => {
    const data = await readFile(file);
    res.writeHead(200, {
      'content-type': MIME[extname(file)] ?? 'application/octet-stream',
      'content-length': data.length,
      'cache-control': 'no-cache',
      ...extra,
    });
    res.end(data);
  };

  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    requests.push({ method: req.method ?? 'GET', url: req.url ?? '/', body });
    try {
      for (const route of routes) if (await route(req, res, body)) return;
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      for (const [prefix, dir] of mounts) {
        if (path.startsWith(prefix)) {
          const file = safeJoin(dir, path.slice(prefix.length));
          if (file && (await isFile(file))) return await sendFile(res, file);
          res.writeHead(404).end('not found');
          return;
        }
      }
      const file = safeJoin(root, path === '/' ? 'index.html' : path);
      if (file && (await isFile(file))) return await sendFile(res, file);
      res.writeHead(404).end('not found');
    } catch (e) {
      res.writeHead(500).end(String(e));
    }
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    routes,
    mount: (prefix, dir) => mounts.push([prefix, dir]),
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

function safeJoin(dir: string, rel: string): string | undefined {
  const p = normalize(join(dir, rel));
  return p === dir || p.startsWith(dir + sep) ? p : undefined;
}

async function isFile(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isFile();
  } catch {
    return false;
  }
}

/**
 * A context that fails any request to a host other than 127.0.0.1, so a test can never reach the internet,
 * and records the URLs it blocked.
 */
export async function isolatedContext(browser: Browser, options: Parameters<Browser['newContext']>[0] = {}): Promise<{ context: BrowserContext; blocked: string[] }> {
  const context = await browser.newContext(options);
  const blocked: string[] = [];
  await context.route(/.*/, (route) => {
    const url = new URL(route.request().url());
    if (url.hostname === '127.0.0.1' || url.protocol === 'data:' || url.protocol === 'blob:') return route.fallback();
    blocked.push(url.href);
    return route.abort('blockedbyclient');
  });
  return { context, blocked };
}
