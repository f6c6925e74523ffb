/**
 * What `doctor` checks on the CUDA host, one small function per piece: Python, torch with CUDA, torchtune with the
 * torchao and torchdata it needs, mlc_llm, the GPUs and their memory, the driver's CUDA against the wheels', the
 * Hugging Face login for gated downloads, emscripten and MLC's web runtime (for --compile) and free disk. Each
 * check says what it found and, when something is wrong, the exact command that fixes it.
 */
import { existsSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { join } from 'node:path';
import type { BaseModel } from './bases.ts';
import { webCompileProblems } from './mlc.ts';
import { INSTALL_HINTS, spawnTool, ToolError, type RunContext } from './tool.ts';

/** The emscripten MLC's docs pin for WebGPU libraries (mlc-llm docs/install/emcc.rst: newer ones fail to link at run time). */
export const EMSDK_VERSION = '3.1.56';

/**
 * Package sets the configs are written for. torchtune 0.6.1 pins torchdata==0.11.0 (its pyproject.toml) and needs
 * torchao importable (torchtune/__init__.py raises "torchao not installed" otherwise); main leaves torchdata unpinned.
 */
export const TESTED_SETS = [
  { torchtune: '0.6.1', torch: '2.6', torchao: '0.9', torchdata: '0.11.0', install: 'pip install torch==2.6.0 torchao==0.9.0 torchdata==0.11.0 torchtune==0.6.1 --extra-index-url https://download.pytorch.org/whl/cu126' },
  { torchtune: 'main', torch: '2.8', torchao: '0.13', torchdata: null, install: 'pip install torch torchao torchdata --index-url https://download.pytorch.org/whl/cu128 && pip install git+https://github.com/pytorch/torchtune.git' },
] as const;

/** The torch wheel index for a driver's CUDA version (a wheel needs a driver at least as new as its CUDA). */
export function torchWheelFor(driverCuda: string | undefined): string {
  const v = driverCuda ? Number(driverCuda) : NaN;
  const tag = v >= 12.8 ? 'cu128' : v >= 12.6 ? 'cu126' : v >= 12.4 ? 'cu124' : 'cu118';
  return `https://download.pytorch.org/whl/${tag}`;
}

/** MLC's nightly wheels are built for CUDA 12.8 and 13.0 (https://mlc.ai/wheels). */
export function mlcWheelFor(driverCuda: string | undefined): string {
  const tag = driverCuda && Number(driverCuda) >= 13 ? 'cu130' : 'cu128';
  return `pip install --pre -U -f https://mlc.ai/wheels mlc-llm-nightly-${tag} mlc-ai-nightly-${tag}`;
}

export type CheckStatus = 'ok' | 'missing' | 'low' | 'warn';

export interface Check {
  name: string;
  status: CheckStatus;
  found: string;
  fix?: string;
  /** A required check that is not ok makes doctor exit 1. */
  required: boolean;
}

/** Python that prints what doctor needs as one JSON line; versions come from package metadata (no slow imports). */
export const PYTHON_PROBE = `# radreportx-doctor
import json, sys
from importlib import metadata
out = {"python": sys.version.split()[0]}
def version(*names):
    for name in names:
        try:
            return metadata.version(name)
        except Exception:
            pass
    for dist in metadata.distributions():
        n = (dist.metadata["Name"] or "").lower().replace("_", "-")
        if any(n.startswith(x) for x in names):
            return dist.version
    return None
out["torchtune"] = version("torchtune")
out["torchao"] = version("torchao")
out["torchdata"] = version("torchdata")
out["mlc_llm"] = version("mlc-llm", "mlc-llm-nightly", "mlc-llm-cu")
out["mlc_dist"] = next((d.metadata["Name"] for d in metadata.distributions() if (d.metadata["Name"] or "").lower().replace("_", "-").startswith("mlc-llm")), None)
out["safetensors"] = version("safetensors")
try:
    import torch
    out["torch"] = torch.__version__
    out["cuda"] = bool(torch.cuda.is_available())
    out["cuda_version"] = torch.version.cuda
    out["bf16"] = bool(out["cuda"] and torch.cuda.is_bf16_supported())
    out["gpus"] = [{"name": torch.cuda.get_device_name(i), "memory_gb": round(torch.cuda.get_device_properties(i).total_memory / 2**30, 1)} for i in range(torch.cuda.device_count())] if out["cuda"] else []
except Exception as e:
    out["torch"] = None
    out["torch_error"] = str(e)[:200]
print(json.dumps(out))
`;

export interface PythonFacts {
  python?: string;
  torch?: string | null;
  torch_error?: string;
  cuda?: boolean;
  cuda_version?: string | null;
  bf16?: boolean;
  gpus?: { name: string; memory_gb: number }[];
  torchtune?: string | null;
  torchao?: string | null;
  torchdata?: string | null;
  mlc_llm?: string | null;
  /** The installed mlc_llm distribution's name, e.g. mlc-llm-nightly-cu128 (its CUDA is in the name). */
  mlc_dist?: string | null;
  safetensors?: string | null;
}

/** Runs a tool, resolving undefined when it is not on PATH. */
async function tryRun(ctx: RunContext, tool: string, args: string[]) {
  try {
    return await spawnTool(ctx, tool, args, { keep: 40 });
  } catch (e) {
    if (e instanceof ToolError) return undefined;
    throw e;
  }
}

const versionAtLeast = (v: string, min: [number, number]) => {
  const [a, b] = v.split('.').map((x) => parseInt(x, 10));
  return a > min[0] || (a === min[0] && b >= min[1]);
};

export async function checkPython(ctx: RunContext, python: string): Promise<{ checks: Check[]; facts?: PythonFacts }> {
  const ran = await tryRun(ctx, python, ['--version']);
  const version = ran && ran.exitCode === 0 ? /Python\s+(\d+\.\d+(?:\.\d+)?)/.exec(ran.lastLines.join(' '))?.[1] : undefined;
  if (!version) {
    return { checks: [{ name: 'python', status: 'missing', found: `"${python}" not found`, fix: INSTALL_HINTS.python3, required: true }] };
  }
  const checks: Check[] = [
    versionAtLeast(version, [3, 10])
      ? { name: 'python', status: 'ok', found: version, required: true }
      : { name: 'python', status: 'low', found: version, fix: 'torchtune and mlc_llm need Python 3.10 or newer.', required: true },
  ];
  const probe = await tryRun(ctx, python, ['-c', PYTHON_PROBE]);
  let facts: PythonFacts | undefined;
  try {
    facts = probe && probe.exitCode === 0 ? (JSON.parse(probe.stdout.trim().split('\n').pop() ?? '') as PythonFacts) : undefined;
  } catch {
    facts = undefined;
  }
  if (!facts) {
    checks.push({ name: 'python packages', status: 'missing', found: 'the probe script failed', fix: `Run: ${python} -c "import torch, torchtune" to see why.`, required: true });
    return { checks };
  }
  if (!facts.torch) {
    checks.push({ name: 'torch', status: 'missing', found: facts.torch_error ? `import failed: ${facts.torch_error}` : 'not installed', fix: `${TESTED_SETS[0].install} (or pick the cuXYZ that your driver supports; see the "CUDA" row)`, required: true });
  } else if (!facts.cuda) {
    checks.push({ name: 'torch', status: 'missing', found: `${facts.torch}, no CUDA device`, fix: 'Install a CUDA build of torch (pip install torch --index-url https://download.pytorch.org/whl/cu126) on a host with an NVIDIA GPU and driver.', required: true });
  } else {
    checks.push({ name: 'torch', status: facts.bf16 ? 'ok' : 'warn', found: `${facts.torch}, CUDA ${facts.cuda_version}${facts.bf16 ? ', bf16' : ', no bf16'}`, fix: facts.bf16 ? undefined : 'This GPU has no bf16; use an Ampere (A10/A100/RTX 30xx) or newer GPU, or --set dtype=fp32 (twice the memory).', required: true });
  }
  checks.push(
    facts.torchtune
      ? versionAtLeast(facts.torchtune, [0, 6])
        ? { name: 'torchtune', status: 'ok', found: facts.torchtune, required: true }
        : { name: 'torchtune', status: 'warn', found: facts.torchtune, fix: 'The configs are written for torchtune 0.6 or newer (resume finds recipe_state/ on its own): pip install -U torchtune', required: true }
      : { name: 'torchtune', status: 'missing', found: 'not installed', fix: TESTED_SETS[0].install, required: true },
  );
  checks.push(...checkTorchStack(facts));
  checks.push(
    facts.mlc_llm
      ? { name: 'mlc_llm', status: 'ok', found: facts.mlc_llm, required: true }
      : { name: 'mlc_llm', status: 'missing', found: 'not installed', fix: mlcWheelFor(undefined), required: true },
  );
  return { checks, facts };
}

/** torchao (torchtune will not import without it) and the torchdata that torchtune 0.6.1 pins. */
export function checkTorchStack(facts: PythonFacts): Check[] {
  const checks: Check[] = [];
  const aoFix = `pip install torchao${facts.torch ? ` (the release made for torch ${facts.torch.split('+')[0]}; for 0.6.1: torchao==${TESTED_SETS[0].torchao}.0)` : ''}`;
  checks.push(facts.torchao ? { name: 'torchao', status: 'ok', found: facts.torchao, required: true } : { name: 'torchao', status: 'missing', found: 'not installed (torchtune raises "torchao not installed" on import)', fix: aoFix, required: true });
  if (facts.torchtune?.startsWith('0.6.')) {
    const want = TESTED_SETS[0].torchdata;
    checks.push(
      facts.torchdata === want
        ? { name: 'torchdata', status: 'ok', found: facts.torchdata, required: true }
        : { name: 'torchdata', status: facts.torchdata ? 'warn' : 'missing', found: facts.torchdata ?? 'not installed', fix: `torchtune ${facts.torchtune} pins torchdata==${want}: pip install torchdata==${want}`, required: true },
    );
  } else if (facts.torchtune) {
    checks.push(facts.torchdata ? { name: 'torchdata', status: 'ok', found: facts.torchdata, required: true } : { name: 'torchdata', status: 'missing', found: 'not installed', fix: 'pip install torchdata', required: true });
  }
  const [tested] = TESTED_SETS.filter((t) => t.torchtune === facts.torchtune);
  if (facts.torchtune && facts.torch && tested && !facts.torch.startsWith(`${tested.torch}.`)) {
    checks.push({ name: 'package set', status: 'warn', found: `torch ${facts.torch} with torchtune ${facts.torchtune}`, fix: `The set the configs are written for: ${tested.install}`, required: false });
  }
  return checks;
}

/** The driver's CUDA version from nvidia-smi's banner ("CUDA Version: 12.4"), or undefined. */
export async function driverCudaVersion(ctx: RunContext): Promise<string | undefined> {
  const ran = await tryRun(ctx, 'nvidia-smi', []);
  if (!ran || ran.exitCode !== 0) return undefined;
  return /CUDA Version:\s*(\d+\.\d+)/.exec(ran.stdout)?.[1];
}

/**
 * A wheel built for a newer CUDA than the driver supports fails at the first kernel ("CUDA driver version is
 * insufficient"); compare the driver's CUDA with torch's and with the mlc_llm wheel's (cuXYZ in its name).
 */
export function checkCudaMatch(driverCuda: string | undefined, facts: PythonFacts | undefined): Check {
  if (!driverCuda) return { name: 'CUDA', status: 'missing', found: 'no driver CUDA version (nvidia-smi did not run)', fix: INSTALL_HINTS['nvidia-smi'], required: true };
  const driver = Number(driverCuda);
  const wheels: [string, string][] = [];
  if (facts?.torch && facts.cuda_version) wheels.push(['torch', facts.cuda_version]);
  const mlcTag = /cu(\d+)(\d)$/.exec(facts?.mlc_dist ?? '');
  if (mlcTag) wheels.push([facts!.mlc_dist!, `${mlcTag[1]}.${mlcTag[2]}`]);
  const tooNew = wheels.filter(([, v]) => Number(v) > driver);
  const found = `driver CUDA ${driverCuda}${wheels.map(([w, v]) => `, ${w} CUDA ${v}`).join('')}`;
  if (!tooNew.length) return { name: 'CUDA', status: 'ok', found, required: true };
  const fixes = tooNew.map(([w]) => (w === 'torch' ? `pip install --force-reinstall torch --index-url ${torchWheelFor(driverCuda)}` : mlcWheelFor(driverCuda)));
  return { name: 'CUDA', status: 'low', found, fix: `${tooNew.map(([w, v]) => `${w} needs CUDA ${v}`).join(' and ')}, newer than the driver's ${driverCuda}: update the NVIDIA driver, or ${fixes.join(' ; ')}`, required: true };
}

/** emscripten for --compile, at the version MLC's docs pin. */
export async function checkEmscripten(ctx: RunContext): Promise<Check> {
  const fix = `git clone https://github.com/emscripten-core/emsdk.git && cd emsdk && ./emsdk install ${EMSDK_VERSION} && ./emsdk activate ${EMSDK_VERSION} && source ./emsdk_env.sh`;
  const ran = await tryRun(ctx, 'emcc', ['--version']);
  if (!ran || ran.exitCode !== 0) return { name: 'emcc', status: 'missing', found: ran ? 'emcc --version failed' : 'not on PATH', fix, required: true };
  const version = /\)\s+(\d+\.\d+\.\d+)/.exec(ran.lastLines.join(' '))?.[1];
  if (version === EMSDK_VERSION) return { name: 'emcc', status: 'ok', found: `emscripten ${version}`, required: true };
  return { name: 'emcc', status: 'warn', found: `emscripten ${version ?? '(unknown version)'}`, fix: `MLC's docs pin ${EMSDK_VERSION} (newer ones build libraries that fail to load with a LinkError): ./emsdk install ${EMSDK_VERSION} && ./emsdk activate ${EMSDK_VERSION}`, required: true };
}

