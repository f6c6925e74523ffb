/** `radreportx doctor`: is this host ready to fine-tune and build RadReportX? Prints a table, exits 1 when not. */
import { resolve } from 'node:path';
import { UsageError } from '../../src/lib/errors.ts';
import { oneOf, parseCommandArgs } from '../lib/args.ts';
import type { Command } from '../lib/command.ts';
import { BASE_IDS, BASES, type BaseId } from '../pipeline/bases.ts';
import { checkCommand, checkCudaMatch, checkDisk, checkEmscripten, checkGpus, checkHfLogin, checkPython, checkWebRuntime, diskNeededGB, driverCudaVersion, EMSDK_VERSION, formatChecks, type Check } from '../pipeline/doctor-checks.ts';
import { checkGgufTools } from '../pipeline/gguf-doctor.ts';
import { processContext, type RunContext } from '../pipeline/tool.ts';

const OPTIONS = {
  compile: { type: 'boolean' },
  base: { type: 'string' },
  python: { type: 'string' },
  dir: { type: 'string' },
  'min-free-gb': { type: 'string' },
  json: { type: 'boolean' },
  gguf: { type: 'boolean' },
  'llama-cpp': { type: 'string' },
} as const;

const help = `Usage: radreportx doctor [--compile] [options]

Checks this host for what "finetune" and "build-model" need, and says how to fix what is missing:
  python        Python 3.10+ (${'`python3 --version`'})
  torch         torch built with CUDA, a visible GPU, bf16 support (a python -c probe printing JSON)
  torchtune     the torchtune package (0.6.1 or main) and the "tune" command
  torchao       needed by torchtune at import; torchdata (0.6.1 pins 0.11.0); the tested package set
  mlc_llm       the mlc_llm package (nightlies are built for CUDA 12.8 and 13.0) and command
  GPU           nvidia-smi: GPUs and memory (about 24 GB for llama3.1-8b LoRA in bf16, 12 GB for 3b, 8 GB for 1b)
  CUDA          the driver's CUDA version against the torch and mlc_llm wheels' (a newer wheel fails)
  HF login      a Hugging Face token for the gated meta-llama downloads (a warning: not needed offline)
  emcc          with --compile: emscripten ${EMSDK_VERSION} (MLC's pinned version)
  web runtime   with --compile: MLC_LLM_SOURCE_DIR and TVM_SOURCE_DIR with their web/dist/wasm/*.bc
  disk          free space where the runs go (about ${diskNeededGB(BASES['llama3.1-8b'])} GB for llama3.1-8b)
Every row that is not ok comes with the exact command that fixes it.

Options:
      --compile             also check emscripten and MLC's web runtime
      --gguf                also check build-model --format gguf's tools: llama.cpp's convert_hf_to_gguf.py (starts
                            with this Python), llama-quantize, and node-llama-cpp's CUDA binary (not required)
      --llama-cpp DIR       the llama.cpp checkout for --gguf (default $LLAMA_CPP_DIR)
      --base MODEL          ${BASE_IDS.join(' | ')} (default llama3.1-8b): sizes the GPU and disk checks
      --python EXE          the Python to check (default python3)
      --dir DIR             where runs will be written, for the disk check (default: the current folder)
      --min-free-gb N       disk needed (default: from --base)
      --json                print the checks as JSON

Exit codes: 0 ready, 1 something required is missing or too small, 2 bad usage.
`;

export async function runDoctor(argv: string[], ctx: RunContext): Promise<number> {
  const { values: v } = parseCommandArgs(argv, OPTIONS);
  const base = BASES[oneOf(v.base, 'base', BASE_IDS, 'llama3.1-8b' as BaseId)];
  const minFree = v['min-free-gb'] === undefined ? diskNeededGB(base) : Number(v['min-free-gb']);
  if (!Number.isFinite(minFree) || minFree < 0) throw new UsageError(`--min-free-gb must be a number of GB (got "${v['min-free-gb']}").`);
  ctx.err('Checking this host ...\n');
  // Independent probes run side by side (each starts a Python or a CLI, which takes a moment); the table keeps this order.
  const [python, driverCuda, ...rest] = await Promise.all([
    checkPython(ctx, v.python ?? 'python3'),
    driverCudaVersion(ctx),
    checkCommand(ctx, 'tune', ['--help'], 'tune command'),
    checkCommand(ctx, 'mlc_llm', ['--help'], 'mlc_llm command'),
    checkGpus(ctx, base),
    ...(v.compile ? [checkEmscripten(ctx)] : []),
    checkDisk(resolve(ctx.cwd, v.dir ?? '.'), minFree),
  ]);
  const checks: Check[] = [
    ...python.checks,
    ...(rest as Check[]).slice(0, 3),
    checkCudaMatch(driverCuda as string | undefined, python.facts),
    checkHfLogin(ctx.env),
    ...(rest as Check[]).slice(3),
    ...(v.compile ? [checkWebRuntime(ctx)] : []),
    ...(v.gguf ? await checkGgufTools(ctx, { python: v.python ?? 'python3', llamaCpp: v['llama-cpp'] }) : []),
  ];
  const failed = checks.filter((c) => c.required && c.status !== 'ok' && c.status !== 'warn');
  ctx.out(v.json ? `${JSON.stringify({ ready: failed.length === 0, checks }, null, 2)}\n` : `${formatChecks(checks)}\n`);
  ctx.err(failed.length ? `Not ready: ${failed.map((c) => c.name).join(', ')}.\n` : `Ready to fine-tune ${base.id}${v.compile ? ' and compile model libraries' : ''}.\n`);
  return failed.length ? 1 : 0;
}

export const doctor: Command = {
  name: 'doctor',
  summary: 'check the CUDA host: Python, torch+CUDA, GPU memory, torchtune, mlc_llm, emscripten, disk (--gguf: llama.cpp)',
  help,
  run: (argv) => runDoctor(argv, processContext()),
};
