/**
 * What `doctor` checks on the CUDA host, one small function per piece: Python, torch with CUDA, the GPUs and
 * their memory, torchtune, mlc_llm, emscripten (for --compile) and free disk. Each check says what it found and,
 * when something is wrong, how to fix it.
 */
import { statfs } from 'node:fs/promises';
import type { BaseModel } from './bases.ts';
import { INSTALL_HINTS, spawnTool, ToolError, type RunContext } from './tool.ts';

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
out["mlc_llm"] = version("mlc-llm", "mlc-llm-nightly", "mlc-llm-cu")
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
  mlc_llm?: string | null;
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
    checks.push({ name: 'torch', status: 'missing', found: facts.torch_error ? `import failed: ${facts.torch_error}` : 'not installed', fix: 'pip install torch --index-url https://download.pytorch.org/whl/cu124', required: true });
  } else if (!facts.cuda) {
    checks.push({ name: 'torch', status: 'missing', found: `${facts.torch}, no CUDA device`, fix: 'Install a CUDA build of torch (pip install torch --index-url https://download.pytorch.org/whl/cu124) on a host with an NVIDIA GPU and driver.', required: true });
  } else {
    checks.push({ name: 'torch', status: facts.bf16 ? 'ok' : 'warn', found: `${facts.torch}, CUDA ${facts.cuda_version}${facts.bf16 ? ', bf16' : ', no bf16'}`, fix: facts.bf16 ? undefined : 'This GPU has no bf16; use an Ampere (A10/A100/RTX 30xx) or newer GPU, or --set dtype=fp32 (twice the memory).', required: true });
  }
  checks.push(
    facts.torchtune
      ? versionAtLeast(facts.torchtune, [0, 6])
        ? { name: 'torchtune', status: 'ok', found: facts.torchtune, required: true }
        : { name: 'torchtune', status: 'warn', found: facts.torchtune, fix: 'The configs are written for torchtune 0.6 or newer (resume finds recipe_state/ on its own): pip install -U torchtune', required: true }
      : { name: 'torchtune', status: 'missing', found: 'not installed', fix: 'pip install torchtune torchao', required: true },
  );
  checks.push(
    facts.mlc_llm
      ? { name: 'mlc_llm', status: 'ok', found: facts.mlc_llm, required: true }
      : { name: 'mlc_llm', status: 'missing', found: 'not installed', fix: INSTALL_HINTS.mlc_llm, required: true },
  );
  return { checks, facts };
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
