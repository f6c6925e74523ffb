/**
 * Checks on the content of model files, not just their names and sizes: a folder of right-sized junk must not
 * be taken for a model. Pure functions over bytes, used by the folder import (and by downloads, to tell a
 * site's own index.html, served for every unknown path by an SPA fallback, from a model file).
 */

/** True when the bytes are an HTML page: what a static host's fallback answers for a file it does not have. */
export function looksLikeHtml(head: Uint8Array): boolean {
  const text = new TextDecoder().decode(head.subarray(0, 512)).replace(/^\uFEFF/, '').trimStart().toLowerCase();
  return text.startsWith('<!doctype html') || text.startsWith('<html') || text.startsWith('<head') || text.startsWith('<body');
}

/**
 * Why a tokenizer file is not one WebLLM can read, or undefined when it looks right. tokenizer.json is the
 * Hugging Face tokenizers format (a JSON object with a "model" that has a "type" or a "vocab"); tokenizer.model
 * is a SentencePiece protobuf (binary, its first field a length-delimited piece).
 */
export function tokenizerProblem(name: string, bytes: Uint8Array): string | undefined {
  if (bytes.length === 0) return `${name} is empty.`;
  if (looksLikeHtml(bytes)) return `${name} is a web page, not a tokenizer.`;
  if (name.endsWith('.json')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      return `${name} is not valid JSON.`;
    }
    const model = (parsed as { model?: { type?: unknown; vocab?: unknown } } | null)?.model;
    if (!model || typeof model !== 'object' || (model.type === undefined && model.vocab === undefined)) {
      return `${name} is JSON but not a tokenizer (it has no "model" with a "type" or "vocab").`;
    }
    return undefined;
  }
  // SentencePiece: a protobuf whose first field is #1 (pieces), wire type 2 → tag byte 0x0a.
  if (bytes[0] !== 0x0a) return `${name} is not a SentencePiece model.`;
  return undefined;
}

/** Why a model library is not a WebAssembly module, or undefined when it is one (magic number and a valid module). */
export function libraryProblem(name: string, bytes: Uint8Array): string | undefined {
  const magic = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  if (bytes.length < magic.length || !magic.every((b, i) => bytes[i] === b)) {
    return `${name} is not a WebAssembly model library${looksLikeHtml(bytes) ? ' (it is a web page)' : ''}.`;
  }
  const wasm = (globalThis as { WebAssembly?: { validate(b: BufferSource): boolean } }).WebAssembly;
  if (wasm && !wasm.validate(bytes as Uint8Array<ArrayBuffer>)) return `${name} starts like WebAssembly but is not a valid module (cut off or damaged).`;
  return undefined;
}
