/**
 * The BOS check the reference asks for, with a real Llama 3 tokenizer (llama3-tokenizer-js, the Llama 3
 * vocabulary and merges baked in): the text WebLLM's completion path gets starts with BOS (128000) exactly once,
 * and the text for runtimes that add BOS themselves (llama.cpp, vLLM) has none, so they make it exactly one too.
 */
import llama3Tokenizer from 'llama3-tokenizer-js';
import { describe, expect, it } from 'vitest';
import { buildRequests, promptText, LLAMA3_BOS, type CompletionPromptRequest } from './profiles.ts';

const encode = (text: string) => llama3Tokenizer.encode(text, { bos: false, eos: false });

describe('release prompt tokens', () => {
  const report = 'FINDINGS: Heart size is normal. Small left pleural effusion.\nIMPRESSION: Small left pleural effusion.';
  const requests = buildRequests('release', 'both', report) as CompletionPromptRequest[];

  it.each(requests.map((r) => [r.task, r] as const))('%s: one BOS, first, when the adapter adds it; none otherwise', (_, r) => {
    const withBos = encode(promptText(r, { addBos: true }));
    expect(withBos[0]).toBe(LLAMA3_BOS.id);
    expect(withBos.filter((t) => t === LLAMA3_BOS.id)).toHaveLength(1);
    const plain = encode(promptText(r));
    expect(plain).not.toContain(LLAMA3_BOS.id);
    // What llama.cpp / vLLM then feed: their BOS + the plain text, the same ids as the WebLLM text.
    expect([LLAMA3_BOS.id, ...plain]).toEqual(withBos);
    expect(llama3Tokenizer.getSpecialTokenId(LLAMA3_BOS.token)).toBe(LLAMA3_BOS.id);
  });

  it('keeps the findings prompt template near 220 tokens and the ICD-10 one near 570', () => {
    const [f, i] = buildRequests('release', 'both', '') as CompletionPromptRequest[];
    expect(encode(promptText(f, { addBos: true })).length).toBeGreaterThan(180);
    expect(encode(promptText(f, { addBos: true })).length).toBeLessThan(260);
    expect(encode(promptText(i, { addBos: true })).length).toBeGreaterThan(500);
    expect(encode(promptText(i, { addBos: true })).length).toBeLessThan(640);
  });
});