/** MLC_LLM_SOURCE_DIR / TVM_SOURCE_DIR and their prebuilt web/dist/wasm/*.bc, for --compile. */
export function checkWebRuntime(ctx: RunContext): Check {
  const problems = webCompileProblems(ctx.env, ctx.cwd);
  if (!problems.length) return { name: 'web runtime', status: 'ok', found: `${ctx.env.MLC_LLM_SOURCE_DIR ?? '.'}, ${ctx.env.TVM_SOURCE_DIR}`, required: true };
  return {
    name: 'web runtime',
    status: 'missing',
    found: problems.join('; '),
    fix: 'git clone --recursive https://github.com/mlc-ai/mlc-llm.git && cd mlc-llm && export MLC_LLM_SOURCE_DIR=$PWD TVM_SOURCE_DIR=$PWD/3rdparty/tvm && ./web/prep_emcc_deps.sh',
    required: true,
  };
}

/** A Hugging Face token, which the gated meta-llama downloads need (HF_TOKEN, or the file `huggingface-cli login` writes). */
export function checkHfLogin(env: NodeJS.ProcessEnv): Check {
  const home = env.HF_HOME ?? join(env.HOME ?? '', '.cache', 'huggingface');
  const tokenFile = env.HF_TOKEN_PATH ?? join(home, 'token');
  const found = env.HF_TOKEN ? 'HF_TOKEN is set' : env.HUGGING_FACE_HUB_TOKEN ? 'HUGGING_FACE_HUB_TOKEN is set' : existsSync(tokenFile) ? `token in ${tokenFile}` : undefined;
  if (found) return { name: 'HF login', status: 'ok', found: `${found} (access to meta-llama repos is granted per account)`, required: false };
  return { name: 'HF login', status: 'warn', found: 'no Hugging Face token', fix: 'huggingface-cli login (a token with read access), after accepting the licence at https://huggingface.co/meta-llama/Llama-3.1-8B-Instruct; needed for tune download', required: false };
}

