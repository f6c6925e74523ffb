/**
 * A synthetic Llama-architecture GGUF model for tests: a byte-level SentencePiece-style vocabulary and
 * deterministic pseudo-random weights. It means nothing; its only job is to make llama.cpp produce real tokens
 * through the app's own code paths. Metadata keys and tensor names are the ones llama.cpp's `llama` loader reads
 * (see ../shared/reference/llm-runtimes-here.md); Llama-3 style RoPE with no rope scaling keys.
 */
import { FINDINGS } from '../../../src/lib/findings.ts';
import { GGML_F16, GGML_F32, toHalf, writeGguf, type MetaValue, type TensorSpec } from './writer.ts';

export interface ModelShape {
  embedding: number;
  layers: number;
  ffn: number;
  heads: number;
  kvHeads: number;
  context: number;
  /** f32 for the tiny test model; f16 halves the size of a large one. */
  type: 'f32' | 'f16';
}

/** The tiny model the tests load: 2 blocks, 64 wide; about 0.4 MB, written in milliseconds. */
export const TINY: ModelShape = { embedding: 64, layers: 2, ffn: 128, heads: 4, kvHeads: 2, context: 4096, type: 'f32' };

/** Llama-3-8B's block shape (4096 wide, 14336 FFN, 32 heads, 8 KV heads) for the GPU check; layers set by the caller. */
export const LLAMA3_8B: ModelShape = { embedding: 4096, layers: 32, ffn: 14336, heads: 32, kvHeads: 8, context: 2048, type: 'f16' };

/** Token ids of the vocabulary's fixed part. */
export const UNK = 0;
export const BOS = 1;
export const EOS = 2;
/** `<0xNN>` is token BYTE_BASE + NN. */
export const BYTE_BASE = 3;

// Whole words the answers use, so constrained JSON needs fewer steps than one per character.
const WORDS = ['positive', 'negative', 'uncertain', 'evidence', 'name', 'icd10', 'phrase', 'code', 'true', 'false', ...FINDINGS.flatMap((f) => f.split(' '))];

export interface Vocab {
  tokens: string[];
  scores: number[];
  types: number[];
}

/** `<unk>`, `<s>`, `</s>`, the 256 byte tokens, printable ASCII, `▁` (SentencePiece's space) and a few words. */
export function byteVocab(): Vocab {
  const tokens = ['<unk>', '<s>', '</s>'];
  // Token types (llama.cpp llama_token_type): 1 normal, 2 unknown, 3 control, 6 byte.
  const types = [2, 3, 3];
  for (let b = 0; b < 256; b++) {
    tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
    types.push(6);
  }
  const seen = new Set(tokens);
  const add = (t: string) => {
    if (seen.has(t)) return;
    seen.add(t);
    tokens.push(t);
    types.push(1);
  };
  for (let c = 0x21; c < 0x7f; c++) add(String.fromCharCode(c));
  add('▁');
  for (const w of WORDS) {
    add(w);
    add(`▁${w}`);
  }
  // SentencePiece prefers higher scores when merging: longer pieces score higher.
  const scores = tokens.map((t, i) => (types[i] === 1 ? -1000 + t.length * 10 - i / 1000 : 0));
  return { tokens, scores, types };
}

/** A fast deterministic hash of (seed, index) into [-1, 1). */
function noise(seed: number, i: number): number {
  let x = (Math.imul(i ^ seed, 0x9e3779b1) ^ (i >>> 16)) >>> 0;
  x = Math.imul(x ^ (x >>> 15), 0x85ebca6b) >>> 0;
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35) >>> 0;
  return ((x ^ (x >>> 16)) >>> 0) / 2 ** 31 - 1;
}

// Large (f16) models repeat a table of 2^16 noise values at a per-tensor stride: as deterministic, 50x faster.
const TABLE = Uint16Array.from({ length: 1 << 16 }, (_, i) => toHalf(noise(7, i) * 0.05));

function weights(seed: number, scale: number, type: ModelShape['type']): TensorSpec['fill'] {
  if (type === 'f16') {
    const stride = 2 * (seed % 1000) + 1;
    return (out, start) => {
      for (let i = 0; i < out.length; i++) out[i] = TABLE[((start + i) * stride + seed) & 0xffff];
    };
  }
  return (out, start) => {
    for (let i = 0; i < out.length; i++) out[i] = noise(seed, start + i) * scale;
  };
}

