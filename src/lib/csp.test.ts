import { describe, expect, it } from 'vitest';
import deploy from '../../deploy.config.json' with { type: 'json' };
import { buildCsp, connectOrigins, connectSources, cspDirectives, mirrorOrigins, stockOrigins } from './csp.ts';

describe('the shipped deploy.config.json', () => {
  it("keeps the default policy at connect-src 'self': no mirror, no stock model origin", () => {
    expect(connectOrigins(deploy)).toEqual([]);
    expect(new Map(cspDirectives(connectOrigins(deploy))).get('connect-src')).toEqual(["'self'"]);
    expect(buildCsp(connectOrigins(deploy))).toContain("connect-src 'self'; ");
  });
});

describe('stockModelOrigins', () => {
  it('adds the enabled stock model origins to connect-src, after the mirrors, once each', () => {
    const config = { modelMirrors: ['https://m.example.org'], stockModelOrigins: ['https://huggingface.co', 'https://raw.githubusercontent.com/', 'https://m.example.org'] };
    expect(stockOrigins(config)).toEqual(['https://huggingface.co', 'https://raw.githubusercontent.com', 'https://m.example.org']);
    expect(connectOrigins(config)).toEqual(['https://m.example.org', 'https://huggingface.co', 'https://raw.githubusercontent.com']);
  });

  it('reads the allowed origins back out of a built policy', () => {
    expect(connectSources(buildCsp([]))).toEqual([]);
    expect(connectSources(buildCsp(['https://huggingface.co', 'https://raw.githubusercontent.com']))).toEqual(['https://huggingface.co', 'https://raw.githubusercontent.com']);
    expect(connectSources(undefined)).toEqual([]);
  });

  it('refuses a bad entry, naming the field', () => {
    expect(() => stockOrigins({ stockModelOrigins: ['https://huggingface.co/mlc-ai'] })).toThrow(/stockModelOrigins entry .* without a path/);
    expect(() => stockOrigins({ stockModelOrigins: 'https://huggingface.co' })).toThrow(/stockModelOrigins.*list of origins/);
  });
});

describe('buildCsp', () => {
  it('allows only this site, wasm compilation and blob workers when there are no mirrors', () => {
    const csp = buildCsp();
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(csp).toContain("connect-src 'self'; ");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("base-uri 'none'");
    expect(csp).toContain("form-action 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toMatch(/unsafe-eval(?!')/);
    // frame-ancestors is ignored in a <meta> policy and the browser warns about it.
    expect(csp).not.toContain('frame-ancestors');
  });

  it('adds model mirrors to connect-src and nowhere else', () => {
    const directives = new Map(cspDirectives(['https://models.example.org']));
    expect(directives.get('connect-src')).toEqual(["'self'", 'https://models.example.org']);
    for (const [name, sources] of directives) if (name !== 'connect-src') expect(sources).not.toContain('https://models.example.org');
  });
});

describe('mirrorOrigins', () => {
  it('accepts origins, with or without a trailing slash', () => {
    expect(mirrorOrigins({ modelMirrors: ['https://a.example.org', 'https://b.example.org:8443/'] })).toEqual([
      'https://a.example.org',
      'https://b.example.org:8443',
    ]);
    expect(mirrorOrigins({ modelMirrors: ['http://127.0.0.1:9000'] })).toEqual(['http://127.0.0.1:9000']);
    expect(mirrorOrigins({})).toEqual([]);
  });

  it.each([
    ['http://models.example.org', /https/],
    ['https://models.example.org/llama', /without a path/],
    ['https://*.example.org', /wildcard|not a URL/],
    ['models.example.org', /not a URL/],
    [42, /not a string/],
  ])('refuses %j with a message naming the problem', (value, message) => {
    expect(() => mirrorOrigins({ modelMirrors: [value] })).toThrow(message);
    expect(() => mirrorOrigins({ modelMirrors: [value] })).toThrow(/deploy\.config\.json/);
  });

  it('refuses a value that is not a list', () => {
    expect(() => mirrorOrigins({ modelMirrors: 'https://a.example.org' })).toThrow(/list of origins/);
  });
});
