import { describe, expect, it } from 'vitest';
import { FINDINGS } from '../findings.ts';
import {
  buildRequests,
  drawSeedExamples,
  isPromptProfile,
  promptText,
  requestMessages,
  requestText,
  LLAMA3_BOS,
  PROMPT_PROFILES,
  type ChatPromptRequest,
  type CompletionPromptRequest,
} from './profiles.ts';
import { WEAK_LABEL_SEED_EXAMPLES } from './release-data.ts';

/** Rough token count: the larger of words × 1.3 and characters / 4 (Llama 3 tokenizer lands between the two). */
const tokens = (s: string) => Math.ceil(Math.max(s.split(/\s+/).filter(Boolean).length * 1.3, s.length / 4));
const jsonTokens = (task: 'findings' | 'icd10' | 'both') => buildRequests('json', task, 'X').reduce((n, r) => n + tokens(requestText(r)), 0);

describe('buildRequests', () => {
  it('keeps every json prompt template under ~400 tokens', () => {
    for (const task of ['findings', 'icd10', 'both'] as const) {
      expect(jsonTokens(task), task).toBeLessThan(400);
      expect(jsonTokens(task), task).toBeGreaterThan(50);
    }
  });

  it('bounds the answer length: the authors 150 tokens for release, the json budgets for json', () => {
    for (const r of buildRequests('release', 'both', 'r')) expect(r.maxTokens).toBe(150);
    expect(buildRequests('release-weak-labels', 'icd10', 'r')[0].maxTokens).toBe(150);
    for (const r of buildRequests('json', 'both', 'r')) expect(r.maxTokens).toBeLessThanOrEqual(320);
    for (const p of PROMPT_PROFILES) for (const r of buildRequests(p, p === 'release-weak-labels' ? 'icd10' : 'both', 'r')) expect(r.temperature).toBe(0);
  });

  it('names all 13 findings in every findings prompt', () => {
    for (const p of ['release', 'json'] as const) {
      const text = buildRequests(p, 'findings', 'r').map(requestText).join('\n');
      for (const f of FINDINGS) expect(text, `${p}: ${f}`).toContain(f);
    }
  });

  it('json answers both tasks in one chat call with a schema', () => {
    const [json, ...rest] = buildRequests('json', 'both', ' Report text ') as ChatPromptRequest[];
    expect(rest).toHaveLength(0);
    expect(json.kind).toBe('chat');
    expect(json.schema).toBeDefined();
    expect(json.messages.map((m) => m.role)).toEqual(['system', 'user']);
    expect(json.messages[1].content).toBe('Report:\nReport text');
  });

  it('release is one raw completion per task: no messages, no system prompt, BOS left to the adapter, Llama 3 stop tokens', () => {
    const release = buildRequests('release', 'both', 'Report text') as CompletionPromptRequest[];
    expect(release.map((r) => [r.kind, r.task])).toEqual([
      ['completion', 'findings'],
      ['completion', 'icd10'],
    ]);
    for (const r of release) {
      expect(r).not.toHaveProperty('messages');
      expect(r).not.toHaveProperty('schema');
      expect(r.prompt.startsWith('\n    You are')).toBe(true);
      expect(r.prompt).not.toContain('<|begin_of_text|>');
      expect(r.bos).toEqual({ token: '<|begin_of_text|>', id: 128000 });
      expect(r.stop).toEqual(['<|eot_id|>', '<|end_of_text|>']);
      // The report sits where {note} was, and nothing of the template is left unfilled.
      expect(r.prompt).toContain('**Report to Analyze:**\n    Report text\n\n');
      expect(r.prompt).not.toContain('{note}');
    }
    expect(release[0].prompt.endsWith('Expected Output:\n    ')).toBe(true);
    expect(release[1].prompt.endsWith('Output:\n    ')).toBe(true);
    // WebLLM's completion path adds no BOS, llama.cpp and vLLM do: the adapter chooses, and BOS appears once.
    expect(promptText(release[0], { addBos: true })).toBe(`${LLAMA3_BOS.token}${release[0].prompt}`);
    expect(promptText(release[0])).toBe(release[0].prompt);
    expect(requestMessages(release[0])).toEqual([{ role: 'user', content: release[0].prompt }]);
  });

  it('release-weak-labels: the teacher system message and a user prompt with three distinct seed examples', () => {
    const [r] = buildRequests('release-weak-labels', 'icd10', 'Small right pleural effusion.') as ChatPromptRequest[];
    expect(r.kind).toBe('chat');
    expect(r.messages.map((m) => m.role)).toEqual(['system', 'user']);
    expect(r.messages[0].content).toBe('You are a helpful radiologist.');
    expect(new Set(r.seedExamples).size).toBe(3);
    const user = r.messages[1].content;
    for (const i of r.seedExamples!) expect(user).toContain(WEAK_LABEL_SEED_EXAMPLES[i]);
    expect(user).not.toMatch(/\{example\d\}|\{note\}/);
    expect(user).toContain('**Report to Analyze:**\n    Small right pleural effusion.\n\n    Output:\n    ');
    expect(r.schema).toBeUndefined();
  });

  it('release-weak-labels refuses the findings task (the paper took findings labels from MIMIC-CXR)', () => {
    expect(() => buildRequests('release-weak-labels', 'findings', 'x')).toThrow(/ICD-10 phrases only/);
    expect(() => buildRequests('release-weak-labels', 'both', 'x')).toThrow(/--task icd10|ICD-10 phrases only/);
  });

  it('draws seed examples repeatably: same seed and report, same draw; another seed or report, another draw', () => {
    const reports = Array.from({ length: 40 }, (_, i) => `Report number ${i}: mild cardiomegaly.`);
    const a = reports.map((t) => drawSeedExamples(t, 1));
    expect(reports.map((t) => drawSeedExamples(t, 1))).toEqual(a);
    expect(reports.map((t) => drawSeedExamples(t, 2))).not.toEqual(a);
    for (const d of a) {
      expect(new Set(d).size).toBe(3);
      for (const i of d) expect(i >= 0 && i < 11).toBe(true);
    }
    // Over many reports every seed example gets drawn: the draw is not stuck on a few.
    expect(new Set(a.flat()).size).toBe(11);
  });

  it('keeps the report out of the json system prompt, so the template is the same for every report', () => {
    const a = buildRequests('json', 'findings', 'first report') as ChatPromptRequest[];
    const b = buildRequests('json', 'findings', 'second report') as ChatPromptRequest[];
    expect(a[0].messages[0]).toEqual(b[0].messages[0]);
    expect(JSON.stringify(a[0].messages[0])).not.toContain('first report');
  });

  it('recognises profile names', () => {
    expect(PROMPT_PROFILES).toEqual(['release', 'release-weak-labels', 'json']);
    expect(isPromptProfile('json')).toBe(true);
    expect(isPromptProfile('legacy')).toBe(false);
    expect(isPromptProfile('JSON')).toBe(false);
  });
});
