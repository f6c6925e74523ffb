/**
 * A synthetic MLC model folder for the browser tests: real manifests (mlc-chat-config.json, tensor-cache.json),
 * a tokenizer file and a few small params shards of random bytes, and a stand-in model library that is not
 * WebAssembly. WebLLM downloads and caches all of it for real and then fails at the library step, which is as
 * far as a machine without the real library and a GPU can go.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const F32_ID = 'RadReportX-8B-q4f32_1';
export const F16_ID = 'RadReportX-8B-q4f16_1';
export const F32_LIBRARY = 'Llama-3-8B-Instruct-q4f32_1_cs1k-webgpu.wasm';
export const WEIGHTS_PATH = `/models/${F32_ID}/resolve/main/`;
/** The smallest valid WebAssembly module: magic number and version, no sections. */
export const EMPTY_WASM = Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

export interface SyntheticModel {
  /** The model folder (manifests, tokenizer, shards). */
  dir: string;
  /** A folder holding the model folder and the library, as a person would pick it for import. */
  importRoot: string;
  /** The folder served as /models/lib/. */
  libDir: string;
  shards: { name: string; bytes: number }[];
}

export function syntheticModel(shardSizes = [96_000, 64_000, 80_000, 48_000]): SyntheticModel {
  const root = mkdtempSync(join(tmpdir(), 'radreportx-model-'));
  const dir = join(root, 'import', F32_ID);
  const libDir = join(root, 'lib');
  mkdirSync(dir, { recursive: true });
  mkdirSync(libDir);
  const shards = shardSizes.map((bytes, i) => ({ name: `params_shard_${i}.bin`, bytes }));
  for (const s of shards) writeFileSync(join(dir, s.name), randomBytes(s.bytes));
  writeFileSync(
    join(dir, 'mlc-chat-config.json'),
    JSON.stringify({
      model_type: 'llama',
      quantization: 'q4f32_1',
      context_window_size: 4096,
      prefill_chunk_size: 1024,
      vocab_size: 8,
      tokenizer_files: ['tokenizer.json', 'tokenizer_config.json'],
      conv_template: { name: 'llama-3_1', system_template: '{system_message}', system_message: '', roles: { user: 'user', assistant: 'assistant' }, seps: [''], stop_str: [], stop_token_ids: [1] },
      temperature: 0.6,
      top_p: 0.9,
      repetition_penalty: 1,
      frequency_penalty: 0,
      presence_penalty: 0,
    }),
  );
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify({ version: '1.0', model: { type: 'BPE', vocab: { a: 0, b: 1 }, merges: [] } }));
  writeFileSync(join(dir, 'tokenizer_config.json'), '{}');
  writeFileSync(
    join(dir, 'tensor-cache.json'),
    JSON.stringify({
      metadata: { ParamSize: shards.length, ParamBytes: shardSizes.reduce((a, b) => a + b, 0), BitsPerParam: 4.5 },
      records: shards.map((s, i) => ({
        dataPath: s.name,
        format: 'raw-shard',
        nbytes: s.bytes,
        records: [{ name: `param_${i}`, shape: [s.bytes / 4], dtype: 'uint32', format: 'f32-to-bf16', nbytes: s.bytes, byteOffset: 0 }],
        md5sum: '0',
      })),
    }),
  );
  // Not WebAssembly: WebLLM fetches and caches it like the real library, then fails to instantiate it.
  const fakeLibrary = Buffer.from('<!doctype html><p>not a model library</p>');
  writeFileSync(join(libDir, F32_LIBRARY), fakeLibrary);
  // The import checks that a library is a WebAssembly module, so the folder holds the smallest valid one (no
  // exports: WebLLM still fails when it looks for the model's functions).
  writeFileSync(join(root, 'import', F32_LIBRARY), EMPTY_WASM);
  return { dir, importRoot: join(root, 'import'), libDir, shards };
}
