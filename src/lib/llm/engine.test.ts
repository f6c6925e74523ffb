import { describe, expect, it } from 'vitest';
import shipped from '../models/registry.json' with { type: 'json' };
import { FINDINGS } from '../findings.ts';
import { createLlmEngine, tokensPerSecond, type ChatLike, type ChatRequest, type ChatResponse, type CompletionRequest } from './engine.ts';
import { parseRegistry } from './registry.ts';

const MODEL = parseRegistry(shipped).models[1];
/** A stock WebLLM model: json profile by default. */
const STOCK = parseRegistry(shipped).models.find((m) => m.stock)!;
const REPORT = 'FINDINGS: Moderate right pleural effusion. No pneumothorax. Heart size is normal.\nIMPRESSION: Right pleural effusion.';

type Script = string | Error | ((r: ChatRequest) => string);

/**
 * A stand-in for WebLLM's MLCEngine (engine.ts in @mlc-ai/web-llm 0.2.86): records every request and answers from
 * a script. Like the real engine, chat requests take `messages` and raw completions take a `prompt` string; each
 * refuses the other's fields.
 */
function scripted(...answers: Script[]) {
  const requests: ChatRequest[] = [];
  const completions: CompletionRequest[] = [];
  let interrupted = 0;
  const next = () => {
    const a = answers.shift();
    if (a === undefined) throw new Error('script ran out');
    if (a instanceof Error) throw a;
    return a;
  };
  const chat: ChatLike = {
    chat: {
      completions: {
        async create(r: ChatRequest): Promise<ChatResponse> {
          if ('prompt' in r) throw new Error('chat.completions.create takes messages, not prompt');
          requests.push(structuredClone(r));
          const a = next();
          const content = typeof a === 'function' ? a(r) : a;
          return { choices: [{ message: { content }, finish_reason: 'stop' }], usage: { prompt_tokens: 300, completion_tokens: 20 } };
        },
      },
    },
    completions: {
      async create(r: CompletionRequest) {
        if (typeof r.prompt !== 'string' || 'messages' in r) throw new Error('completions.create takes a prompt string');
        completions.push(structuredClone(r));
        const a = next();
        const text = typeof a === 'function' ? a(r as unknown as ChatRequest) : a;
        return { choices: [{ text, finish_reason: 'stop' }], usage: { prompt_tokens: 400, completion_tokens: 30 } };
      },
    },
    interruptGenerate: () => {
      interrupted++;
    },
  };
  return { chat, requests, completions, interrupted: () => interrupted };
}

let clock = 0;
const now = () => (clock += 500);

