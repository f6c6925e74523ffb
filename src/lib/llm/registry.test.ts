import { describe, expect, it } from 'vitest';
import shipped from '../models/registry.json' with { type: 'json' };
import { prebuiltAppConfig } from '@mlc-ai/web-llm';
import { appConfig, blockedOrigins, findModel, modelOrigins, parseRegistry, resolveModel, siteRoot, type RegistryEntry } from './registry.ts';

const entry = (over: Record<string, unknown> = {}) => ({ ...(shipped.models[1] as Record<string, unknown>), ...over });
const reg = (models: unknown[], extra: Record<string, unknown> = {}) => ({ libraryVersion: 'v0_2_86', models, ...extra });

describe('parseRegistry', () => {
  it('loads every shipped entry', () => {
    const r = parseRegistry(shipped);
    expect(r.models.filter((m) => !m.stock).map((m) => m.id)).toEqual(['RadReportX-8B-q4f16_1', 'RadReportX-8B-q4f32_1']);
    expect(r.models[0].requiredFeatures).toEqual(['shader-f16']);
    expect(r.libraryVersion).toBe('v0_2_86');
  });

  it('runs the released weights on the Llama-3 libraries with the release profile', () => {
    for (const m of parseRegistry(shipped).models.filter((x) => !x.stock)) {
      expect(m.promptProfile).toBe('release');
      expect(m.library).toBe(`models/lib/Llama-3-8B-Instruct-${m.quantization}_cs1k-webgpu.wasm`);
      // The library is WebLLM 0.2.86's own Llama-3-8B-Instruct one, and the GPU need is that model's.
      const base = prebuiltAppConfig.model_list.find((p) => p.model_id === `Llama-3-8B-Instruct-${m.quantization}-MLC`);
      expect(base?.model_lib, m.id).toMatch(new RegExp(`/v0_2_86/base/${m.library.split('/').pop()!.replace(/\./g, '\\.')}$`));
      expect(m.vramMB).toBe(Math.ceil(base!.vram_required_MB!));
      expect(m.contextWindow).toBe(base!.overrides?.context_window_size);
    }
  });

  it('lists stock models exactly as WebLLM 0.2.86 publishes them, small and large, f16 and f32, zero-shot json', () => {
    const stock = parseRegistry(shipped).models.filter((m) => m.stock);
    expect(stock.length).toBeGreaterThanOrEqual(5);
    expect(new Set(stock.map((m) => m.quantization))).toEqual(new Set(['q4f16_1', 'q4f32_1']));
    expect(Math.min(...stock.map((m) => m.downloadMB))).toBeLessThan(1000);
    expect(Math.max(...stock.map((m) => m.downloadMB))).toBeGreaterThan(4000);
    for (const m of stock) {
      const p = prebuiltAppConfig.model_list.find((x) => x.model_id === m.id);
      expect(p, m.id).toBeDefined();
      expect(m.weights).toBe(`${p!.model}/resolve/main/`);
      expect(m.library).toBe(p!.model_lib);
      expect(m.vramMB).toBe(Math.ceil(p!.vram_required_MB!));
      expect(m.contextWindow).toBe(p!.overrides?.context_window_size);
      expect(m.promptProfile).toBe('json');
      expect(m.name).not.toMatch(/RadReportX/i);
    }
  });

  it('checks stock entries: absolute https URLs, the json profile, never named RadReportX', () => {
    const stock = (shipped.models as Record<string, unknown>[]).find((m) => m.stock)!;
    expect(() => parseRegistry(reg([{ ...stock, promptProfile: 'release' }]))).toThrow(/json prompt profile/);
    expect(() => parseRegistry(reg([{ ...stock, weights: 'models/x/' }]))).toThrow(/absolute https URL/);
    expect(() => parseRegistry(reg([{ ...stock, name: 'RadReportX tiny' }]))).toThrow(/not RadReportX/);
    expect(() => parseRegistry(reg([{ ...stock, stock: false }]))).toThrow(/"stock" must be true/);
  });

  it('rejects an unknown entry field, naming it', () => {
    expect(() => parseRegistry(reg([entry({ weigths: 'x/' })]))).toThrow(/unknown field "weigths"/);
  });

  it('rejects an unknown top-level field, naming it', () => {
    expect(() => parseRegistry(reg([entry()], { model: [] }))).toThrow(/unknown top-level field "model"/);
  });

  it('names a missing field', () => {
    const e = entry();
    delete e.vramMB;
    expect(() => parseRegistry(reg([e]))).toThrow(/lacks the field "vramMB"/);
  });

  it.each([
    [{ id: 'bad id' }, /may hold only letters/],
    [{ weights: 'models/x' }, /ending with "\/"/],
    [{ library: 'models/lib/x.js' }, /\.wasm/],
    [{ quantization: 'int4' }, /not an MLC quantization/],
    [{ library: 'models/lib/Llama-3-8B-Instruct-q4f16_1_cs1k-webgpu.wasm' }, /not built for q4f32_1/],
    [{ requiredFeatures: ['shader-f64'] }, /requiredFeatures/],
    [{ downloadMB: 0 }, /"downloadMB" must be a positive/],
    [{ contextWindow: 4096.5 }, /whole number/],
    [{ promptProfile: 'chatml' }, /not a prompt profile/],
    [{ name: '' }, /"name" must be a non-empty string/],
  ])('rejects %j', (over, message) => {
    expect(() => parseRegistry(reg([entry(over)]))).toThrow(message);
  });

  it('requires shader-f16 for an f16 quantization', () => {
    const f16 = { ...(shipped.models[0] as Record<string, unknown>), requiredFeatures: [] };
    expect(() => parseRegistry(reg([f16]))).toThrow(/needs "shader-f16"/);
  });

  it('rejects duplicate ids and a bad library version', () => {
    expect(() => parseRegistry(reg([entry(), entry()]))).toThrow(/appears twice/);
    expect(() => parseRegistry({ libraryVersion: '0.2.86', models: [] })).toThrow(/libraryVersion/);
  });

  it('errors carry the InvalidConfig name for the worker boundary', () => {
    try {
      parseRegistry(reg([entry({ extra: 1 })]));
      expect.unreachable();
    } catch (e) {
      expect((e as Error).name).toBe('InvalidConfig');
    }
  });

  it('findModel names the available ids when one is missing', () => {
    expect(() => findModel(parseRegistry(shipped), 'nope')).toThrow(/no model "nope"/);
  });
});

