import { describe, expect, it } from 'vitest';
import { doctor as doctorCommand, runDoctor } from '../training/commands/doctor.ts';
import { runCli } from '../training/lib/runner.ts';
import { PYTHON_PROBE } from '../training/pipeline/doctor-checks.ts';
import { makeBench } from './stand-ins/harness.ts';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

async function webRuntime(root: string): Promise<NodeJS.ProcessEnv> {
  const mlc = join(root, 'mlc-llm');
  const tvm = join(mlc, '3rdparty', 'tvm');
  await mkdir(join(tvm, 'web', 'dist', 'wasm'), { recursive: true });
  await mkdir(join(mlc, 'web', 'dist', 'wasm'), { recursive: true });
  await writeFile(join(mlc, 'web', 'dist', 'wasm', 'mlc_wasm_runtime.bc'), 'bc');
  for (const f of ['wasm_runtime.bc', 'tvmjs_support.bc', 'webgpu_runtime.bc']) await writeFile(join(tvm, 'web', 'dist', 'wasm', f), 'bc');
  return { MLC_LLM_SOURCE_DIR: mlc, TVM_SOURCE_DIR: tvm };
}

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
  it('finds a missing torchao, a torchdata 0.6.1 does not pin, and wheels built for a newer CUDA than the driver', async () => {
    const b = await makeBench();
    const c = b.context({ STANDIN_TORCHAO: 'none', STANDIN_TORCHDATA: '0.10.1', STANDIN_DRIVER_CUDA: '12.4', STANDIN_TORCH: '2.6.0+cu126', HF_TOKEN: 'x' });
    expect(await runDoctor(['--min-free-gb', '0'], c)).toBe(1);
    expect(c.output.out).toMatch(/torchao\s+missing\s+not installed \(torchtune raises "torchao not installed" on import\)\n\s+fix: pip install torchao/);
    expect(c.output.out).toMatch(/torchdata\s+warn\s+0\.10\.1\n\s+fix: torchtune 0\.6\.1 pins torchdata==0\.11\.0: pip install torchdata==0\.11\.0/);
    expect(c.output.out).toMatch(/CUDA\s+low\s+driver CUDA 12\.4, torch CUDA 12\.6, mlc-llm-nightly-cu128 CUDA 12\.8\n\s+fix: torch needs CUDA 12\.6 and mlc-llm-nightly-cu128 needs CUDA 12\.8, newer than the driver's 12\.4: update the NVIDIA driver, or pip install --force-reinstall torch --index-url https:\/\/download\.pytorch\.org\/whl\/cu124 ; pip install --pre -U -f https:\/\/mlc\.ai\/wheels mlc-llm-nightly-cu128/);
    const ok = b.context({ STANDIN_DRIVER_CUDA: '13.0', STANDIN_MLC_DIST: 'mlc-llm-nightly-cu130', HF_TOKEN: 'x' });
    expect(await runDoctor(['--min-free-gb', '0'], ok)).toBe(0);
    expect(ok.output.out).toMatch(/CUDA\s+ok\s+driver CUDA 13\.0/);
  });

  it('reports a ready host and exits 0', async () => {
    const b = await makeBench();
    const c = b.context({ ...(await webRuntime(b.root)), HF_TOKEN: 'hf_x' });
    expect(await runDoctor(['--compile', '--min-free-gb', '0'], c)).toBe(0);
    expect(statuses(c.output.out)).toEqual({
      python: 'ok',
      torch: 'ok',
      torchtune: 'ok',
      torchao: 'ok',
      torchdata: 'ok',
      mlc_llm: 'ok',
      'tune command': 'ok',
      'mlc_llm command': 'ok',
      GPU: 'ok',
      CUDA: 'ok',
      'HF login': 'ok',
      emcc: 'ok',
      'web runtime': 'ok',
      disk: 'ok',
    });
    expect(c.output.out).toMatch(/torch\s+ok\s+2\.6\.0\+cu126, CUDA 12\.6, bf16/);
    expect(c.output.out).toMatch(/CUDA\s+ok\s+driver CUDA 12\.8, torch CUDA 12\.6, mlc-llm-nightly-cu128 CUDA 12\.8/);
    expect(c.output.out).toMatch(/emcc\s+ok\s+emscripten 3\.1\.56/);
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
      torchao: 'ok',
      mlc_llm: 'missing',
      'tune command': 'missing',
      'mlc_llm command': 'missing',
      GPU: 'missing',
      CUDA: 'missing',
      'HF login': 'warn',
      emcc: 'missing',
      'web runtime': 'missing',
      disk: 'ok',
    });
    expect(c.output.out).toMatch(/HF login\s+warn\s+no Hugging Face token\n\s+fix: huggingface-cli login/);
    expect(c.output.out).toMatch(/web runtime\s+missing\s+MLC_LLM_SOURCE_DIR is not set[^\n]*TVM_SOURCE_DIR is not set[^\n]*\n\s+fix: git clone --recursive https:\/\/github.com\/mlc-ai\/mlc-llm.git && cd mlc-llm && export MLC_LLM_SOURCE_DIR=\$PWD TVM_SOURCE_DIR=\$PWD\/3rdparty\/tvm && .\/web\/prep_emcc_deps.sh/);
    expect(c.output.out).toMatch(/emcc\s+missing\s+not on PATH\n\s+fix: git clone https:\/\/github.com\/emscripten-core\/emsdk.git && cd emsdk && .\/emsdk install 3\.1\.56/);
    expect(c.output.out).toMatch(/torch\s+missing\s+2\.6\.0\+cu126, no CUDA device\n\s+fix: Install a CUDA build of torch/);
    expect(c.output.out).toMatch(/torchtune\s+missing\s+not installed\n\s+fix: pip install torch==2\.6\.0 torchao==0\.9\.0 torchdata==0\.11\.0 torchtune==0\.6\.1/);
    expect(c.output.out).toMatch(/GPU\s+missing\s+nvidia-smi not on PATH\n\s+fix: Install the NVIDIA driver/);
    expect(c.output.err).toMatch(/Not ready: torch, torchtune, mlc_llm, tune command, mlc_llm command, GPU, CUDA, emcc, web runtime\./);
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
