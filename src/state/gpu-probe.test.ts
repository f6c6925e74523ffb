import { describe, expect, it } from 'vitest';
import { evaluateCapability } from '../lib/llm/capability.ts';
import { parseRegistry } from '../lib/llm/registry.ts';
import registry from '../lib/models/registry.json' with { type: 'json' };
import { probeGpu } from './gpu-probe.ts';

// A stand-in navigator shaped like Chromium's, for the mapping from WebGPU objects to the plain description.
function fakeNavigator(adapter: unknown, extra: Record<string, unknown> = {}) {
  return {
    gpu: { requestAdapter: async () => adapter } as unknown as GPU,
    deviceMemory: 8,
    storage: { estimate: async () => ({ quota: 50e9, usage: 1e9 }) } as unknown as StorageManager,
    ...extra,
  };
}

const swiftshader = {
  info: { vendor: 'google', architecture: 'swiftshader', device: '', description: '', isFallbackAdapter: true },
  features: new Set(['timestamp-query', 'subgroups']),
  limits: { maxBufferSize: 2 ** 30, maxStorageBufferBindingSize: 2 ** 30, maxComputeWorkgroupStorageSize: 32768, maxStorageBuffersPerShaderStage: 10, maxComputeInvocationsPerWorkgroup: 256 },
};

describe('probeGpu', () => {
  it('describes the adapter, its features, limits and the storage estimate', async () => {
    const d = await probeGpu(fakeNavigator(swiftshader));
    expect(d.webgpu).toBe(true);
    expect(d.adapter).toEqual({
      info: { vendor: 'google', architecture: 'swiftshader', device: '', description: '' },
      features: ['subgroups', 'timestamp-query'],
      limits: swiftshader.limits,
      isFallbackAdapter: true,
    });
    expect(d.deviceMemoryGB).toBe(8);
    expect(d.storage).toEqual({ quota: 50e9, usage: 1e9 });
    const report = evaluateCapability(d, parseRegistry(registry).models);
    expect(report.recommended).toBe('RadReportX-8B-q4f32_1');
    expect(report.gpu).toBe('google swiftshader [software]');
  });

  it('reports no WebGPU, no adapter, and a throwing requestAdapter', async () => {
    expect(await probeGpu({})).toMatchObject({ webgpu: false, adapter: null });
    expect(await probeGpu(fakeNavigator(null))).toMatchObject({ webgpu: true, adapter: null });
    const throwing = { gpu: { requestAdapter: async () => Promise.reject(new Error('GPU process crashed')) } as unknown as GPU };
    expect(await probeGpu(throwing)).toMatchObject({ adapter: null, adapterError: 'GPU process crashed' });
  });
});
