import { describe, expect, it } from 'vitest';
import { libraryProblem, looksLikeHtml, tokenizerProblem } from './verify-files.ts';

const bytes = (s: string) => new TextEncoder().encode(s);
const EMPTY_WASM = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

describe('model file checks', () => {
  it('tells an SPA fallback page from a model file', () => {
    expect(looksLikeHtml(bytes('\n  <!DOCTYPE html><html><head>'))).toBe(true);
    expect(looksLikeHtml(bytes('{"model_type": "llama"}'))).toBe(false);
  });

  it('accepts a Hugging Face tokenizer.json and a SentencePiece tokenizer.model; refuses junk', () => {
    expect(tokenizerProblem('tokenizer.json', bytes('{"version":"1.0","model":{"type":"BPE","vocab":{}}}'))).toBeUndefined();
    expect(tokenizerProblem('tokenizer.model', new Uint8Array([0x0a, 0x05, 0x0a, 0x01, 0x61]))).toBeUndefined();
    expect(tokenizerProblem('tokenizer.json', bytes('x'.repeat(200)))).toMatch(/not valid JSON/);
    expect(tokenizerProblem('tokenizer.json', bytes('{"a":1}'))).toMatch(/not a tokenizer/);
    expect(tokenizerProblem('tokenizer.json', bytes('<!doctype html><p>'))).toMatch(/web page/);
    expect(tokenizerProblem('tokenizer.json', new Uint8Array())).toMatch(/empty/);
    expect(tokenizerProblem('tokenizer.model', bytes('hello'))).toMatch(/not a SentencePiece/);
  });

  it('accepts a valid WebAssembly module as the library; refuses a page, junk and a cut-off module', () => {
    expect(libraryProblem('lib.wasm', EMPTY_WASM)).toBeUndefined();
    expect(libraryProblem('lib.wasm', bytes('<!doctype html><p>not a model library</p>'))).toMatch(/not a WebAssembly model library \(it is a web page\)/);
    expect(libraryProblem('lib.wasm', new Uint8Array(200))).toMatch(/not a WebAssembly/);
    // A section header promising more bytes than there are.
    expect(libraryProblem('lib.wasm', new Uint8Array([...EMPTY_WASM, 0x01, 0x7f]))).toMatch(/not a valid module/);
  });
});
