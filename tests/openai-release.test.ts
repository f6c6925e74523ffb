/**
 * `label --engine openai` with the authors' profiles against the stand-in server on 127.0.0.1:
 * `release` (the released RadReportX served by vLLM: raw prompts to /v1/completions, both tasks) and
 * `release-weak-labels` (the paper's GPT-4o teacher prompt over chat, with a logged, repeatable seed-example draw).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { drawSeedExamples, releasePrompt, weakLabelPrompt } from '../src/lib/prompts/index.ts';
import { WEAK_LABEL_SYSTEM_MESSAGE } from '../src/lib/prompts/release-data.ts';
import type { LabelRun } from '../training/engines.ts';
import { runOpenAiLabel } from '../training/openai/run.ts';
import type { LabelLine } from '../training/openai/store.ts';
import { startStandIn, writeIuSample, type StandInServer } from './support/openai-server.ts';

let dir: string;
let server: StandInServer;
let stderr: string[];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rrx-release-'));
  server = await startStandIn();
  stderr = [];
  vi.stubEnv('OPENAI_API_KEY', 'sk-test-release-0000');
  vi.stubEnv('OPENAI_BASE_URL', '');
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr.push(String(chunk));
    return true;
  });
});

afterEach(async () => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

const output = () => join(dir, 'labels.jsonl');

function run(input: string, task: LabelRun['task']): LabelRun {
  return { engine: 'openai', input, textColumn: 'findings,impression', idColumns: ['uid'], output: output(), format: 'jsonl', task, delimiter: ',', encoding: 'utf-8', progress: 'off', quiet: true };
}

const label = (input: string, task: LabelRun['task'], values: Record<string, unknown>, quiet = true) =>
  runOpenAiLabel({ ...run(input, task), quiet }, { 'base-url': server.baseURL, 'retry-base-ms': '20', ...values });

async function lines(): Promise<LabelLine[]> {
  return (await readFile(output(), 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l) as LabelLine);
}

/** The text label sends for a row: the chosen columns joined as sections, exactly as the prompt carries it. */
const sentReport = (prompt: string) => /\*\*Report to Analyze:\*\*\n {4}([\s\S]*)\n\n {4}(?:Expected )?Output:\n {4}$/.exec(prompt)![1];

describe('label --engine openai --prompt-profile release', () => {
  it('sends the raw prompts of both tasks to /v1/completions and reads both answer shapes', async () => {
    const { path, reports } = await writeIuSample(dir, 8);
    const withText = reports.filter((r) => (r.findings + r.impression).trim());
    expect(await label(path, 'both', { 'prompt-profile': 'release', model: 'radreportx' }, false)).toBe(0);
    expect(stderr.join('')).toMatch(/prompt release \(release-a7f70a8\), raw completions \(\/completions\), task both/);
    expect(server.chatRequests).toHaveLength(0);
    const sent = server.completionRequests;
    expect(sent).toHaveLength(withText.length * 2);
    for (const q of sent) {
      expect(q.path).toBe('/v1/completions');
      expect(Object.keys(q.body).sort()).toEqual(['max_tokens', 'model', 'prompt', 'stop', 'temperature']);
      expect(q.body).toMatchObject({ model: 'radreportx', temperature: 0, max_tokens: 150, stop: ['<|eot_id|>', '<|end_of_text|>'] });
      // vLLM adds the BOS token itself: the text must not carry a second one.
      expect(q.body.prompt.includes('<|begin_of_text|>')).toBe(false);
      const task = q.body.prompt.includes('Only use diseases from this list') ? 'findings' : 'icd10';
      expect(q.body.prompt).toBe(releasePrompt(task, sentReport(q.body.prompt)));
    }
    const out = await lines();
    expect(out).toHaveLength(reports.length);
    const ok = out.filter((l) => l.status === 'ok');
    expect(ok.length).toBe(withText.length);
    for (const l of ok) {
      expect(l).toMatchObject({ profile: 'release', promptVersion: 'release-a7f70a8', finishReason: ['stop', 'stop'] });
      expect(JSON.parse(l.raw!)).toHaveLength(2);
      expect(l.icd10).toBeDefined();
    }
    // The stand-in answers "effusion" reports with the list and a reason line: the code is the model's, not looked up.
    const effusion = ok.find((l) => l.findings['Pleural Effusion'] === 'positive');
    if (effusion) expect(effusion.icd10!.find((i) => i.code === 'J90')?.flags).not.toContain('looked_up');
  });

  it('codes a phrase list without a reason line from the lexicon, flagged looked_up, and keeps a truncated answer as unparsed', async () => {
    const { path, reports } = await writeIuSample(dir, 6);
    const rows = reports.filter((r) => (r.findings + r.impression).trim());
    server.script = (call) => {
      if (call.body.prompt.includes(rows[0].findings.trim())) return { kind: 'ok', content: "['pleural effusion']" };
      if (call.body.prompt.includes(rows[1].findings.trim())) return { kind: 'ok', content: "['pleural eff", finishReason: 'length' };
      return { kind: 'ok', content: '[]' };
    };
    expect(await label(path, 'icd10', { 'prompt-profile': 'release' })).toBe(0);
    const byId = new Map((await lines()).map((l) => [l.id, l]));
    const first = byId.get(rows[0].uid)!;
    expect(first.status).toBe('ok');
    expect(first.icd10?.map((i) => [i.code, i.flags.includes('looked_up')])).toEqual([['J90', true]]);
    expect(byId.get(rows[1].uid)).toMatchObject({ status: 'unparsed', normal: false });
    expect(byId.get(rows[1].uid)!.message).toMatch(/never closes[\s\S]*150-token limit/);
  });
});

