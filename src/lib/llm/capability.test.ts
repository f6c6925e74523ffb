import { describe, expect, it } from 'vitest';
import shipped from '../models/registry.json' with { type: 'json' };
import { evaluateCapability, type AdapterDescription, type GpuDescription } from './capability.ts';
import { parseRegistry } from './registry.ts';

const MODELS = parseRegistry(shipped).models;
const GB = 2 ** 30;

const adapter = (over: Partial<AdapterDescription> = {}, limits: Partial<AdapterDescription['limits']> = {}): AdapterDescription => ({
  info: { vendor: 'nvidia', architecture: 'ampere', device: '', description: 'NVIDIA GeForce RTX 3060' },
  features: ['shader-f16', 'timestamp-query'],
  isFallbackAdapter: false,
  ...over,
  limits: {
    maxBufferSize: 4 * GB,
    maxStorageBufferBindingSize: 2 * GB,
    maxComputeWorkgroupStorageSize: 32768,
    maxStorageBuffersPerShaderStage: 10,
    maxComputeInvocationsPerWorkgroup: 1024,
    ...limits,
  },
});

const gpu = (over: Partial<GpuDescription> = {}): GpuDescription => ({
  webgpu: true,
  secureContext: true,
  adapter: adapter(),
  deviceMemoryGB: 8,
  storage: { quota: 100 * GB, usage: 0 },
  ...over,
});

const check = (r: ReturnType<typeof evaluateCapability>, modelId: string, id: string) =>
  r.models.find((m) => m.modelId === modelId)!.checks.find((c) => c.id === id);

describe('evaluateCapability', () => {
  it('recommends RadReportX over the smaller stock models, and a stock model only when no RadReportX fits', () => {
    expect(evaluateCapability(gpu(), MODELS).recommended).toBe('RadReportX-8B-q4f16_1');
    const r = evaluateCapability(gpu({ deviceMemoryGB: 8 }), MODELS.filter((m) => m.stock));
    expect(r.recommended).toBe('Llama-3.2-1B-Instruct-q4f16_1-MLC');
  });

  it('recommends the f16 variant on a GPU with shader-f16', () => {
    const r = evaluateCapability(gpu(), MODELS);
    expect(r.recommended).toBe('RadReportX-8B-q4f16_1');
    expect(r.models.every((m) => m.canRun)).toBe(true);
    expect(r.gpu).toBe('NVIDIA GeForce RTX 3060');
  });

  it('recommends the f32 variant when shader-f16 is missing, and says why', () => {
    const r = evaluateCapability(gpu({ adapter: adapter({ features: [] }) }), MODELS);
    expect(r.recommended).toBe('RadReportX-8B-q4f32_1');
    const f = check(r, 'RadReportX-8B-q4f16_1', 'features')!;
    expect(f.level).toBe('fail');
    expect(f.message).toMatch(/shader-f16/);
    expect(f.hint).toMatch(/RadReportX 8B \(q4f32_1/);
    expect(r.summary).toMatch(/needs shader-f16/);
  });

  it('sends the person to another browser and the rule engine without WebGPU', () => {
    const r = evaluateCapability(gpu({ webgpu: false, adapter: null }), MODELS);
    expect(r.recommended).toBeUndefined();
    expect(r.models.every((m) => !m.canRun)).toBe(true);
    const c = r.checks.find((x) => x.id === 'webgpu')!;
    expect(c.level).toBe('fail');
    expect(c.hint).toMatch(/Chrome or Edge/);
    expect(r.summary).toMatch(/rule engine/);
    expect(r.gpu).toBe('No WebGPU');
  });

  it('fails when no adapter is found, quoting the reason', () => {
    const r = evaluateCapability(gpu({ adapter: null, adapterError: 'blocklisted' }), MODELS);
    expect(r.checks.find((c) => c.id === 'adapter')).toMatchObject({ level: 'fail' });
    expect(r.checks.find((c) => c.id === 'adapter')!.message).toMatch(/blocklisted/);
    expect(r.recommended).toBeUndefined();
  });

  it('fails on plain http from another host', () => {
    const r = evaluateCapability(gpu({ secureContext: false }), MODELS);
    expect(r.checks[0]).toMatchObject({ id: 'secure-context', level: 'fail' });
    expect(r.recommended).toBeUndefined();
  });

  it('flags a software adapter (SwiftShader) but lets it run', () => {
    const sw = adapter({ info: { vendor: 'google', architecture: 'swiftshader', device: '', description: 'SwiftShader Device (Subzero)' }, features: [] });
    const r = evaluateCapability(gpu({ adapter: sw }), MODELS);
    expect(r.checks.find((c) => c.id === 'software')?.level).toBe('warn');
    expect(r.recommended).toBe('RadReportX-8B-q4f32_1');
    expect(r.summary).toMatch(/software renderer/);
  });

  it('fails below WebLLM minimum limits and names the limit', () => {
    const r = evaluateCapability(gpu({ adapter: adapter({}, { maxStorageBufferBindingSize: 64 * 2 ** 20 }) }), MODELS);
    const c = r.checks.find((x) => x.id === 'limits')!;
    expect(c.level).toBe('fail');
    expect(c.message).toMatch(/maxStorageBufferBindingSize 64 MB \(needs 128 MB\)/);
    expect(r.recommended).toBeUndefined();
  });

  it('warns on small but workable buffer limits', () => {
    const r = evaluateCapability(gpu({ adapter: adapter({}, { maxBufferSize: 256 * 2 ** 20, maxStorageBufferBindingSize: 128 * 2 ** 20 }) }), MODELS);
    expect(r.checks.find((x) => x.id === 'limits')?.level).toBe('warn');
    expect(r.recommended).toBe('RadReportX-8B-q4f16_1');
  });

  it('warns when device memory is below the model\'s need, and when storage is short', () => {
    const r = evaluateCapability(gpu({ deviceMemoryGB: 4, storage: { quota: 3 * GB, usage: 1 * GB } }), MODELS);
    expect(check(r, 'RadReportX-8B-q4f16_1', 'memory')).toMatchObject({ level: 'warn' });
    expect(check(r, 'RadReportX-8B-q4f16_1', 'storage')).toMatchObject({ level: 'warn' });
    expect(r.models[0].canRun).toBe(true);
  });

  it('does not warn about memory at the browser\'s 8 GB cap', () => {
    const r = evaluateCapability(gpu({ deviceMemoryGB: 8 }), MODELS);
    expect(check(r, 'RadReportX-8B-q4f32_1', 'memory')?.level).toBe('pass');
  });
});
