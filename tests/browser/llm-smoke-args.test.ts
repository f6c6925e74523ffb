/** `npm run smoke:model` cannot run here (no GPU, no weights); its argument handling and preflight messages can. */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './harness.ts';
import { missingFiles, parseSmokeArgs, SMOKE_REPORTS } from './smoke-model.ts';

describe('smoke:model arguments', () => {
  it('accepts a registry model and options', () => {
    const r = parseSmokeArgs(['--model', 'RadReportX-8B-q4f32_1', '--headed', '--timeout', '60', '--chrome', '/opt/chrome']);
    expect(r).toMatchObject({ ok: true, options: { headed: true, timeoutSeconds: 60, chrome: '/opt/chrome' } });
    if (r.ok) expect(r.options.model.id).toBe('RadReportX-8B-q4f32_1');
  });

  it.each([
    [[], /--model is required\. Models: RadReportX-8B-q4f16_1, RadReportX-8B-q4f32_1/],
    [['--model', 'Llama-9B'], /no model "Llama-9B"/],
    [['--model'], /--model needs a value/],
    [['--model', 'RadReportX-8B-q4f32_1', '--timeout', 'soon'], /positive number/],
    [['--gpu'], /Unknown option --gpu/],
  ])('rejects %j', (argv, message) => {
    const r = parseSmokeArgs(argv);
    expect(r.ok).toBe(false);
    if (!r.ok && !r.help) expect(r.message).toMatch(message);
  });

  it('lists each missing file with the way to get it', () => {
    const r = parseSmokeArgs(['--model', 'RadReportX-8B-q4f16_1']);
    if (!r.ok) throw new Error('expected ok');
    const present = new Set(['/site/index.html', '/site/models/RadReportX-8B-q4f16_1/resolve/main/mlc-chat-config.json']);
    const problems = missingFiles(r.options.model, '/site', (p) => present.has(p));
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/tensor-cache\.json is missing: put the model folder under public\/models\/RadReportX-8B-q4f16_1\/resolve\/main\//);
    expect(problems[1]).toMatch(/Llama-3-8B-Instruct-q4f16_1_cs1k-webgpu\.wasm is missing: download the prebuilt WebLLM library/);
    expect(missingFiles(r.options.model, '/nowhere', () => false)[0]).toMatch(/run `npm run build` first/);
  });

  it('for a stock model, names the origins deploy.config.json must enable, and passes once they are', () => {
    const r = parseSmokeArgs(['--model', 'Llama-3.2-1B-Instruct-q4f16_1-MLC']);
    if (!r.ok) throw new Error('expected ok');
    expect(r.options.model.promptProfile).toBe('json');
    const present = () => true;
    const [problem] = missingFiles(r.options.model, '/site', present, []);
    expect(problem).toMatch(/downloads from https:\/\/huggingface\.co, https:\/\/raw\.githubusercontent\.com: add them to deploy\.config\.json "stockModelOrigins"/);
    expect(missingFiles(r.options.model, '/site', present, ['https://huggingface.co', 'https://raw.githubusercontent.com'])).toEqual([]);
  });

  it('exits 2 with the reason and usage on bad arguments, 0 on --help', () => {
    const run = (args: string[]) => {
      try {
        return { code: 0, out: execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'tests/browser/smoke-model.ts'), ...args], { cwd: ROOT, encoding: 'utf8', stdio: 'pipe' }) };
      } catch (e) {
        const err = e as { status: number; stderr: string };
        return { code: err.status, out: err.stderr };
      }
    };
    const bad = run(['--model', 'nope']);
    expect(bad.code).toBe(2);
    expect(bad.out).toMatch(/no model "nope"[\s\S]*Usage: npm run smoke:model/);
    const help = run(['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/Usage: npm run smoke:model -- --model <id>/);
    expect(help.out).toMatch(/`release` for RadReportX/);
  });

  it('ships example reports with expected labels', () => {
    expect(SMOKE_REPORTS.length).toBeGreaterThanOrEqual(5);
    expect(SMOKE_REPORTS.some((r) => r.positive.length === 0)).toBe(true);
  });
});