export async function checkCommand(ctx: RunContext, tool: string, probe: string[], name = tool, required = true): Promise<Check> {
  const ran = await tryRun(ctx, tool, probe);
  if (!ran) return { name, status: 'missing', found: 'not on PATH', fix: INSTALL_HINTS[tool], required };
  if (ran.exitCode !== 0) return { name, status: 'missing', found: `"${tool} ${probe.join(' ')}" failed: ${ran.lastLines.filter(Boolean).pop() ?? ''}`.trim(), fix: INSTALL_HINTS[tool], required };
  const first = ran.lastLines.find((l) => l.trim()) ?? '';
  return { name, status: 'ok', found: first.length > 70 ? `${first.slice(0, 67)}...` : first, required };
}

export async function checkGpus(ctx: RunContext, base: BaseModel): Promise<Check> {
  const ran = await tryRun(ctx, 'nvidia-smi', ['--query-gpu=name,memory.total,memory.free,driver_version', '--format=csv,noheader,nounits']);
  if (!ran) return { name: 'GPU', status: 'missing', found: 'nvidia-smi not on PATH', fix: INSTALL_HINTS['nvidia-smi'], required: true };
  if (ran.exitCode !== 0) return { name: 'GPU', status: 'missing', found: ran.lastLines.filter(Boolean)[0] ?? `nvidia-smi exited with ${ran.exitCode}`, fix: INSTALL_HINTS['nvidia-smi'], required: true };
  const gpus = ran.stdout
    .split('\n')
    .map((l) => l.split(',').map((s) => s.trim()))
    .filter((f) => f.length >= 3 && f[0])
    .map(([name, total, free]) => ({ name, totalGB: Number(total) / 1024, freeGB: Number(free) / 1024 }));
  if (!gpus.length) return { name: 'GPU', status: 'missing', found: 'no GPU listed', fix: INSTALL_HINTS['nvidia-smi'], required: true };
  const best = Math.max(...gpus.map((g) => g.totalGB));
  const found = gpus.map((g) => `${g.name} ${g.totalGB.toFixed(0)} GB (${g.freeGB.toFixed(0)} free)`).join('; ');
  if (best < base.trainGpuGB) {
    return { name: 'GPU', status: 'low', found, fix: `${base.id} LoRA in bf16 needs about ${base.trainGpuGB} GB on one GPU; use --base llama3.2-3b (12 GB) or llama3.2-1b (8 GB), or a larger GPU.`, required: true };
  }
  return { name: 'GPU', status: 'ok', found: `${gpus.length} x ${found}`, required: true };
}