describe('label --engine openai --prompt-profile release-weak-labels', () => {
  it('sends the teacher prompt over chat, logs each row draw, and draws the same again on a rerun', async () => {
    const { path, reports } = await writeIuSample(dir, 10);
    expect(await label(path, 'icd10', { 'prompt-profile': 'release-weak-labels', 'sample-seed': '7' }, false)).toBe(0);
    expect(stderr.join('')).toMatch(/prompt release-weak-labels \(release-weak-labels-a7f70a8, sample seed 7\), task icd10/);
    expect(server.completionRequests).toHaveLength(0);
    const first = await lines();
    const ok = first.filter((l) => l.status === 'ok');
    expect(ok.length).toBeGreaterThan(0);
    const draws = new Map<string, number[]>();
    for (const q of server.chatRequests) {
      expect(q.body).toMatchObject({ model: 'gpt-4o', temperature: 0, max_tokens: 150 });
      expect(q.body.response_format).toBeUndefined();
      expect(q.body.messages[0]).toEqual({ role: 'system', content: WEAK_LABEL_SYSTEM_MESSAGE });
      const report = sentReport(q.body.messages[1].content);
      const drawn = drawSeedExamples(report, 7);
      expect(q.body.messages[1].content).toBe(weakLabelPrompt(report, drawn));
      draws.set(report, drawn);
    }
    for (const l of first.filter((x) => x.status !== 'empty')) {
      expect(l).toMatchObject({ profile: 'release-weak-labels', sampleSeed: 7 });
      expect(l.seedExamples).toHaveLength(3);
    }
    // The logged draw is the one sent.
    expect(new Set(first.filter((l) => l.seedExamples?.length).map((l) => JSON.stringify(l.seedExamples)))).toEqual(new Set([...draws.values()].map((d) => JSON.stringify(d))));

    // Another run over a fresh output with the same seed sends byte-identical prompts.
    const before = server.chatRequests.map((q) => q.body.messages[1].content).sort();
    await rm(output());
    expect(await label(path, 'icd10', { 'prompt-profile': 'release-weak-labels', 'sample-seed': '7' })).toBe(0);
    const again = server.chatRequests.slice(before.length).map((q) => q.body.messages[1].content).sort();
    expect(again).toEqual(before);
    // Resuming into that output with another seed is refused: the lines would mix two prompt sets.
    await expect(label(path, 'icd10', { 'prompt-profile': 'release-weak-labels', 'sample-seed': '8' })).rejects.toThrow(/different settings/);
    expect(reports.length).toBe(10);
  });

  it('refuses the findings task and --sample-seed with another profile', async () => {
    const { path } = await writeIuSample(dir, 2);
    await expect(label(path, 'findings', { 'prompt-profile': 'release-weak-labels' })).rejects.toThrow(/ICD-10 phrases only/);
    await expect(label(path, 'icd10', { 'prompt-profile': 'json', 'sample-seed': '3' })).rejects.toThrow(/--sample-seed only applies/);
    await expect(label(path, 'icd10', { 'prompt-profile': 'legacy' })).rejects.toThrow(/must be one of release, release-weak-labels, json/);
    // The release profile is for a server with the released weights: OpenAI's own endpoint has no such model.
    await expect(runOpenAiLabel(run(path, 'both'), { 'prompt-profile': 'release' })).rejects.toThrow(/needs a server with those weights \(vLLM\)/);
    expect(server.requests).toHaveLength(0);
  });
});
