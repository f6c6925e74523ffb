/**
 * The Content-Security-Policy the built site ships in a `<meta http-equiv>` tag. Pure, so the build
 * (vite.config.ts), the Privacy panel and the tests share one definition.
 */

export interface DeployConfig {
  /** Extra origins (`https://host[:port]`) that serve model folders. */
  modelMirrors?: unknown;
}

export class InvalidMirrorError extends Error {
  constructor(value: unknown, why: string) {
    super(`deploy.config.json: modelMirrors entry ${JSON.stringify(value)} ${why}. Write an origin such as "https://models.example.org".`);
    this.name = 'InvalidConfig';
  }
}

/**
 * Checks the mirrors and returns them as bare origins. A path, query or wildcard would widen or blur what the
 * policy allows, so anything but `scheme://host[:port]` is refused rather than silently trimmed.
 */
export function mirrorOrigins(config: DeployConfig): string[] {
  const list = config.modelMirrors ?? [];
  if (!Array.isArray(list)) throw new InvalidMirrorError(list, 'must be a list of origins');
  return list.map((value) => {
    if (typeof value !== 'string') throw new InvalidMirrorError(value, 'is not a string');
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new InvalidMirrorError(value, 'is not a URL');
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) {
      throw new InvalidMirrorError(value, 'must use https (http only for 127.0.0.1 or localhost)');
    }
    if (value.includes('*')) throw new InvalidMirrorError(value, 'must not contain a wildcard');
    if (url.pathname !== '/' || url.search || url.hash || url.username || url.password) {
      throw new InvalidMirrorError(value, 'must be an origin without a path, query or credentials');
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
