/**
 * The Content-Security-Policy the built site ships in a `<meta http-equiv>` tag. Pure, so the build
 * (vite.config.ts), the Privacy panel and the tests share one definition.
 */
import { InvalidMirrorError } from './errors.ts';

export interface DeployConfig {
  /** Extra origins (`https://host[:port]`) that serve model folders. */
  modelMirrors?: unknown;
  /**
   * Origins the stock models (WebLLM's prebuilt models in the registry) may be downloaded from, e.g. Hugging Face
   * and its file CDN for weights, raw.githubusercontent.com for the libraries. Empty by default: the site then
   * talks to no other host, and stock models are listed but cannot be downloaded.
   */
  stockModelOrigins?: unknown;
}

/**
 * Checks the mirrors and returns them as bare origins. A path, query or wildcard would widen or blur what the
 * policy allows, so anything but `scheme://host[:port]` is refused rather than silently trimmed.
 */
export function mirrorOrigins(config: DeployConfig): string[] {
  return checkOrigins(config.modelMirrors, 'modelMirrors');
}

/** The origins deploy.config.json enables for stock model downloads. */
export function stockOrigins(config: DeployConfig): string[] {
  return checkOrigins(config.stockModelOrigins, 'stockModelOrigins');
}

/** Every origin besides the site that the page and its workers may connect to: mirrors, then stock origins. */
export function connectOrigins(config: DeployConfig): string[] {
  return [...new Set([...mirrorOrigins(config), ...stockOrigins(config)])];
}

function checkOrigins(value: unknown, field: string): string[] {
  const list = value ?? [];
  if (!Array.isArray(list)) throw new InvalidMirrorError(list, 'must be a list of origins', field);
  return list.map((value) => {
    if (typeof value !== 'string') throw new InvalidMirrorError(value, 'is not a string', field);
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new InvalidMirrorError(value, 'is not a URL', field);
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) {
      throw new InvalidMirrorError(value, 'must use https (http only for 127.0.0.1 or localhost)', field);
    }
    if (value.includes('*')) throw new InvalidMirrorError(value, 'must not contain a wildcard', field);
    if (url.pathname !== '/' || url.search || url.hash || url.username || url.password) {
      throw new InvalidMirrorError(value, 'must be an origin without a path, query or credentials', field);
    }
    return url.origin;
  });
}

function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === 'localhost' || host === '[::1]';
}

/**
 * Directive by directive. `style-src` has no 'unsafe-inline': the build emits CSS files and Svelte sets
 * dynamic styles through the CSSOM, which CSP does not restrict. `'wasm-unsafe-eval'` lets WebLLM compile its
 * WebAssembly without allowing `eval`. `blob:` workers cover libraries that spawn workers from blobs.
 */
export function cspDirectives(mirrors: readonly string[] = []): [string, string[]][] {
  return [
    ['default-src', ["'self'"]],
    ['script-src', ["'self'", "'wasm-unsafe-eval'"]],
    ['worker-src', ["'self'", 'blob:']],
    ['connect-src', ["'self'", ...mirrors]],
    ['style-src', ["'self'"]],
    ['img-src', ["'self'", 'data:', 'blob:']],
    ['font-src', ["'self'"]],
    ['manifest-src', ["'self'"]],
    ['object-src', ["'none'"]],
    ['base-uri', ["'none'"]],
    ['form-action', ["'none'"]],
  ];
}

export function buildCsp(mirrors: readonly string[] = []): string {
  return cspDirectives(mirrors)
    .map(([name, sources]) => `${name} ${sources.join(' ')}`)
    .join('; ');
}

/** The origins a policy's connect-src allows besides the site itself ('self'), e.g. from the page's <meta> policy. */
export function connectSources(policy: string | undefined): string[] {
  const directive = (policy ?? '')
    .split(';')
    .map((d) => d.trim().split(/\s+/))
    .find(([name]) => name === 'connect-src');
  return (directive ?? []).slice(1).filter((s) => s !== "'self'");
}
