/**
 * What `doctor --gguf` checks for `build-model --format gguf` and `label --engine llama-cpp --gpu cuda`: llama.cpp's
 * converter starts with this Python (its --help imports torch, numpy, gguf and transformers first, so it fails when
 * one is missing), llama-quantize is there, and node-llama-cpp has a CUDA binary for this machine.
 */
import { join, resolve } from 'node:path';
import type { Check } from './doctor-checks.ts';
import { exists } from './files.ts';
import { spawnTool, ToolError, type RunContext } from './tool.ts';

const CLONE = 'git clone https://github.com/ggml-org/llama.cpp && pip install -r llama.cpp/requirements/requirements-convert_hf_to_gguf.txt';

async function started(ctx: RunContext, tool: string, args: string[]) {
  try {
    return await spawnTool(ctx, tool, args, { keep: 40 });
  } catch (e) {
    if (e instanceof ToolError) return undefined;
    throw e;
  }
}

export async function checkGgufTools(ctx: RunContext, options: { python: string; llamaCpp?: string; quantizer?: string }): Promise<Check[]> {
  const checks: Check[] = [];
  const dir = options.llamaCpp ?? ctx.env.LLAMA_CPP_DIR;
  const script = dir ? join(resolve(ctx.cwd, dir), 'convert_hf_to_gguf.py') : undefined;
  if (!script || !(await exists(script))) {
    checks.push({ name: 'convert_hf_to_gguf', status: 'missing', found: dir ? `${script} not found` : 'no --llama-cpp DIR and no LLAMA_CPP_DIR', fix: CLONE, required: true });
  } else {
    const ran = await started(ctx, options.python, [script, '--help']);
    checks.push(
      ran?.exitCode === 0
        ? { name: 'convert_hf_to_gguf', status: 'ok', found: script, required: true }
        : { name: 'convert_hf_to_gguf', status: 'missing', found: `does not start with ${options.python}: ${ran?.lastLines.filter(Boolean).pop() ?? 'not found'}`, fix: `pip install -r ${join(dir!, 'requirements', 'requirements-convert_hf_to_gguf.txt')}`, required: true },
    );
  }
  // llama-quantize --help prints its usage and exits 1; that it starts is what counts.
  const quantizer = options.quantizer ?? 'llama-quantize';
  const q = await started(ctx, quantizer, ['--help']);
  checks.push(
    q && q.lastLines.some((l) => /usage: .*llama-quantize|quantize/i.test(l))
      ? { name: 'llama-quantize', status: 'ok', found: quantizer, required: true }
      : { name: 'llama-quantize', status: 'missing', found: `"${quantizer}" not on PATH`, fix: 'In the llama.cpp checkout: cmake -B build && cmake --build build --target llama-quantize, then put build/bin on PATH.', required: true },
  );
  checks.push(await checkNodeLlamaCuda());
  return checks;
}

/** node-llama-cpp's prebuilt CUDA binary loads here (for label --engine llama-cpp --gpu cuda). Not required: CPU works. */
async function checkNodeLlamaCuda(): Promise<Check> {
  try {
    const { getLlama } = await import('node-llama-cpp');
    const llama = await getLlama({ gpu: 'cuda', build: 'never', progressLogs: false });
    const names = await llama.getGpuDeviceNames().catch(() => [] as string[]);
    await llama.dispose();
    return { name: 'node-llama-cpp CUDA', status: 'ok', found: names.join(', ') || 'CUDA binary loaded', required: false };
  } catch (e) {
    return { name: 'node-llama-cpp CUDA', status: 'warn', found: `no CUDA: ${(e as Error).message.split('\n')[0].slice(0, 80)}`, fix: 'label --engine llama-cpp runs on the CPU (--gpu cpu); for CUDA install the NVIDIA driver and CUDA 12 runtime.', required: false };
  }
}
