import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BYTE_BASE, writeSyntheticModel } from '../../../tests/support/gguf/model.ts';
import { GgufFormatError, NeedMoreBytes, orderGgufParts, readGgufHeader } from './gguf-file.ts';

describe('readGgufHeader', () => {
  const path = join(mkdtempSync(join(tmpdir(), 'gguf-')), 'm.gguf');
  const written = writeSyntheticModel(path);
  const bytes = new Uint8Array(readFileSync(path));

  it('reads what the test writer wrote: metadata, arrays as lengths, high byte tokens, tensor names', () => {
    const h = readGgufHeader(bytes, { tensors: true });
    expect(h.version).toBe(3);
    expect(h.tensorCount).toBe(2 + 9 * 2 + 1);
    expect(h.meta).toMatchObject({ 'general.architecture': 'llama', 'llama.block_count': 2, 'llama.embedding_length': 64, 'tokenizer.ggml.add_bos_token': true, 'tokenizer.ggml.tokens': written.vocabSize });
    expect(h.highByteTokens).toEqual(Array.from({ length: 128 }, (_, i) => BYTE_BASE + 0x80 + i));
    expect(h.tensors?.[0]).toBe('token_embd.weight');
    expect(h.tensors).toContain('blk.1.ffn_down.weight');
    expect(h.tensors?.at(-1)).toBe('output.weight');
  });

  it('asks for more bytes when the header is cut, and refuses what is not GGUF', () => {
    expect(() => readGgufHeader(bytes.subarray(0, 200))).toThrow(NeedMoreBytes);
    expect(() => readGgufHeader(new TextEncoder().encode('PK\u0003\u0004 zip file'))).toThrow(GgufFormatError);
    const v9 = bytes.slice(0, 64);
    v9[4] = 9;
    expect(() => readGgufHeader(v9)).toThrow(/version 9/);
  });
});

describe('orderGgufParts', () => {
  it('orders the parts of a split model and names a missing one', () => {
    expect(orderGgufParts(['m-00002-of-00002.gguf', 'm-00001-of-00002.gguf', 'notes.txt'])).toEqual({ parts: ['m-00001-of-00002.gguf', 'm-00002-of-00002.gguf'], name: 'm' });
    expect(orderGgufParts(['m-00001-of-00003.gguf', 'm-00003-of-00003.gguf'])).toEqual({ problem: 'Part 00002 of 3 is missing.' });
    expect(orderGgufParts(['a.gguf'])).toEqual({ parts: ['a.gguf'], name: 'a' });
    expect(orderGgufParts(['a.gguf', 'b.gguf'])).toMatchObject({ problem: expect.stringMatching(/Choose one model/) });
    expect(orderGgufParts(['readme.md'])).toEqual({ problem: 'No .gguf file was chosen.' });
  });
});
