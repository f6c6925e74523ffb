/**
 * A GGUF v3 file writer, for tests only: it lets the tests make a model file that llama.cpp (node-llama-cpp in
 * Node, wllama in the browser) loads, so the app's LLM path produces real tokens with no download. Layout, as
 * llama.cpp's gguf reader expects it: magic "GGUF", u32 version 3, u64 tensor count, u64 metadata count, the
 * metadata pairs, the tensor infos (name, u32 n_dims, u64 dims with the contiguous dimension first, u32 ggml type,
 * u64 offset into the data section), then the data section at an `alignment`-byte boundary with every tensor
 * aligned too. Everything is little-endian.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

/** GGUF metadata value types (gguf.h, enum gguf_type). */
const T = { u8: 0, i8: 1, u16: 2, i16: 3, u32: 4, i32: 5, f32: 6, bool: 7, string: 8, array: 9, u64: 10, i64: 11, f64: 12 } as const;

export type MetaValue =
  | { type: 'u32' | 'i32' | 'f32' | 'u64' | 'u8'; value: number }
  | { type: 'bool'; value: boolean }
  | { type: 'string'; value: string }
  | { type: 'array'; of: 'string'; value: string[] }
  | { type: 'array'; of: 'f32' | 'i32' | 'u32'; value: number[] };

/** ggml tensor types used here (ggml.h, enum ggml_type). */
export const GGML_F32 = 0;
export const GGML_F16 = 1;

export interface TensorSpec {
  name: string;
  /** Contiguous dimension first, as GGUF stores them. */
  dims: number[];
  type: typeof GGML_F32 | typeof GGML_F16;
  /** Fills `out` (Float32 values for F32, IEEE half bits for F16) with elements [start, start + out.length). */
  fill(out: Float32Array | Uint16Array, start: number): void;
}

class Bytes {
  #chunks: Buffer[] = [];
  length = 0;
  push(b: Buffer): void {
    this.#chunks.push(b);
    this.length += b.length;
  }
  u32(n: number): void {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    this.push(b);
  }
  i32(n: number): void {
    const b = Buffer.alloc(4);
    b.writeInt32LE(n);
    this.push(b);
  }
  u64(n: number): void {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(n));
    this.push(b);
  }
  f32(n: number): void {
    const b = Buffer.alloc(4);
    b.writeFloatLE(n);
    this.push(b);
  }
  string(s: string): void {
    const b = Buffer.from(s, 'utf8');
    this.u64(b.length);
    this.push(b);
  }
  value(v: MetaValue): void {
    switch (v.type) {
      case 'u8': this.push(Buffer.from([v.value])); break;
      case 'u32': this.u32(v.value); break;
      case 'i32': this.i32(v.value); break;
      case 'u64': this.u64(v.value); break;
      case 'f32': this.f32(v.value); break;
      case 'bool': this.push(Buffer.from([v.value ? 1 : 0])); break;
      case 'string': this.string(v.value); break;
      case 'array':
        this.u32(T[v.of]);
        this.u64(v.value.length);
        for (const x of v.value) {
          if (v.of === 'string') this.string(x as string);
          else if (v.of === 'f32') this.f32(x as number);
          else if (v.of === 'i32') this.i32(x as number);
          else this.u32(x as number);
        }
        break;
    }
  }
  concat(): Buffer {
    return Buffer.concat(this.#chunks);
  }
}

const elements = (t: TensorSpec) => t.dims.reduce((a, b) => a * b, 1);
const bytesOf = (t: TensorSpec) => elements(t) * (t.type === GGML_F32 ? 4 : 2);
const align = (n: number, a: number) => Math.ceil(n / a) * a;

/** The header (magic to the end of the tensor infos, padded), and where each tensor's data starts. */
export function ggufHeader(meta: [string, MetaValue][], tensors: TensorSpec[], alignment = 32): { header: Buffer; offsets: number[]; dataBytes: number } {
  const b = new Bytes();
  b.push(Buffer.from('GGUF', 'ascii'));
  b.u32(3);
  b.u64(tensors.length);
  b.u64(meta.length);
  for (const [key, value] of meta) {
    b.string(key);
    b.u32(value.type === 'array' ? T.array : T[value.type]);
    b.value(value);
  }
  const offsets: number[] = [];
  let offset = 0;
  for (const t of tensors) {
    b.string(t.name);
    b.u32(t.dims.length);
    for (const d of t.dims) b.u64(d);
    b.u32(t.type);
    b.u64(offset);
    offsets.push(offset);
    offset = align(offset + bytesOf(t), alignment);
  }
  const header = b.concat();
  const padded = Buffer.alloc(align(header.length, alignment));
  header.copy(padded);
  return { header: padded, offsets, dataBytes: offset };
}

const CHUNK = 1 << 20;

/**
 * Writes the file at `path`, streaming tensor data in 1 M-element chunks, so a multi-gigabyte file (the GPU
 * check's 8B-sized stack) needs no more memory than a tiny one. Returns the file size in bytes.
 */
export function writeGguf(path: string, meta: [string, MetaValue][], tensors: TensorSpec[], alignment = 32): number {
  const { header, offsets, dataBytes } = ggufHeader(meta, tensors, alignment);
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, header);
    let written = 0;
    tensors.forEach((t, i) => {
      if (offsets[i] > written) {
        writeSync(fd, Buffer.alloc(offsets[i] - written));
        written = offsets[i];
      }
      const n = elements(t);
      const buf = t.type === GGML_F32 ? new Float32Array(Math.min(n, CHUNK)) : new Uint16Array(Math.min(n, CHUNK));
      for (let start = 0; start < n; start += buf.length) {
        const view = buf.subarray(0, Math.min(buf.length, n - start));
        t.fill(view, start);
        writeSync(fd, new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
      }
      written += bytesOf(t);
    });
    if (dataBytes > written) writeSync(fd, Buffer.alloc(dataBytes - written));
    return header.length + dataBytes;
  } finally {
    closeSync(fd);
  }
}

/** IEEE 754 half-precision bits of a small float (no NaN/Inf handling: weights here are in [-1, 1]). */
export function toHalf(x: number): number {
  const f = new Float32Array([x]);
  const u = new Uint32Array(f.buffer)[0];
  const sign = (u >>> 16) & 0x8000;
  const exp = ((u >>> 23) & 0xff) - 127 + 15;
  const mant = u & 0x7fffff;
  if (exp <= 0) return sign;
  if (exp >= 31) return sign | 0x7bff;
  return sign | (exp << 10) | (mant >>> 13);
}