const ones: (type: ModelShape['type']) => TensorSpec['fill'] = (type) => (out) => out.fill(type === 'f16' ? 0x3c00 : 1);

export interface ModelFile {
  path: string;
  bytes: number;
  vocabSize: number;
  shape: ModelShape;
}

/** Writes the synthetic model to `path`. Same shape and seed, same bytes. */
export function writeSyntheticModel(path: string, shape: ModelShape = TINY, seed = 1, name = 'radreportx-synthetic'): ModelFile {
  const vocab = byteVocab();
  const n = vocab.tokens.length;
  const d = shape.embedding;
  const headDim = d / shape.heads;
  const kv = headDim * shape.kvHeads;
  const type = shape.type === 'f16' ? GGML_F16 : GGML_F32;
  const meta: [string, MetaValue][] = [
    ['general.architecture', { type: 'string', value: 'llama' }],
    ['general.name', { type: 'string', value: name }],
    ['general.alignment', { type: 'u32', value: 32 }],
    // llama_ftype: 0 all F32, 1 mostly F16.
    ['general.file_type', { type: 'u32', value: shape.type === 'f16' ? 1 : 0 }],
    ['llama.context_length', { type: 'u32', value: shape.context }],
    ['llama.embedding_length', { type: 'u32', value: d }],
    ['llama.block_count', { type: 'u32', value: shape.layers }],
    ['llama.feed_forward_length', { type: 'u32', value: shape.ffn }],
    ['llama.attention.head_count', { type: 'u32', value: shape.heads }],
    ['llama.attention.head_count_kv', { type: 'u32', value: shape.kvHeads }],
    ['llama.rope.dimension_count', { type: 'u32', value: headDim }],
    ['llama.rope.freq_base', { type: 'f32', value: shape.type === 'f16' ? 500000 : 10000 }],
    ['llama.attention.layer_norm_rms_epsilon', { type: 'f32', value: 1e-5 }],
    ['llama.vocab_size', { type: 'u32', value: n }],
    ['tokenizer.ggml.model', { type: 'string', value: 'llama' }],
    ['tokenizer.ggml.tokens', { type: 'array', of: 'string', value: vocab.tokens }],
    ['tokenizer.ggml.scores', { type: 'array', of: 'f32', value: vocab.scores }],
    ['tokenizer.ggml.token_type', { type: 'array', of: 'i32', value: vocab.types }],
    ['tokenizer.ggml.bos_token_id', { type: 'u32', value: BOS }],
    ['tokenizer.ggml.eos_token_id', { type: 'u32', value: EOS }],
    ['tokenizer.ggml.unknown_token_id', { type: 'u32', value: UNK }],
    ['tokenizer.ggml.padding_token_id', { type: 'u32', value: UNK }],
    ['tokenizer.ggml.add_bos_token', { type: 'bool', value: true }],
    ['tokenizer.ggml.add_eos_token', { type: 'bool', value: false }],
  ];
  let s = seed * 1000;
  const w = (name: string, dims: number[], scale = 1 / Math.sqrt(dims[0])): TensorSpec => ({ name, dims, type, fill: weights(++s, scale, shape.type) });
  const norm = (name: string): TensorSpec => ({ name, dims: [d], type: GGML_F32, fill: ones('f32') });
  const tensors: TensorSpec[] = [w('token_embd.weight', [d, n], 1)];
  for (let b = 0; b < shape.layers; b++) {
    tensors.push(
      norm(`blk.${b}.attn_norm.weight`),
      w(`blk.${b}.attn_q.weight`, [d, d]),
      w(`blk.${b}.attn_k.weight`, [d, kv]),
      w(`blk.${b}.attn_v.weight`, [d, kv]),
      w(`blk.${b}.attn_output.weight`, [d, d]),
      norm(`blk.${b}.ffn_norm.weight`),
      w(`blk.${b}.ffn_gate.weight`, [d, shape.ffn]),
      w(`blk.${b}.ffn_up.weight`, [d, shape.ffn]),
      w(`blk.${b}.ffn_down.weight`, [shape.ffn, d]),
    );
  }
  tensors.push(norm('output_norm.weight'), w('output.weight', [d, n], 4 / Math.sqrt(d)));
  const bytes = writeGguf(path, meta, tensors);
  return { path, bytes, vocabSize: n, shape };
}
