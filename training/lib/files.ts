/**
 * The checks every command makes on the files it is given, before any work starts: an input is a readable file
 * (not a folder); no output is one of the inputs (the reports are never overwritten by
 * their labels); an output's folder is a folder. Each problem is a `UsageError` (exit 2) in plain words, never
 * an EISDIR/ENOTDIR stack.
 */
import { createWriteStream, mkdtempSync, rmSync, statSync, type Stats } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { UsageError } from '../../src/lib/errors.ts';

/** `-` as a file name: standard input for an input, standard output for an output. */
export const STDIO = '-';

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw e;
  }
}

/** The first folder on the way to `path` that is really a file, if any (`out.csv/labels.csv` → `out.csv`). */
function fileInTheWay(path: string): string | undefined {
  let dir = dirname(resolve(path));
  const chain: string[] = [];
  while (true) {
    chain.unshift(dir);
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  for (const d of chain) {
    const s = statOrUndefined(d);
    if (s === undefined) return undefined;
    if (!s.isDirectory()) return d;
  }
  return undefined;
}

/** Throws a plain message unless `path` names an existing file that can be read. */
export function checkInputFile(path: string, role = 'input'): Stats {
  const s = statOrUndefined(path);
  if (s === undefined) {
    const blocker = fileInTheWay(path);
    if (blocker) throw new UsageError(`The ${role} "${path}" cannot exist: "${blocker}" is a file, not a folder.`);
    throw new UsageError(`The ${role} file "${path}" does not exist.`);
  }
  if (s.isDirectory()) throw new UsageError(`The ${role} "${path}" is a folder, not a file.`, 'Name the file inside it.');
  return s;
}

/** Throws a plain message when an output cannot be written where it is asked for. */
export function checkOutputPath(path: string, role = 'output'): void {
  if (path === STDIO) return;
  const s = statOrUndefined(path);
  if (s?.isDirectory()) throw new UsageError(`The ${role} "${path}" is a folder; name a file to write.`, `For example ${join(path, 'labels.csv')}.`);
  const blocker = fileInTheWay(path);
  if (blocker) throw new UsageError(`Cannot write the ${role} "${path}": "${blocker}" is a file, not a folder.`);
  if (statOrUndefined(dirname(resolve(path))) === undefined) throw new UsageError(`Cannot write "${path}": its folder does not exist.`);
}

/**
 * Refuses any output that is one of the inputs, by path or as the same file under another name (a link), so a
 * typo like `label -i x.csv -o x.csv` can never replace the reports with their labels.
 */
export function checkNotOverwritingInputs(inputs: readonly (string | undefined)[], outputs: readonly (string | undefined)[]): void {
  const known = inputs.filter((p): p is string => p !== undefined && p !== STDIO).map((p) => ({ path: p, stat: statOrUndefined(p) }));
  for (const out of outputs) {
    if (out === undefined || out === STDIO) continue;
    const outStat = statOrUndefined(out);
    for (const input of known) {
      const same = resolve(out) === resolve(input.path) || (outStat && input.stat && outStat.dev === input.stat.dev && outStat.ino === input.stat.ino);
      if (same) {
        throw new UsageError(
          `The output "${out}" is the input file "${input.path}": writing it would destroy the input.`,
          'Choose another output name.',
        );
      }
    }
  }
  const seen = new Map<string, string>();
  for (const out of outputs) {
    if (out === undefined || out === STDIO) continue;
    const key = resolve(out);
    if (seen.has(key)) throw new UsageError(`"${out}" is named as two outputs; each output needs its own file.`);
    seen.set(key, out);
  }
}

/**
 * Copies standard input to a temporary file so a command that reads its input twice (sniffing, then streaming)
 * can take `-i -`. Resolves to the file's path and a function that removes it.
 */
export async function spoolStdin(name = 'stdin.csv'): Promise<{ path: string; remove: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'radreportx-stdin-'));
  const path = join(dir, name);
  const remove = () => rmSync(dir, { recursive: true, force: true });
  try {
    await pipeline(process.stdin, createWriteStream(path));
  } catch (e) {
    remove();
    throw e;
  }
  return { path, remove };
}