describe('resolveModel', () => {
  const m = parseRegistry(shipped).models[0] as RegistryEntry;

  it('builds absolute URLs from the origin and the base path', () => {
    const r = resolveModel(m, { origin: 'https://example.org', base: '/radreportx/' });
    expect(r.weightsUrl).toBe('https://example.org/radreportx/models/RadReportX-8B-q4f16_1/resolve/main/');
    expect(r.libraryUrl).toBe('https://example.org/radreportx/models/lib/Llama-3-8B-Instruct-q4f16_1_cs1k-webgpu.wasm');
    expect(siteRoot({ origin: 'http://127.0.0.1:4173', base: '/' })).toBe('http://127.0.0.1:4173/');
    expect(siteRoot({ origin: 'http://127.0.0.1:4173', base: 'app' })).toBe('http://127.0.0.1:4173/app/');
  });

  it('takes weights from a configured mirror and the library from the site', () => {
    const r = resolveModel(m, { origin: 'https://example.org', base: '/' }, 'https://models.example.net', ['https://models.example.net']);
    expect(r.weightsUrl).toBe('https://models.example.net/models/RadReportX-8B-q4f16_1/resolve/main/');
    expect(r.libraryUrl.startsWith('https://example.org/')).toBe(true);
  });

  it('downloads a stock model only from origins deploy.config.json enables', () => {
    const stock = parseRegistry(shipped).models.find((x) => x.stock)!;
    const site = { origin: 'https://example.org', base: '/' };
    expect(modelOrigins(stock, site)).toEqual(['https://huggingface.co', 'https://raw.githubusercontent.com']);
    expect(modelOrigins(m, site)).toEqual([]);
    expect(blockedOrigins(stock, site, ['https://huggingface.co'])).toEqual(['https://raw.githubusercontent.com']);
    expect(() => resolveModel(stock, site, 'site', [], [])).toThrow(/which this site does not allow/);
    expect(resolveModel(stock, site, 'site', [], ['https://huggingface.co', 'https://raw.githubusercontent.com']).weightsUrl).toBe(stock.weights);
    // The site's own models need no origin enabled.
    expect(resolveModel(m, site, 'site', [], []).weightsUrl.startsWith('https://example.org/')).toBe(true);
  });

  it('refuses a mirror that deploy.config.json does not list', () => {
    expect(() => resolveModel(m, { origin: 'https://example.org', base: '/' }, 'https://evil.example', [])).toThrow(/not one of the mirrors/);
  });

  it('keeps absolute URLs as they are and fills in WebLLM model records', () => {
    const abs = { ...m, weights: 'https://cdn.example.org/w/', library: 'https://cdn.example.org/lib/x-q4f16_1.wasm' };
    const r = resolveModel(abs, { origin: 'https://example.org', base: '/' });
    const cfg = appConfig([r]);
    expect(cfg.cacheBackend).toBe('cache');
    expect(cfg.model_list[0]).toEqual({
      model: 'https://cdn.example.org/w/',
      model_id: 'RadReportX-8B-q4f16_1',
      model_lib: 'https://cdn.example.org/lib/x-q4f16_1.wasm',
      vram_required_MB: 5001,
      low_resource_required: false,
      required_features: ['shader-f16'],
      overrides: { context_window_size: 4096 },
    });
  });
});
