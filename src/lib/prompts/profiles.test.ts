import { describe, expect, it } from 'vitest';
import { FINDINGS } from '../findings.ts';
import { buildRequests, isPromptProfile, PROMPT_PROFILES } from './profiles.ts';

/** Rough token count: the larger of words × 1.3 and characters / 4 (Llama 3 tokenizer lands between the two). */
const tokens = (s: string) => Math.ceil(Math.max(s.split(/\s+/).filter(Boolean).length * 1.3, s.length / 4));
const promptTokens = (profile: 'legacy' | 'json', task: 'findings' | 'icd10' | 'both') =>
  buildRequests(profile, task, 'X').reduce((n, r) => n + r.messages.reduce((m, msg) => m + tokens(msg.content), 0), 0);

describe('buildRequests', () => {
  it('keeps every findings prompt template under ~400 tokens', () => {
    for (const profile of PROMPT_PROFILES) {
      const t = promptTokens(profile, 'findings');
      expect(t, profile).toBeLessThan(400);
      expect(t, profile).toBeGreaterThan(50);
    }
    expect(promptTokens('json', 'both')).toBeLessThan(400);
  });

  it('bounds the answer length', () => {
    expect(buildRequests('legacy', 'findings', 'r')[0].maxTokens).toBeLessThanOrEqual(60);
    for (const p of PROMPT_PROFILES) for (const r of buildRequests(p, 'both', 'r')) expect(r.maxTokens).toBeLessThanOrEqual(320);
  });

  it('names all 13 findings in every findings prompt', () => {
    for (const p of PROMPT_PROFILES) {
      const text = buildRequests(p, 'findings', 'r').flatMap((r) => r.messages.map((m) => m.content)).join('\n');
      for (const f of FINDINGS) expect(text, `${p}: ${f}`).toContain(f);
    }
  });

  it('json answers both tasks in one call with a schema; legacy needs one call per task and no schema', () => {
    const json = buildRequests('json', 'both', ' Report text ');
    expect(json).toHaveLength(1);
    expect(json[0].schema).toBeDefined();
    expect(json[0].messages.map((m) => m.role)).toEqual(['system', 'user']);
    expect(json[0].messages[1].content).toBe('Report:\nReport text');
    const legacy = buildRequests('legacy', 'both', 'Report text');
    expect(legacy.map((r) => r.task)).toEqual(['findings', 'icd10']);
    expect(legacy.every((r) => !r.schema && r.messages.length === 1 && r.messages[0].role === 'user')).toBe(true);
    expect(legacy[1].messages[0].content.endsWith('Report:\nReport text')).toBe(true);
  });

  it('keeps the report out of the system prompt, so the template is the same for every report', () => {
    const a = buildRequests('json', 'findings', 'first report');
    const b = buildRequests('json', 'findings', 'second report');
    expect(a[0].messages[0]).toEqual(b[0].messages[0]);
    expect(JSON.stringify(a[0].messages[0])).not.toContain('first report');
  });

  it('recognises profile names', () => {
    expect(isPromptProfile('json')).toBe(true);
    expect(isPromptProfile('JSON')).toBe(false);
  });
});
