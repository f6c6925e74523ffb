/**
 * Real tokens in the CLI: `radreportx label --engine llama-cpp` on a synthetic GGUF model the test writes
 * (tests/support/gguf), through node-llama-cpp's prebuilt CPU binary. The weights are random, so the assertions are
 * about the path, not the labels: schema-constrained answers parse into valid results, usage is counted, Ctrl-C
 * stops mid-run keeping finished rows, a SIGKILLed run resumes with no gap or duplicate. One thread: on a busy
 * 2-core machine llama.cpp's spinning threads are ~50x slower than one.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FINDINGS, FINDING_STATUSES } from '../src/lib/findings.ts';
import type { LabelResult } from '../src/lib/result.ts';
import { loadLlamaCpp } from '../training/llama-cpp/runtime.ts';
import { CLI, ROOT, runCli, tempDir } from './fixtures/run-cli.ts';
import { writeSyntheticModel } from './support/gguf/model.ts';

let dir: string;
let model: string;
let input: string;
const REPORTS = [
  'FINDINGS: Moderate right pleural effusion. No pneumothorax.',
  '',
  'Heart size is enlarged. Lungs are clear.',
  'Bibasilar atelectasis. Small left effusion.',
];

type Line = LabelResult & { id: string; row: number; mode: string; model: string };
const lines = (path: string): Line[] => readFileSync(path, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line);
const base = (output: string) => ['label', '--engine', 'llama-cpp', '--model', model, '--threads', '1', '--context', '1536', '-i', input, '-t', 'report', '--id-column', 'id', '-o', output];

function validResult(r: LabelResult): void {
  expect(Object.keys(r.findings).sort()).toEqual([...FINDINGS].sort());
  for (const f of FINDINGS) expect(FINDING_STATUSES).toContain(r.findings[f]);
  expect(r.normal).toBe(FINDINGS.every((f) => r.findings[f] !== 'positive'));
}

beforeAll(() => {
  dir = tempDir('radreportx-llama-');
  model = join(dir, 'synthetic.gguf');
  writeSyntheticModel(model);
  input = join(dir, 'reports.csv');
  writeFileSync(input, `id,report\n${REPORTS.map((r, i) => `r${i + 1},"${r}"`).join('\n')}\n`);
});

describe('label --engine llama-cpp (node-llama-cpp, real tokens)', () => {
  it('labels with the names-only json schema into valid results with token usage; empty text is never sent', async () => {
    const out = join(dir, 'names.jsonl');
    const stats = join(dir, 'stats.json');
    const r = await runCli([...base(out), '--answer', 'names', '--stats', stats]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/llama-cpp: synthetic\.gguf .* on cpu, 1 threads/);
    const got = lines(out);
    expect(got.map((l) => l.id)).toEqual(['r1', 'r2', 'r3', 'r4']);
    expect(got[1]).toMatchObject({ status: 'empty', normal: false });
    expect(got[1].usage).toBeUndefined();
    for (const l of [got[0], got[2], got[3]]) {
      expect(l.status, l.message).toBe('ok');
      validResult(l);
      // The grammar forced JSON: the raw answer is an object with the three lists, names from the enum.
      const answer = JSON.parse(l.raw!) as Record<string, string[]>;
      for (const k of ['positive', 'uncertain', 'negative']) for (const n of answer[k]) expect(FINDINGS).toContain(n);
      expect(l.usage!.promptTokens).toBeGreaterThan(100);
      expect(l.usage!.completionTokens).toBeGreaterThan(5);
      expect(l).toMatchObject({ mode: 'local', model: 'synthetic.gguf', engine: { name: 'llama-cpp', version: 'synthetic.gguf+json' } });
    }
    const s = JSON.parse(readFileSync(stats, 'utf8'));
    expect(s).toMatchObject({ rows: 4, backend: 'cpu', threads: 1 });
    expect(s.decodeTokensPerSecond).toBeGreaterThan(0);
    expect(s.prefillTokensPerSecond).toBeGreaterThan(0);
    process.stderr.write(`node-llama-cpp, synthetic model: load ${s.loadSeconds.toFixed(2)} s, prefill ${s.prefillTokensPerSecond.toFixed(0)} tok/s, decode ${s.decodeTokensPerSecond.toFixed(0)} tok/s\n`);

    // Same command again: nothing left to do; the file is not touched.
    const again = await runCli([...base(out), '--answer', 'names']);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/Nothing to do/);
    expect(lines(out)).toHaveLength(4);
    // Another answer form into the same file is refused, naming both settings.
    const mixed = await runCli(base(out));
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/different settings/);
  });

  it('release: the released prompts as raw completions; a meaningless answer is unparsed with its raw text kept', async () => {
    const out = join(dir, 'release.jsonl');
    const r = await runCli([...base(out).map((a) => (a === '1536' ? '4096' : a)), '--prompt-profile', 'release', '--task', 'both']);
    expect(r.code, r.stderr).toBe(0);
    const got = lines(out);
    expect(got[1].status).toBe('empty');
    for (const l of [got[0], got[2], got[3]]) {
      expect(l.status).toBe('unparsed');
      expect(l.normal).toBe(false);
      expect(l.message).toMatch(/could not be read/);
      // Two calls (findings, ICD-10), both answers kept.
      const raws = JSON.parse(l.raw!) as string[];
      expect(raws).toHaveLength(2);
      expect(raws.every((t) => t.length > 0)).toBe(true);
      expect(l.usage!.completionTokens).toBeGreaterThan(10);
      expect(l.engine.version).toBe('synthetic.gguf+release');
    }
  });

  it('release prompts reach llama.cpp with exactly one BOS', async () => {
    const { buildRequests } = await import('../src/lib/prompts/profiles.ts');
    const { completionRequest } = await import('../src/lib/llm/gguf-engine.ts');
    const loaded = await loadLlamaCpp({ modelPath: model, threads: 1, contextSize: 4096 });
    try {
      const request = { ...completionRequest(buildRequests('release', 'findings', REPORTS[0])[0]), maxTokens: 4 };
      const answer = await loaded.runtime.complete(request);
      const tokens = loaded.contextTokens();
      expect(tokens[0]).toBe(loaded.bos);
      expect(tokens.filter((t) => t === loaded.bos)).toHaveLength(1);
      // llama.cpp holds every prompt token and all but the last answer token (never fed back).
      expect(tokens.length - answer.completionTokens + 1).toBe(answer.promptTokens);
    } finally {
      await loaded.dispose();
    }
  });

  it('refuses bad usage before loading anything', async () => {
    const out = join(dir, 'x.jsonl');
    expect((await runCli(['label', '--engine', 'llama-cpp', '-i', input, '-t', 'report', '-o', out])).stderr).toMatch(/needs --model/);
    const csv = await runCli([...base(join(dir, 'x.csv'))]);
    expect(csv.code).toBe(2);
    expect(csv.stderr).toMatch(/writes JSONL/);
    // The rest of the option checks, in process (each spawn costs seconds).
    const { resolveLlamaCppConfig } = await import('../training/llama-cpp/options.ts');
    const run = { input, output: out, format: 'jsonl' } as Parameters<typeof resolveLlamaCppConfig>[0];
    expect(() => resolveLlamaCppConfig(run, { model, threads: '0' })).toThrow(/--threads must be a whole number/);
    expect(() => resolveLlamaCppConfig(run, { model, gpu: 'tpu' })).toThrow(/--gpu must be one of cpu, auto, cuda/);
    expect(() => resolveLlamaCppConfig(run, { model, 'prompt-profile': 'release-weak-labels' })).toThrow(/must be one of release, json/);
    expect(() => resolveLlamaCppConfig(run, { model: join(dir, 'nope.gguf') })).toThrow(/does not exist/);
    expect(() => resolveLlamaCppConfig(run, { model: input })).toThrow(/not a \.gguf file/);
    expect(resolveLlamaCppConfig(run, { model, threads: '3', gpu: 'cuda', answer: 'names' })).toMatchObject({ threads: 3, gpu: 'cuda', answer: 'names', profile: 'json', modelName: 'synthetic.gguf' });
    const help = await runCli(['label', '--help']);
    expect(help.stdout).toMatch(/--engine llama-cpp/);
    expect(help.stdout).toMatch(/--threads N/);
  });

  it('a SIGKILLed run keeps its finished rows and the rerun finishes the rest once each', async () => {
    const many = join(dir, 'many.csv');
    writeFileSync(many, `id,report\n${Array.from({ length: 30 }, (_, i) => `m${i},"Report ${i}: small right pleural effusion."`).join('\n')}\n`);
    const out = join(dir, 'killed.jsonl');
    const args = [...base(out).map((a) => (a === input ? many : a)), '--answer', 'names'];
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: ROOT, stdio: 'ignore' });
    // Kill once a few rows are on disk.
    await new Promise<void>((resolve) => {
      const t = setInterval(() => {
        let n = 0;
        try {
          n = readFileSync(out, 'utf8').split('\n').length - 1;
        } catch {
          /* not yet */
        }
        if (n >= 3) {
          clearInterval(t);
          child.kill('SIGKILL');
          resolve();
        }
      }, 20);
    });
    await new Promise((r) => child.once('close', r));
    const before = lines(out).length;
    expect(before).toBeGreaterThanOrEqual(3);
    expect(before).toBeLessThan(30);
    const resumed = await runCli(args);
    expect(resumed.code, resumed.stderr).toBe(0);
    const ids = lines(out).map((l) => l.id);
    expect(new Set(ids).size).toBe(30);
    expect(ids).toHaveLength(30);
  });

  it('cancel stops a generation mid-way (the adapter passes the signal to llama.cpp)', async () => {
    const loaded = await loadLlamaCpp({ modelPath: model, threads: 1, contextSize: 4096 });
    try {
      const request = { prompt: 'Report: ', maxTokens: 1200, stop: [], temperature: 0 as const, seed: 42, banHighByteTokens: true };
      const ac = new AbortController();
      const t0 = performance.now();
      setTimeout(() => ac.abort(new DOMException('cancelled', 'AbortError')), 150);
      await expect(loaded.runtime.complete(request, ac.signal)).rejects.toMatchObject({ name: 'AbortError' });
      const cancelledMs = performance.now() - t0;
      // The same generation to the end: far longer than the cancelled one.
      const full = await loaded.runtime.complete(request);
      expect(full.completionTokens).toBeGreaterThan(600);
      expect(full.text).not.toMatch(/\uFFFD/);
      expect(cancelledMs).toBeLessThan((full.prefillMs ?? 0) + (full.decodeMs ?? 0));
    } finally {
      await loaded.dispose();
    }
  });
});