export async function checkDisk(dir: string, neededGB: number): Promise<Check> {
  const s = await statfs(dir);
  const freeGB = (Number(s.bavail) * Number(s.bsize)) / 1e9;
  const found = `${freeGB.toFixed(0)} GB free in ${dir}`;
  return freeGB >= neededGB
    ? { name: 'disk', status: 'ok', found, required: true }
    : { name: 'disk', status: 'low', found, fix: `Needs about ${neededGB} GB (base download, merged weights per epoch, MLC build); free space or run from another disk.`, required: true };
}

/** Disk a full run needs: the download, one merged copy per epoch kept (one epoch by default), the MLC build, headroom. */
export function diskNeededGB(base: BaseModel): number {
  return Math.ceil(base.downloadGB * 2 + base.downloadGB * 0.3 + 5);
}

export function formatChecks(checks: Check[]): string {
  const w = Math.max(5, ...checks.map((c) => c.name.length));
  const lines = [`${'check'.padEnd(w)}  status   found`];
  for (const c of checks) {
    lines.push(`${c.name.padEnd(w)}  ${c.status.padEnd(7)}  ${c.found}`);
    if (c.fix && c.status !== 'ok') lines.push(`${''.padEnd(w)}  ${''.padEnd(7)}  fix: ${c.fix}`);
  }
  return lines.join('\n');
}
