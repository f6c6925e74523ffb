/**
 * The append-only JSONL of finished rows. Each line is written whole by one `write` on a file opened for
 * appending, so a process killed at any moment leaves complete lines plus at most one cut-off last line, which
 * the next run trims with a warning. The latest line for an id wins (a retried row appends a newer line).
 */
import { closeSync, createReadStream, fstatSync, fsyncSync, openSync, readSync, ftruncateSync, writeSync, writeFileSync, readFileSync, unlinkSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { RadReportXError, UsageError } from '../../src/lib/errors.ts';
import { processAlive } from '../lib/process-alive.ts';
import type { PromptProfileId } from '../../src/lib/prompts/index.ts';
import type { LabelResult, RowStatus, Task } from '../../src/lib/result.ts';

/** One finished row: where it came from, the full LabelResult, and how it was produced. */
export interface LabelLine extends LabelResult {
  /** The row's key: the id column value(s), or `row-N` when the row has none. */
  id: string;
  /** Data row number in the input, 1-based, header not counted. */
  row: number;
  ids: Record<string, string>;
  task: Task;
  model: string;
  profile: PromptProfileId;
  promptVersion: string;
  /** ISO time the line was written. */
  time: string;
  /** `local`: a model on this machine (--engine llama-cpp). */
  mode: 'online' | 'batch' | 'local';
  batchId?: string;
  /** Calls made for the row, retries included. */
  attempts?: number;
  latencyMs?: number;
  /** `stop`, or `length` when the answer hit the token limit (one per call). */
  finishReason?: string[];
  /** release-weak-labels: the run's seed, and the seed examples (0-based) this row's prompt showed. */
  sampleSeed?: number;
  seedExamples?: number[];
}

/** What the store remembers per id: enough to skip, retry and count without keeping whole lines. */
export interface Latest {
  status: RowStatus;
  row: number;
  batchId?: string;
}

export interface StoreState {
  latest: Map<string, Latest>;
  /** model/profile/promptVersion/task of the lines already there, for the mixing check. */
  settings: Set<string>;
  lines: number;
  badLines: number;
  trimmedBytes: number;
}

export const settingsKey = (l: Pick<LabelLine, 'model' | 'profile' | 'promptVersion' | 'task' | 'sampleSeed'>) =>
  `${l.model} · ${l.profile} (${l.promptVersion}) · task ${l.task}${l.sampleSeed === undefined ? '' : ` · sample seed ${l.sampleSeed}`}`;

/**
 * Cuts a final line that has no newline (the process died while writing it). Returns the bytes removed (or that
 * would be, when `cut` is false: a dry run changes nothing).
 */
function trimPartialTail(path: string, cut: boolean): number {
  let fd: number;
  try {
    fd = openSync(path, cut ? 'r+' : 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw e;
  }
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return 0;
    const chunk = Buffer.alloc(64 * 1024);
    let end = size;
    // Walk back to the last newline; usually it is the last byte and this reads one chunk.
    while (end > 0) {
      const start = Math.max(0, end - chunk.length);
      const n = readSync(fd, chunk, 0, end - start, start);
      const nl = chunk.subarray(0, n).lastIndexOf(0x0a);
      if (nl >= 0) {
        const keep = start + nl + 1;
        if (keep < size && cut) ftruncateSync(fd, keep);
        return size - keep;
      }
      end = start;
    }
    if (cut) ftruncateSync(fd, 0);
    return size;
  } finally {
    closeSync(fd);
  }
}

/** Reads what earlier runs finished. A missing file is an empty store. */
export async function readStore(path: string, warn: (message: string) => void, options: { readOnly?: boolean } = {}): Promise<StoreState> {
  const cut = !options.readOnly;
  const state: StoreState = { latest: new Map(), settings: new Set(), lines: 0, badLines: 0, trimmedBytes: trimPartialTail(path, cut) };
  if (state.trimmedBytes) {
    warn(`${path} ended with a cut-off line (${state.trimmedBytes} bytes, from a run that was stopped); ${cut ? 'removed it' : 'a real run will remove it'}. That row will be labeled again.`);
  }
  let stream;
  try {
    stream = createReadStream(path, { encoding: 'utf8' });
    await new Promise<void>((resolve, reject) => stream!.once('open', () => resolve()).once('error', reject));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return state;
    throw e;
  }
  let lineNumber = 0;
  for await (const text of createInterface({ input: stream, crlfDelay: Infinity })) {
    lineNumber++;
    if (!text.trim()) continue;
    let line: Partial<LabelLine>;
    try {
      line = JSON.parse(text) as Partial<LabelLine>;
    } catch {
      line = {};
    }
    if (typeof line.id !== 'string' || typeof line.status !== 'string') {
      // A read-only pass meets the cut-off line it already warned about; it is no news.
      if (!cut && state.trimmedBytes) continue;
      if (++state.badLines <= 3) warn(`${path} line ${lineNumber} is not a label line; ignored.`);
      continue;
    }
    state.lines++;
    state.latest.set(line.id, { status: line.status, row: line.row ?? 0, batchId: line.batchId });
    if (line.model) state.settings.add(settingsKey(line as LabelLine));
  }
  return state;
}

/** Counts of the latest status per id. */
export function statusCounts(state: Pick<StoreState, 'latest'>): Record<RowStatus, number> {
  const counts: Record<RowStatus, number> = { ok: 0, empty: 0, error: 0, unparsed: 0 };
  for (const l of state.latest.values()) counts[l.status]++;
  return counts;
}

/**
 * Appends lines. Every line goes out in one synchronous `write` of the whole line; data reaches the disk with an
 * fsync every `syncEvery` lines or `syncMs` milliseconds, and on close.
 */
export class LineWriter {
  readonly path: string;
  readonly #fd: number;
  readonly #syncEvery: number;
  readonly #syncMs: number;
  #unsynced = 0;
  #lastSync = Date.now();
  #broken: Error | undefined;

  constructor(path: string, options: { syncEvery?: number; syncMs?: number } = {}) {
    this.path = path;
    try {
      this.#fd = openSync(path, 'a');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new UsageError(`Cannot write "${path}": its folder does not exist.`);
      if (code === 'EACCES') throw new UsageError(`Cannot write "${path}": permission denied.`);
      throw e;
    }
    this.#syncEvery = options.syncEvery ?? 100;
    this.#syncMs = options.syncMs ?? 2000;
  }

  append(line: LabelLine): void {
    if (this.#broken) throw this.#broken;
    const bytes = Buffer.from(`${JSON.stringify(line)}\n`, 'utf8');
    try {
      let done = writeSync(this.#fd, bytes);
      // A short write (disk full) leaves a cut-off line; finish it or stop, so no later line is glued to it.
      while (done < bytes.length) done += writeSync(this.#fd, bytes, done);
    } catch (e) {
      this.#broken = new RadReportXError('StorageFull', `Writing "${this.path}" failed (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); finished rows up to here are kept.`);
      throw this.#broken;
    }
    this.#unsynced++;
    if (this.#unsynced >= this.#syncEvery || Date.now() - this.#lastSync >= this.#syncMs) this.sync();
  }

  sync(): void {
    if (this.#unsynced === 0) return;
    fsyncSync(this.#fd);
    this.#unsynced = 0;
    this.#lastSync = Date.now();
  }

  close(): void {
    try {
      this.sync();
    } finally {
      closeSync(this.#fd);
    }
  }
}

/**
 * A lock file beside the output, so two runs never append to the same file at once. A lock left by a process
 * that no longer exists (killed) is taken over.
 */
export function lockOutput(path: string): () => void {
  const lock = `${path}.lock`;
  for (let tries = 0; tries < 2; tries++) {
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' });
      return () => {
        try {
          unlinkSync(lock);
        } catch {
          /* already gone */
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number(readFileSync(lock, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && processAlive(pid) /* a zombie counts as gone */) {
        throw new UsageError(`Another run (process ${pid}) is writing "${path}".`, `Wait for it to finish, or delete ${lock} if that process is gone.`);
      }
      unlinkSync(lock);
    }
  }
  throw new UsageError(`Could not lock "${path}".`);
}

