/**
 * Running the Python tools of the pipeline (`tune`, `mlc_llm`, `python`, `nvidia-smi`, `emcc`) as child processes:
 * their output is split into lines (tqdm redraws with `\r`, so both `\r` and `\n` end a line), handed to the caller
 * as it arrives, copied to a log file, and the last lines are kept so a failure can show what the tool said.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { ToolError } from '../../src/lib/errors.ts';

// Callers have imported it from here; the class lives with every other error.
export { ToolError };

/** Where a command runs and reports: the CLI passes the process's; tests pass their own PATH and capture output. */
export interface RunContext {
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Progress and messages for the person (stderr). */
  err: (text: string) => void;
  /** Data (stdout). */
  out: (text: string) => void;
  /** True when stderr is a terminal (progress redrawn in place). */
  tty?: boolean;
}

export function processContext(): RunContext {
  return {
    env: process.env,
    cwd: process.cwd(),
    err: (s) => process.stderr.write(s),
    out: (s) => process.stdout.write(s),
    tty: Boolean(process.stderr.isTTY),
  };
}

/** How to install each tool, for "not found" messages and `doctor`. */
export const INSTALL_HINTS: Record<string, string> = {
  tune: 'Install torchtune in the Python environment on PATH: pip install torch torchtune torchao (see https://pytorch.org/torchtune).',
  mlc_llm: 'Install MLC LLM: pip install --pre -U -f https://mlc.ai/wheels mlc-llm-nightly-cu128 mlc-ai-nightly-cu128 (cu130 for a CUDA 13 driver; see https://llm.mlc.ai/docs/install/mlc_llm.html).',
  python: 'Install Python 3.10 or newer and put it on PATH (or name it with --python).',
  python3: 'Install Python 3.10 or newer and put it on PATH (or name it with --python).',
  'nvidia-smi': 'Install the NVIDIA driver (nvidia-smi comes with it); this host needs a CUDA GPU.',
  emcc: 'Install emscripten (https://emscripten.org/docs/getting_started/downloads.html) and run "source emsdk_env.sh"; needed only for --compile.',
};

export function toolMissing(tool: string): ToolError {
  return new ToolError(tool, `The "${tool}" command was not found on PATH.`, `${INSTALL_HINTS[tool] ?? `Install ${tool}.`} Run "radreportx doctor" to check this host.`, null, []);
}

export interface ToolRun {
  /** Called with every complete line of stdout and stderr (without the line ending). */
  onLine?: (line: string) => void;
  /** Every byte the tool prints is appended here too. */
  logFile?: string;
  /** Lines kept for the failure message. */
  keep?: number;
  /** What the step is, for messages: "fine-tuning", "weight conversion". */
  what?: string;
}

export interface ToolResult {
  exitCode: number;
  lastLines: string[];
  /** All of stdout, for tools whose answer is their output (nvidia-smi, python -c). Capped at 1 MB. */
  stdout: string;
}

/** Splits a byte stream into lines on `\n`, `\r\n` or a lone `\r`, keeping the unfinished tail for later. */
export class LineSplitter {
  #tail = '';
  constructor(private readonly onLine: (line: string) => void) {}
  push(chunk: string): void {
    let text = this.#tail + chunk;
    // A chunk ending in \r may be half of a \r\n; keep it until the next chunk says.
    const held = text.endsWith('\r') ? '\r' : '';
    if (held) text = text.slice(0, -1);
    const parts = text.split(/\r\n|\r|\n/);
    this.#tail = (parts.pop() ?? '') + held;
    for (const p of parts) this.onLine(p);
  }
  end(): void {
    const last = this.#tail.replace(/\r$/, '');
    if (last) this.onLine(last);
    this.#tail = '';
  }
}

/**
 * Runs `tool args...` and resolves when it exits 0. A tool that is not on PATH, or that exits non-zero, rejects
 * with a ToolError whose message carries the tool's last log lines.
 */
export async function runTool(ctx: RunContext, tool: string, args: string[], run: ToolRun = {}): Promise<ToolResult> {
  const result = await spawnTool(ctx, tool, args, run);
  if (result.exitCode !== 0) {
    const shown = result.lastLines.filter((l) => l.trim() !== '');
    throw new ToolError(
      tool,
      `${run.what ? `The ${run.what} step failed: ` : ''}"${tool} ${args[0] ?? ''}" exited with code ${result.exitCode}.` +
        (shown.length ? `\nLast lines of its log:\n${shown.map((l) => `  | ${l}`).join('\n')}` : ''),
      run.logFile ? `The full log is in ${run.logFile}.` : undefined,
      result.exitCode,
      shown,
    );
  }
  return result;
}

/** Like runTool but resolves with the exit code instead of throwing on failure (missing tool still throws). */
export function spawnTool(ctx: RunContext, tool: string, args: string[], run: ToolRun = {}): Promise<ToolResult> {
  const keep = run.keep ?? 20;
  const lastLines: string[] = [];
  let stdout = '';
  let log: WriteStream | undefined;
  if (run.logFile) log = createWriteStream(run.logFile, { flags: 'a' });
  const handle = (line: string) => {
    lastLines.push(line);
    if (lastLines.length > keep) lastLines.shift();
    run.onLine?.(line);
  };
  const outLines = new LineSplitter(handle);
  const errLines = new LineSplitter(handle);
  return new Promise<ToolResult>((resolve, reject) => {
    let child;
    try {
      child = spawn(tool, args, { cwd: ctx.cwd, env: ctx.env, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      reject(e);
      return;
    }
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      if (stdout.length < 1_000_000) stdout += chunk;
      log?.write(chunk);
      outLines.push(chunk);
    });
    child.stderr.on('data', (chunk: string) => {
      log?.write(chunk);
      errLines.push(chunk);
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      log?.end();
      reject(e.code === 'ENOENT' ? toolMissing(tool) : e);
    });
    child.on('close', (code, signal) => {
      outLines.end();
      errLines.end();
      const finish = () => resolve({ exitCode: code ?? (signal ? 128 : 1), lastLines, stdout });
      if (log) log.end(finish);
      else finish();
    });
  });
}

/** True when `tool` can be started (used by doctor and to fail fast before long steps). */
export async function hasTool(ctx: RunContext, tool: string, probe: string[] = ['--version']): Promise<boolean> {
  try {
    await spawnTool(ctx, tool, probe, { keep: 1 });
    return true;
  } catch (e) {
    if (e instanceof ToolError) return false;
    throw e;
  }
}
