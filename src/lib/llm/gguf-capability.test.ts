import { describe, expect, it } from 'vitest';
import type { CapabilityReport } from './capability.ts';
import { chooseEngine, evaluateCpu, ggufMemoryBytes, WASM64_MAX_BYTES } from './gguf-capability.ts';

const GiB = 2 ** 30;
const llama8b = { meta: { 'general.architecture': 'llama', 'llama.block_count': 32, 'llama.embedding_length': 4096, 'llama.attention.head_count': 32, 'llama.attention.head_count_kv': 8 } };

describe('CPU capability and engine choice', () => {
  it('memory: weights + f16 KV cache + buffers (8B Q4_K_M at 4096 tokens ~ 5.9 GiB)', () => {
    const need = ggufMemoryBytes(llama8b, 4.92e9, 4096);
    // KV: 2 (K,V) x 32 layers x 4096 tokens x 128 dims x 8 heads x 2 bytes = 512 MiB.
    expect(need - 4.92e9 * 1.1 - 64 * 2 ** 20).toBe(512 * 2 ** 20);
    expect(need / GiB).toBeCloseTo(5.6, 1);
  });

  it('threads need cross-origin isolation; memory64 and the 16 GiB heap are hard limits', () => {
    const ok = { crossOriginIsolated: true, hardwareConcurrency: 8, deviceMemoryGB: 8, memory64: true };
    expect(evaluateCpu(ok, 5 * GiB)).toMatchObject({ canRun: true, threads: 4 });
    const single = evaluateCpu({ ...ok, crossOriginIsolated: false }, 5 * GiB);
    expect(single.threads).toBe(1);
    expect(single.checks.find((c) => c.id === 'limits')).toMatchObject({ level: 'warn', hint: expect.stringMatching(/_headers/) });
    expect(evaluateCpu({ ...ok, memory64: false }, GiB).canRun).toBe(false);
    expect(evaluateCpu(ok, WASM64_MAX_BYTES + 1).checks.find((c) => c.id === 'memory')).toMatchObject({ level: 'fail', hint: expect.stringMatching(/llama-cpp/) });
    expect(evaluateCpu({ ...ok, deviceMemoryGB: 4 }, 5 * GiB).checks.find((c) => c.id === 'memory')?.level).toBe('warn');
  });

  it('WebLLM when a real GPU can hold the model, else the CPU engine, else rules, saying why', () => {
    const cpu = evaluateCpu({ crossOriginIsolated: true, hardwareConcurrency: 2, memory64: true }, GiB);
    const gpu = (software: boolean, canRun = true): CapabilityReport => ({
      gpu: 'x',
      summary: '',
      checks: [{ id: 'software', level: software ? 'warn' : 'pass', message: '' }],
      models: [{ modelId: 'RadReportX-8B-q4f32_1', canRun, checks: [{ id: 'memory', level: 'pass', message: '' }] }],
      recommended: 'RadReportX-8B-q4f32_1',
    });
    expect(chooseEngine(gpu(false), cpu)).toMatchObject({ engine: 'webllm', modelId: 'RadReportX-8B-q4f32_1' });
    expect(chooseEngine(gpu(true), cpu)).toMatchObject({ engine: 'wllama', reason: expect.stringMatching(/software/) });
    expect(chooseEngine(gpu(false, false), cpu)).toMatchObject({ engine: 'wllama', reason: expect.stringMatching(/WebGPU cannot run/) });
    expect(chooseEngine(undefined, undefined)).toMatchObject({ engine: 'rules', reason: expect.stringMatching(/no GGUF model/) });
  });
});
