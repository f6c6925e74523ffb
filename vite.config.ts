import { readFileSync } from 'node:fs';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig, type HtmlTagDescriptor, type Plugin } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import { buildCsp, connectOrigins, type DeployConfig } from './src/lib/csp.ts';

const deploy = JSON.parse(readFileSync(new URL('./deploy.config.json', import.meta.url), 'utf8')) as DeployConfig;
// Model mirrors and the origins enabled for stock models: the only hosts besides the site in connect-src.
const mirrors = connectOrigins(deploy);
const PRECACHE_MAX_BYTES = 2 * 1024 * 1024;

/**
 * Response headers for hosts that can set them (and for `vite preview`). COOP + COEP make the page cross-origin
 * isolated, which gives the CPU engine (wllama) SharedArrayBuffer and so several threads; every file comes from this
 * origin, so `require-corp` blocks nothing the site uses.
 */
const HEADERS = {
  'Content-Security-Policy': `${buildCsp(mirrors)}; frame-ancestors 'none'`,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/**
 * Puts the Content-Security-Policy first in <head> of the built page, before any script or stylesheet it
 * governs. Build only: the dev server injects inline scripts and styles that the policy would block.
 * A <meta> policy cannot carry frame-ancestors; a host that wants it sets the HTTP header as well.
 */
function contentSecurityPolicy(): Plugin {
  return {
    name: 'radreportx:csp',
    apply: 'build',
    // A <meta> policy binds the page only: workers loaded from the site's files take their policy from HTTP
    // headers. `_headers` (Netlify / Cloudflare Pages format; copy it into any other host's config) carries the
    // same policy, plus what only a header can say.
    generateBundle() {
      const lines = Object.entries(HEADERS).map(([name, value]) => `  ${name}: ${value}`);
      this.emitFile({ type: 'asset', fileName: '_headers', source: `/*\n${lines.join('\n')}\n` });
    },
    transformIndexHtml: {
      order: 'post',
      handler(html) {
        if (/<script(?![^>]*\bsrc=)[^>]*>/i.test(html)) {
          throw new Error('index.html has an inline <script>; the Content-Security-Policy forbids it. Move it to a module file.');
        }
        const tags: HtmlTagDescriptor[] = [
          { tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: buildCsp(mirrors) }, injectTo: 'head-prepend' },
        ];
        // Without an icon link Chromium asks for /favicon.ico, one more request for the Privacy panel to list.
        if (!/<link[^>]+rel=["'][^"']*icon/i.test(html)) {
          tags.push({ tag: 'link', attrs: { rel: 'icon', href: '/icon.svg', type: 'image/svg+xml' }, injectTo: 'head' });
        }
        return { html, tags };
      },
    },
  };
}

export default defineConfig({
  plugins: [
    svelte(),
    VitePWA({
      // A separate registerSW.js file: the CSP forbids the inline registration snippet.
      injectRegister: 'script',
      registerType: 'autoUpdate',
      strategies: 'generateSW',
      // The icons are in globPatterns already; listing them again would precache them twice.
      includeAssets: [],
      includeManifestIcons: false,
      manifest: {
        name: 'RadReportX Web',
        short_name: 'RadReportX',
        description: 'Label radiology reports on this device: nothing leaves the browser.',
        start_url: '.',
        scope: '.',
        display: 'standalone',
        background_color: '#ffffff',
        theme_color: '#12355b',
        icons: [
          { src: 'icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' },
          { src: 'icon-maskable.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'maskable' },
        ],
      },
      workbox: {
        globPatterns: ['**/*.{js,css,html,svg,webmanifest,wasm,json}'],
        // Model weights are large and WebLLM caches them itself; the app shell is all the worker keeps.
        // The plugin adds the manifest itself.
        globIgnores: ['manifest.webmanifest', 'models/**', '**/*.bin', '**/*.safetensors', '**/*-shard*'],
        // Files over PRECACHE_MAX_BYTES (the WebLLM bundle, ~6 MB, loaded only when the LLM engine is chosen) are not
        // precached: a visitor who labels with rules never downloads it. They are cached on first use instead
        // (runtimeCaching below), so the LLM engine, once used online, also works offline.
        maximumFileSizeToCacheInBytes: 64 * 1024 * 1024,
        // The CPU engine's files (wllama's bundle and its 10 MB WebAssembly) are left out the same way.
        manifestTransforms: [async (entries) => ({ manifest: entries.filter((e) => e.size <= PRECACHE_MAX_BYTES && !/\/wllama/.test(e.url)), warnings: [] })],
        runtimeCaching: [
          {
            // Hashed file names never change content, so the cached copy is always right.
            urlPattern: ({ url, sameOrigin }) => sameOrigin && url.pathname.startsWith('/assets/'),
            handler: 'CacheFirst',
            options: { cacheName: 'radreportx-assets', expiration: { maxEntries: 32 } },
          },
        ],
        navigateFallback: 'index.html',
        navigateFallbackDenylist: [/^\/models\//],
        cleanupOutdatedCaches: true,
        clientsClaim: true,
        skipWaiting: true,
      },
    }),
    contentSecurityPolicy(),
  ],
  worker: { format: 'es' },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1', port: 4173, strictPort: true, headers: HEADERS },
});
