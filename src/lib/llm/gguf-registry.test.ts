import { describe, expect, it } from 'vitest';
import shipped from '../models/registry.json' with { type: 'json' };
import { parseRegistry } from './registry.ts';

const entry = { kind: 'gguf', id: 'RadReportX-8B-Q4_K_M', name: 'RadReportX (GGUF Q4_K_M, CPU)', base: 'llama3-8b', file: 'models/RadReportX-8B-Q4_K_M/RadReportX-8B-Q4_K_M.gguf', quantization: 'Q4_K_M', downloadMB: 4921, ramMB: 6012, contextWindow: 4096, promptProfile: 'release' };

describe('registry entries of kind gguf', () => {
  it('are read beside the WebLLM models, strictly', () => {
    expect(parseRegistry({ ...shipped, gguf: [entry] }).gguf).toEqual([entry]);
    expect(parseRegistry(shipped).gguf).toEqual([]);
    const bad = (patch: Record<string, unknown>) => () => parseRegistry({ ...shipped, gguf: [{ ...entry, ...patch }] });
    expect(bad({ kind: 'mlc' })).toThrow(/"kind" must be "gguf"/);
    expect(bad({ file: 'models/x/model.bin' })).toThrow(/must name a \.gguf file/);
    expect(bad({ quantization: 'q4f16_1' })).toThrow(/one of Q4_K_M/);
    expect(bad({ promptProfile: 'release-weak-labels' })).toThrow(/one of release, json/);
    expect(bad({ vramMB: 1 })).toThrow(/unknown field "vramMB"/);
    expect(() => parseRegistry({ ...shipped, gguf: [entry, entry] })).toThrow(/appears twice/);
  });
});