describe('createLlmEngine', () => {
  it('sends deterministic json requests with the schema and the request budget', async () => {
    const s = scripted('{"findings":[{"name":"Pleural Effusion","status":"positive","evidence":"Moderate right pleural effusion"},{"name":"Pneumothorax","status":"negative","evidence":"No pneumothorax"}]}');
    const engine = createLlmEngine(s.chat, STOCK, { now });
    const r = await engine.label(REPORT);
    expect(s.requests).toHaveLength(1);
    const req = s.requests[0];
    expect(req).toMatchObject({ temperature: 0, top_p: 1, seed: 42, stream: false, max_tokens: 160 });
    expect(req.response_format?.type).toBe('json_object');
    const schema = JSON.parse(req.response_format!.schema);
    expect(schema.required).toEqual(['positive', 'uncertain', 'negative']);
    expect(schema.properties.positive.items.properties.name.enum).toEqual([...FINDINGS]);
    expect(req.messages[0].role).toBe('system');
    expect(req.messages[1].content).toContain('Moderate right pleural effusion');

    expect(r.status).toBe('ok');
    expect(r.findings['Pleural Effusion']).toBe('positive');
    expect(r.findings.Pneumothorax).toBe('negative');
    expect(r.findings.Atelectasis).toBe('absent');
    expect(r.normal).toBe(false);
    // A stock model's results name that model, never RadReportX.
    expect(r.engine).toEqual({ name: 'webllm', version: `${STOCK.id}+json` });
    expect(JSON.stringify(r.engine)).not.toMatch(/RadReportX/i);
    expect(r.raw).toContain('Pleural Effusion');
    expect(r.usage).toEqual({ promptTokens: 300, completionTokens: 20, latencyMs: 500 });
    const ev = r.evidence.find((e) => e.finding === 'Pleural Effusion')!;
    expect(REPORT.slice(ev.mention.start, ev.mention.end)).toBe('Moderate right pleural effusion');
  });

  it('keeps a malformed answer as unparsed with its raw text, never Normal', async () => {
    const s = scripted('{"findings":[{"name":"Pleural Effusion","status":"posi');
    const r = await createLlmEngine(s.chat, STOCK, { now }).label(REPORT);
    expect(r.status).toBe('unparsed');
    expect(r.normal).toBe(false);
    expect(r.raw).toBe('{"findings":[{"name":"Pleural Effusion","status":"posi');
    expect(r.message).toMatch(/truncated/);
    expect(r.usage?.completionTokens).toBe(20);
  });

  it('asks RadReportX (release, its registry default) through raw completions, twice for both tasks, with BOS in the prompt text', async () => {
    const s = scripted('[Pleural Effusion]\nEvidence:\n- Pleural Effusion: "Moderate right pleural effusion"', "['Right pleural effusion']\nThe reason is: 'Right pleural effusion' (J90)");
    expect(MODEL.promptProfile).toBe('release');
    const r = await createLlmEngine(s.chat, MODEL, { seed: 7, now }).label(REPORT, { task: 'both' });
    expect(s.requests).toHaveLength(0);
    expect(s.completions).toHaveLength(2);
    for (const q of s.completions) {
      expect(q).toMatchObject({ temperature: 0, top_p: 1, seed: 7, stream: false, max_tokens: 150, stop: ['<|eot_id|>', '<|end_of_text|>'] });
      // WebLLM's completion path adds no BOS of its own: the prompt carries exactly one, first.
      expect(q.prompt.startsWith('<|begin_of_text|>\n    You are')).toBe(true);
      expect(q.prompt.split('<|begin_of_text|>')).toHaveLength(2);
      expect(q.prompt).toContain(REPORT);
    }
    expect(s.completions[0].prompt.endsWith('Expected Output:\n    ')).toBe(true);
    expect(r.status).toBe('ok');
    expect(r.engine).toEqual({ name: 'webllm', version: 'RadReportX-8B-q4f32_1+release' });
    expect(r.findings['Pleural Effusion']).toBe('positive');
    expect(REPORT.slice(r.evidence[0].mention.start, r.evidence[0].mention.end)).toBe('Moderate right pleural effusion');
    expect(r.icd10?.[0]).toMatchObject({ phrase: 'right pleural effusion', code: 'J90', flags: [] });
    expect(r.usage).toMatchObject({ promptTokens: 800, completionTokens: 60 });
    expect(JSON.parse(r.raw!)).toHaveLength(2);
  });

  it('says so when an engine without raw completions is asked the release profile', async () => {
    const s = scripted('[Edema]');
    delete (s.chat as { completions?: unknown }).completions;
    await expect(createLlmEngine(s.chat, MODEL, { profile: 'release' }).label(REPORT)).rejects.toMatchObject({ name: 'ModelLoadFailed', message: /raw completions/ });
  });

  it('answers an empty report without calling the model', async () => {
    const s = scripted();
    const r = await createLlmEngine(s.chat, MODEL).label('  XXXX  ');
    expect(r.status).toBe('empty');
    expect(s.requests).toHaveLength(0);
  });

  it('turns a too-long report into an error row but stops on an engine failure', async () => {
    const tooLong = new Error('Prompt tokens exceed context window size');
    tooLong.name = 'ContextWindowSizeExceededError';
    const r = await createLlmEngine(scripted(tooLong).chat, MODEL).label(REPORT);
    expect(r.status).toBe('error');
    expect(r.message).toMatch(/too long/);
    const lost = new Error('The WebGPU device was lost');
    lost.name = 'DeviceLostError';
    await expect(createLlmEngine(scripted(lost).chat, MODEL).label(REPORT)).rejects.toMatchObject({ name: 'ModelLoadFailed' });
  });

  it('interrupts generation when the signal aborts', async () => {
    const controller = new AbortController();
    const s = scripted(() => {
      controller.abort();
      return '{"findings":[]}';
    });
    await expect(createLlmEngine(s.chat, MODEL).label(REPORT, { signal: controller.signal })).rejects.toBeDefined();
    expect(s.interrupted()).toBe(1);
  });

  it('labels a report with no findings as normal only when the answer says so', async () => {
    const r = await createLlmEngine(scripted('{"findings":[]}').chat, STOCK).label('Lungs are clear.');
    expect(r).toMatchObject({ status: 'ok', normal: true });
  });

  it('computes decode speed over results', () => {
    expect(tokensPerSecond([{ usage: { promptTokens: 1, completionTokens: 30, latencyMs: 1000 } }, { usage: { promptTokens: 1, completionTokens: 10, latencyMs: 1000 } }])).toBe(20);
    expect(tokensPerSecond([{}])).toBeUndefined();
  });
});
