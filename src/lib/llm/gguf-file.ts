/**
 * Reading a GGUF file's header (pure: bytes in, facts out), so the Model tab can say what a chosen file is and what
 * it needs before loading it, and refuse what llama.cpp would refuse. Layout (llama.cpp's gguf.cpp): magic "GGUF",
 * u32 version, u64 tensor count, u64 metadata count, then key/value pairs; little-endian.
 */
import { GgufFormatError } from '../errors.ts';

// Callers have imported it from here; the class lives with every other error.
export { GgufFormatError };

/** The header is longer than the bytes given: read more of the file and try again. */
export class NeedMoreBytes extends Error {}

export interface GgufHeader {
  version: number;
  tensorCount: number;
  /** Scalar metadata; arrays are replaced by their length (`tokenizer.ggml.tokens` → 128256). */
  meta: Record<string, string | number | boolean>;
  /** The byte-fallback tokens `<0x80>`..`<0xFF>`, when the vocabulary has them. */
  highByteTokens: number[];
  /** Tensor names in file order (when `tensors: true` was asked). */
  tensors?: string[];
}

const SIZES: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };

export function readGgufHeader(bytes: Uint8Array, options: { tensors?: boolean } = {}): GgufHeader {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let p = 0;
  const need = (n: number) => {
    if (p + n > bytes.length) throw new NeedMoreBytes();
  };
  const u32 = () => (need(4), (p += 4), view.getUint32(p - 4, true));
  const u64 = () => {
    need(8);
    const v = view.getBigUint64(p, true);
    p += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new GgufFormatError('The GGUF header holds an impossible length.');
    return Number(v);
  };
  const decoder = new TextDecoder('utf-8', { fatal: false });
  const str = () => {
    const n = u64();
    need(n);
    p += n;
    return decoder.decode(bytes.subarray(p - n, p));
  };
  const scalar = (type: number): string | number | boolean => {
    switch (type) {
      case 0: return (need(1), bytes[p++]);
      case 1: return (need(1), view.getInt8(p++));
      case 2: return (need(2), (p += 2), view.getUint16(p - 2, true));
      case 3: return (need(2), (p += 2), view.getInt16(p - 2, true));
      case 4: return u32();
      case 5: return (need(4), (p += 4), view.getInt32(p - 4, true));
      case 6: return (need(4), (p += 4), view.getFloat32(p - 4, true));
      case 7: return (need(1), bytes[p++] !== 0);
      case 8: return str();
      case 10: return u64();
      case 11: return (need(8), (p += 8), Number(view.getBigInt64(p - 8, true)));
      case 12: return (need(8), (p += 8), view.getFloat64(p - 8, true));
      default: throw new GgufFormatError(`The GGUF header has an unknown value type ${type}.`);
    }
  };
  need(4);
  if (decoder.decode(bytes.subarray(0, 4)) !== 'GGUF') throw new GgufFormatError('This is not a GGUF file (it does not start with "GGUF").');
  p = 4;
  const version = u32();
  if (version < 2 || version > 3) throw new GgufFormatError(`GGUF version ${version} is not supported (llama.cpp reads versions 2 and 3).`);
  const tensorCount = u64();
  const kvCount = u64();
  const meta: GgufHeader['meta'] = {};
  let highByteTokens: number[] = [];
  for (let i = 0; i < kvCount; i++) {
    const key = str();
    const type = u32();
    if (type !== 9) {
      meta[key] = scalar(type);
      continue;
    }
    const of = u32();
    const n = u64();
    if (of === 8) {
      const keep = key === 'tokenizer.ggml.tokens';
      const high: number[] = [];
      for (let j = 0; j < n; j++) {
        const s = str();
        if (keep && /^<0x[89A-F][0-9A-F]>$/i.test(s)) high.push(j);
      }
      if (keep) highByteTokens = high;
    } else {
      const size = SIZES[of];
      if (size === undefined) throw new GgufFormatError(`The GGUF header has an array of unknown type ${of}.`);
      need(size * n);
      p += size * n;
    }
    meta[key] = n;
  }
  if (!options.tensors) return { version, tensorCount, meta, highByteTokens };
  const tensors: string[] = [];
  for (let i = 0; i < tensorCount; i++) {
    tensors.push(str());
    const dims = u32();
    need(8 * dims + 12);
    p += 8 * dims + 12;
  }
  return { version, tensorCount, meta, highByteTokens, tensors };
}

/** Split GGUF files (`name-00001-of-00003.gguf`, llama.cpp's gguf-split) in order, or a problem naming what is wrong. */
export function orderGgufParts(names: readonly string[]): { parts: string[]; name: string } | { problem: string } {
  const gguf = names.filter((n) => n.toLowerCase().endsWith('.gguf'));
  if (!gguf.length) return { problem: 'No .gguf file was chosen.' };
  const split = gguf.map((n) => /^(.*)-(\d{5})-of-(\d{5})\.gguf$/i.exec(n));
  if (split.every((m) => m === null)) {
    if (gguf.length > 1) return { problem: `Choose one model: ${gguf.length} separate .gguf files were chosen (${gguf.slice(0, 3).join(', ')}).` };
    return { parts: gguf, name: gguf[0].replace(/\.gguf$/i, '') };
  }
  if (split.some((m) => m === null) || new Set(split.map((m) => `${m![1]}/${m![3]}`)).size > 1) {
    return { problem: 'The chosen files are not the parts of one split model.' };
  }
  const total = Number(split[0]![3]);
  const byIndex = new Map(split.map((m, i) => [Number(m![2]), gguf[i]]));
  const missing = Array.from({ length: total }, (_, i) => i + 1).filter((i) => !byIndex.has(i));
  if (missing.length) return { problem: `Part ${String(missing[0]).padStart(5, '0')} of ${total} is missing.` };
  return { parts: Array.from({ length: total }, (_, i) => byIndex.get(i + 1)!), name: split[0]![1] };
}
