/**
 * Test harness for the training pipeline: a temporary bin folder holding only the chosen stand-in tools (and
 * `node`, which their shebang needs), a PATH of just that folder, the calls the stand-ins recorded, and a
 * RunContext that captures what a command prints.
 */
import { mkdtemp, mkdir, readFile, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunContext } from '../../training/pipeline/tool.ts';

export const STAND_INS = fileURLToPath(new URL('.', import.meta.url));
export const ALL_TOOLS = ['tune', 'mlc_llm', 'python', 'python3', 'nvidia-smi', 'emcc'] as const;

export interface Call {
  tool: string;
  args: string[];
  cwd: string;
}

export interface Bench {
  root: string;
  bin: string;
  log: string;
  env: NodeJS.ProcessEnv;
  calls(tool?: string): Promise<Call[]>;
  /** A RunContext in `cwd` (default root) whose output is captured in `.out` and `.err`. */
  context(extraEnv?: NodeJS.ProcessEnv, cwd?: string): RunContext & { output: { out: string; err: string } };
}

export async function makeBench(tools: readonly string[] = ALL_TOOLS): Promise<Bench> {
  const root = await mkdtemp(join(tmpdir(), 'rrx-train-'));
  const bin = join(root, 'bin');
  await mkdir(bin);
  await symlink(process.execPath, join(bin, 'node'));
  for (const t of tools) await symlink(join(STAND_INS, t), join(bin, t));
  const log = join(root, 'calls.jsonl');
  const env: NodeJS.ProcessEnv = { PATH: bin, HOME: root, STANDIN_LOG: log };
  return {
    root,
    bin,
    log,
    env,
    async calls(tool) {
      let text = '';
      try {
        text = await readFile(log, 'utf8');
      } catch {
        return [];
      }
      const all = text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Call);
      return tool ? all.filter((c) => c.tool === tool) : all;
    },
    context(extraEnv = {}, cwd = root) {
      const output = { out: '', err: '' };
      return {
        env: { ...env, ...extraEnv },
        cwd,
        err: (s: string) => void (output.err += s),
        out: (s: string) => void (output.out += s),
        tty: false,
        output,
      };
    },
  };
}
