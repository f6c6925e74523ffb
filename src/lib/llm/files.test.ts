import { describe, expect, it } from 'vitest';
import shipped from '../models/registry.json' with { type: 'json' };
import { checkFolder, describeProblems, modelFiles, modelRoot, readChatConfig, readTensorCache, shardBytes, tokenizerFile } from './files.ts';
import { parseRegistry, resolveModel } from './registry.ts';

const model = resolveModel(parseRegistry(shipped).models[1], { origin: 'http://127.0.0.1:4173', base: '/' });
const config = readChatConfig(JSON.stringify({ tokenizer_files: ['tokenizer.json', 'tokenizer_config.json'], context_window_size: 4096 }));
const tensors = readTensorCache(
  JSON.stringify({ metadata: {}, records: [{ dataPath: 'params_shard_0.bin', nbytes: 100, records: [] }, { dataPath: 'params_shard_1.bin', nbytes: 50, records: [] }] }),
);

describe('model files', () => {
  it('lists every file with the cache and URL WebLLM uses', () => {
    const files = modelFiles(model, config, tensors);
    const base = 'http://127.0.0.1:4173/models/RadReportX-8B-q4f32_1/resolve/main/';
    expect(files.map((f) => [f.cache, f.url])).toEqual([
      ['webllm/config', `${base}mlc-chat-config.json`],
      ['webllm/model', `${base}tokenizer.json`],
      ['webllm/model', `${base}tensor-cache.json`],
      ['webllm/model', `${base}params_shard_0.bin`],
      ['webllm/model', `${base}params_shard_1.bin`],
      ['webllm/wasm', 'http://127.0.0.1:4173/models/lib/Llama-3-8B-Instruct-q4f32_1_cs1k-webgpu.wasm'],
    ]);
    expect(files[3].size).toBe(100);
    expect(files[5].path).toBe('Llama-3-8B-Instruct-q4f32_1_cs1k-webgpu.wasm');
    expect(shardBytes(tensors)).toBe(150);
  });

  it('uses tokenizer.model only when no tokenizer.json is listed', () => {
    expect(tokenizerFile({ tokenizer_files: ['tokenizer.model'] })).toBe('tokenizer.model');
    expect(() => tokenizerFile({ tokenizer_files: ['vocab.txt'] })).toThrow(/no tokenizer.json or tokenizer.model/);
  });

  it('rejects manifests that are not MLC manifests', () => {
    expect(() => readChatConfig('{')).toThrow(/not valid JSON/);
    expect(() => readChatConfig('{"model_type":"llama"}')).toThrow(/tokenizer_files/);
    expect(() => readTensorCache('{"records":[]}')).toThrow(/no weight shards/);
    expect(() => readTensorCache('{"records":[{"dataPath":"../x.bin","nbytes":1}]}')).toThrow(/record 0/);
    expect(() => readTensorCache('{"records":[{"dataPath":"a.bin"}]}')).toThrow(/record 0/);
  });

  it('finds missing and wrong-sized shards and a missing tokenizer', () => {
    const ok = new Map([['tokenizer.json', 9], ['params_shard_0.bin', 100], ['params_shard_1.bin', 50]]);
    expect(checkFolder(ok, config, tensors)).toEqual([]);
    const bad = new Map([['params_shard_0.bin', 99]]);
    const problems = checkFolder(bad, config, tensors);
    expect(problems).toEqual([
      { path: 'tokenizer.json', problem: 'missing' },
      { path: 'params_shard_0.bin', problem: 'size', expected: 100, actual: 99 },
      { path: 'params_shard_1.bin', problem: 'missing' },
    ]);
    expect(describeProblems(problems, 2)).toBe('tokenizer.json is missing; params_shard_0.bin has 99 bytes, but tensor-cache.json says 100 (and 1 more).');
  });

  it('finds the model folder inside a picked folder', () => {
    expect(modelRoot(['m/mlc-chat-config.json', 'm/params_shard_0.bin'])).toBe('m/');
    expect(modelRoot(['mlc-chat-config.json'])).toBe('');
    expect(modelRoot(['a/b/mlc-chat-config.json', 'a/mlc-chat-config.json'])).toBe('a/');
    expect(modelRoot(['a/readme.txt'])).toBeUndefined();
  });
});
