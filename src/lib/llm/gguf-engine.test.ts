import { describe, expect, it } from 'vitest';
import { FINDINGS } from '../findings.ts';
import { buildRequests } from '../prompts/profiles.ts';
import { completionRequest, createGgufEngine, namesOnlySchema, renderLlama3Chat, type CompletionRequest, type CompletionRuntime } from './gguf-engine.ts';

const REPORT = 'FINDINGS: Moderate right pleural effusion. No pneumothorax.';

/** A runtime that records requests and answers from a script (the real ones are tested in tests/cli-llama-cpp and the browser). */
function scripted(...answers: (string | Error)[]) {
  const requests: CompletionRequest[] = [];
  const finish = { reason: 'stop' as 'stop' | 'length' };
  const runtime: CompletionRuntime = {
    async complete(r, signal) {
      requests.push(r);
      if (signal?.aborted) throw signal.reason;
      const a = answers.shift();
      if (a === undefined) throw new Error('script ran out');
      if (a instanceof Error) throw a;
      return { text: a, promptTokens: 120, completionTokens: 14, finishReason: finish.reason };
    },
  };
  return { runtime, requests, finish };
}

describe('the GGUF engine core', () => {
  it('renders json requests as a Llama-3 chat without BOS, with the schema for the grammar', async () => {
    const s = scripted('{"positive":[{"name":"Pleural Effusion","evidence":"right pleural effusion"}],"uncertain":[],"negative":["Pneumothorax"]}');
    const engine = createGgufEngine(s.runtime, { engineName: 'llama-cpp', modelId: 'm.gguf', profile: 'json', now: (() => { let t = 0; return () => (t += 250); })() });
    const r = await engine.label(REPORT);
    const req = s.requests[0];
    expect(req.prompt.startsWith('<|start_header_id|>system<|end_header_id|>\n\n')).toBe(true);
    expect(req.prompt).not.toContain('<|begin_of_text|>');
    expect(req.prompt.endsWith('<|start_header_id|>assistant<|end_header_id|>\n\n')).toBe(true);
    expect(req.prompt).toContain('Moderate right pleural effusion');
    expect(req).toMatchObject({ temperature: 0, seed: 42, maxTokens: 160, banHighByteTokens: false, stop: ['<|eot_id|>', '<|end_of_text|>'] });
    expect((req.jsonSchema as { required: string[] }).required).toEqual(['positive', 'uncertain', 'negative']);
    expect(r).toMatchObject({ status: 'ok', normal: false, engine: { name: 'llama-cpp', version: 'm.gguf+json' }, usage: { promptTokens: 120, completionTokens: 14, latencyMs: 250 } });
    expect(r.findings['Pleural Effusion']).toBe('positive');
    expect(r.findings.Pneumothorax).toBe('negative');
    expect(r.evidence[0].mention.text).toBe('right pleural effusion');
  });

  it('sends release requests as raw completions without BOS (llama.cpp adds it), with its stop tokens', () => {
    const [r] = buildRequests('release', 'findings', REPORT);
    const c = completionRequest(r);
    expect(r.kind).toBe('completion');
    expect(c.prompt.startsWith('<|begin_of_text|>')).toBe(false);
    expect(c.prompt).toContain('Moderate right pleural effusion');
    expect(c).toMatchObject({ maxTokens: 150, temperature: 0, stop: ['<|eot_id|>', '<|end_of_text|>'], banHighByteTokens: true });
    expect(c.jsonSchema).toBeUndefined();
  });

  it('the names-only schema is enums only and its answers parse', async () => {
    const [r] = buildRequests('json', 'both', REPORT);
    const schema = namesOnlySchema((r as { schema: Record<string, unknown> }).schema) as { properties: Record<string, { items: { enum?: string[]; type: string } }> };
    for (const k of ['positive', 'uncertain', 'negative']) expect(schema.properties[k].items.enum).toEqual([...FINDINGS]);
    expect(schema.properties.icd10).toEqual(((r as { schema: Record<string, unknown> }).schema as { properties: Record<string, unknown> }).properties.icd10);
    const s = scripted('{"positive":["Pleural Effusion"],"uncertain":[],"negative":["Pneumothorax"],"icd10":[]}');
    const engine = createGgufEngine(s.runtime, { engineName: 'wllama', modelId: 'm', profile: 'json', schemaFor: (q) => namesOnlySchema(q.schema!) });
    const result = await engine.label(REPORT, { task: 'both' });
    expect(s.requests[0].jsonSchema).toEqual(namesOnlySchema((r as { schema: Record<string, unknown> }).schema));
    expect(result.status).toBe('ok');
    expect(result.findings['Pleural Effusion']).toBe('positive');
    expect(result.icd10).toEqual([]);
  });

  it('turns invalid UTF-8 and an over-long report into error rows, other failures stop the batch', async () => {
    const engine = (e: Error) => createGgufEngine(scripted(e).runtime, { engineName: 'wllama', modelId: 'm', profile: 'json' });
    const utf8 = await engine(new Error('[json.exception.type_error.316] invalid UTF-8 byte at index 3: 0xB1')).label(REPORT);
    expect(utf8).toMatchObject({ status: 'error', normal: false });
    expect(utf8.message).toMatch(/not valid UTF-8/);
    const long = await engine(new Error('The prompt (5000 tokens) and answer do not fit the 4096-token context: report too long.')).label(REPORT);
    expect(long.status).toBe('error');
    await expect(engine(new Error('wllama has crashed, please reload the module')).label(REPORT)).rejects.toThrow(/failed while answering/);
  });

  it('an answer cut at the token limit is unparsed with the raw text and says so; empty text never reaches the model', async () => {
    const s = scripted('{"positive":[{"name":"Edema","evidence":"xxxxxxxx');
    s.finish.reason = 'length';
    const engine = createGgufEngine(s.runtime, { engineName: 'wllama', modelId: 'm', profile: 'json' });
    const r = await engine.label(REPORT);
    expect(r.status).toBe('unparsed');
    expect(r.raw).toContain('"Edema"');
    expect(r.message).toMatch(/160-token limit/);
    expect((await engine.label('   ')).status).toBe('empty');
    expect(s.requests).toHaveLength(1);
  });

  it('cancellation rejects with the abort reason and stops before the next call', async () => {
    const s = scripted('{}');
    const engine = createGgufEngine(s.runtime, { engineName: 'wllama', modelId: 'm', profile: 'json' });
    const ac = new AbortController();
    ac.abort(new DOMException('stop', 'AbortError'));
    await expect(engine.label(REPORT, { signal: ac.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(s.requests).toHaveLength(0);
  });

  it('renders each turn once, in order', () => {
    expect(renderLlama3Chat([{ role: 'system', content: 'S ' }, { role: 'user', content: 'U' }])).toBe(
      '<|start_header_id|>system<|end_header_id|>\n\nS<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nU<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n',
    );
  });
});
