import { describe, expect, it } from 'vitest';
import { doctor as doctorCommand, runDoctor } from '../training/commands/doctor.ts';
import { runCli } from '../training/lib/runner.ts';
import { PYTHON_PROBE } from '../training/pipeline/doctor-checks.ts';
import { makeBench } from './stand-ins/harness.ts';

/** The rows of doctor's table as {check: status}. */
function statuses(table: string): Record<string, string> {
  const rows: Record<string, string> = {};
  for (const line of table.split('\n').slice(1)) {
    const m = /^(\S.*?)\s{2,}(ok|missing|low|warn)\s{2,}/.exec(line);
    if (m) rows[m[1]] = m[2];
  }
  return rows;
}

describe('doctor (stand-in tools)', () => {
  it('reports a ready host and exits 0', async () => {
    const b = await makeBench();
    const c = b.context();
    expect(await runDoctor(['--compile', '--min-free-gb', '0'], c)).toBe(0);
    expect(statuses(c.output.out)).toEqual({
      python: 'ok',
      torch: 'ok',
      torchtune: 'ok',
      mlc_llm: 'ok',
      'tune command': 'ok',
      'mlc_llm command': 'ok',
      GPU: 'ok',
      emcc: 'ok',
      disk: 'ok',
    });
    expect(c.output.out).toMatch(/torch\s+ok\s+2\.5\.1\+cu124, CUDA 12\.4, bf16/);
    expect(c.output.out).toMatch(/GPU\s+ok\s+1 x NVIDIA A100-SXM4-80GB 80 GB/);
    expect(c.output.err).toMatch(/Ready to fine-tune llama3.1-8b and compile model libraries/);
    // The probe doctor runs is real Python, recognised by the stand-in through its marker.
    const probe = (await b.calls('python3')).find((x) => x.args[0] === '-c')!;
    expect(probe.args[1]).toBe(PYTHON_PROBE);
  });

  it('lists what is missing with how to fix it, and exits 1', async () => {
    const b = await makeBench(['python3']);
    const c = b.context({ STANDIN_TORCHTUNE: 'none', STANDIN_MLC: 'none', STANDIN_NO_GPU: '1' });
    expect(await runDoctor(['--compile', '--min-free-gb', '0'], c)).toBe(1);
    expect(statuses(c.output.out)).toEqual({
      python: 'ok',
      torch: 'missing',
      torchtune: 'missing',
      mlc_llm: 'missing',
      'tune command': 'missing',
      'mlc_llm command': 'missing',
      GPU: 'missing',
      emcc: 'missing',
      disk: 'ok',
    });
    expect(c.output.out).toMatch(/torch\s+missing\s+2\.5\.1\+cu124, no CUDA device\n\s+fix: Install a CUDA build of torch/);
    expect(c.output.out).toMatch(/torchtune\s+missing\s+not installed\n\s+fix: pip install torchtune/);
    expect(c.output.out).toMatch(/GPU\s+missing\s+nvidia-smi not on PATH\n\s+fix: Install the NVIDIA driver/);
    expect(c.output.out).toMatch(/emcc\s+missing\s+not on PATH\n\s+fix: Install emscripten/);
    expect(c.output.err).toMatch(/Not ready: torch, torchtune, mlc_llm, tune command, mlc_llm command, GPU, emcc\./);
  });

  it('sizes the GPU and disk checks by the base model', async () => {
    const b = await makeBench();
    const small = { STANDIN_GPUS: 'NVIDIA GeForce RTX 3060, 12288, 11800, 550.54.15' };
    const c8 = b.context(small);
    expect(await runDoctor(['--min-free-gb', '0'], c8)).toBe(1);
    expect(c8.output.out).toMatch(/GPU\s+low\s+NVIDIA GeForce RTX 3060 12 GB \(12 free\)\n\s+fix: llama3.1-8b LoRA in bf16 needs about 24 GB/);
    const c1 = b.context(small);
    expect(await runDoctor(['--base', 'llama3.2-1b', '--min-free-gb', '0'], c1)).toBe(0);
    const disk = b.context();
    expect(await runDoctor(['--min-free-gb', '1000000000'], disk)).toBe(1);
    expect(statuses(disk.output.out).disk).toBe('low');
    const old = b.context({ STANDIN_PYTHON_VERSION: '3.8.10' });
    expect(await runDoctor(['--min-free-gb', '0'], old)).toBe(1);
    expect(old.output.out).toMatch(/python\s+low\s+3\.8\.10\n\s+fix: torchtune and mlc_llm need Python 3\.10 or newer/);
  });

  it('prints JSON with --json and exits 2 on bad usage', async () => {
    const b = await makeBench();
    const c = b.context();
    await runDoctor(['--json', '--min-free-gb', '0'], c);
    expect(JSON.parse(c.output.out)).toMatchObject({ ready: true, checks: expect.arrayContaining([expect.objectContaining({ name: 'GPU', status: 'ok' })]) });
    const io = { out: '', err: '' };
    const cli = (argv: string[]) => runCli(['doctor', ...argv], [doctorCommand], { stdout: (x) => void (io.out += x), stderr: (x) => void (io.err += x) });
    expect(await cli(['--base', 'llama2'])).toBe(2);
    expect(await cli(['--min-free-gb', 'lots'])).toBe(2);
    expect(await cli(['--gpu'])).toBe(2);
    expect(await cli(['--help'])).toBe(0);
    expect(io.out).toMatch(/Exit codes: 0 ready/);
  });
});
