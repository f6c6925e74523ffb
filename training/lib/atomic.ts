/**
 * Output written atomically: everything goes to a temporary file beside the target, renamed over it only when
 * the run succeeds. A crash, an error or Ctrl-C leaves the previous output (or none), never half of a new one.
 */
import { createWriteStream, readdirSync, rmSync, type WriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { once } from 'node:events';
import { UsageError } from '../../src/lib/errors.ts';
import { checkOutputPath } from './files.ts';
import { processAlive } from './process-alive.ts';

export interface OutputSink {
  /** Resolves once the output can be written; throws a plain message when it cannot (no folder, no access). */
  ready?(): Promise<void>;
  /** Resolves once the data is buffered; waits when the disk is slower than the labeler (backpressure). */
  write(chunk: string): Promise<void> | void;
  /** Makes the output visible under its final name. */
  commit(): Promise<void>;
  /** Throws the partial output away. Safe to call twice or after commit. */
  abort(): Promise<void>;
}

// Temporary files still open, removed on Ctrl-C/termination before the process exits.
const open = new Set<AtomicFile>();
let handlersInstalled = false;

function installSignalHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    const onSignal = () => {
      const code = signal === 'SIGINT' ? 130 : 143;
      if (open.size === 0) {
        // Nothing of ours to clean up: leave the signal to any other handler, else behave as Node would.
        if (process.listenerCount(signal) === 0) process.exit(code);
        return;
      }
      void Promise.all([...open].map((f) => f.abort())).finally(() => {
        process.stderr.write(`\nStopped (${signal}); no output was written.\n`);
        process.exit(code);
      });
    };
    process.once(signal, onSignal);
  }
}

export class AtomicFile implements OutputSink {
  readonly path: string;
  readonly tempPath: string;
  readonly #stream: WriteStream;
  #error: Error | undefined;
  #done = false;

  constructor(path: string) {
    // A folder as the output, or a file where a folder should be, is a usage error now, not an EISDIR at the end.
    checkOutputPath(path);
    this.path = path;
    this.tempPath = join(dirname(path), `.${basename(path)}.${process.pid}.partial`);
    removeStalePartials(path);
    this.#stream = createWriteStream(this.tempPath, { flags: 'w' });
    this.#stream.on('error', (e) => {
      this.#error = e;
    });
    open.add(this);
    installSignalHandlers();
  }

  async ready(): Promise<void> {
    if (this.#stream.pending && !this.#error) {
      await new Promise<void>((resolve) => {
        const settle = () => {
          this.#stream.off('open', settle);
          this.#stream.off('error', settle);
          resolve();
        };
        this.#stream.on('open', settle);
        this.#stream.on('error', settle);
      });
    }
    if (this.#error) {
      const error = writeError(this.path, this.#error);
      await this.abort();
      throw error;
    }
  }

  async write(chunk: string): Promise<void> {
    if (this.#error) throw writeError(this.path, this.#error);
    if (!this.#stream.write(chunk)) {
      // Both listeners are removed once either fires, so a long run does not pile them up.
      await new Promise<void>((resolve) => {
        const settle = () => {
          this.#stream.off('drain', settle);
          this.#stream.off('error', settle);
          resolve();
        };
        this.#stream.on('drain', settle);
        this.#stream.on('error', settle);
      });
      if (this.#error) throw writeError(this.path, this.#error);
    }
  }

  async commit(): Promise<void> {
    if (this.#done) return;
    await new Promise<void>((resolve, reject) => {
      this.#stream.end((e?: Error | null) => (e || this.#error ? reject(e ?? this.#error) : resolve()));
    }).catch((e: Error) => {
      throw writeError(this.path, e);
    });
    await rename(this.tempPath, this.path);
    this.#done = true;
    open.delete(this);
  }

  async abort(): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    open.delete(this);
    this.#stream.destroy();
    await rm(this.tempPath, { force: true });
  }
}

/** Standard output as a sink: not atomic, so for pipes (`--output -`). */
export class StdoutSink implements OutputSink {
  async write(chunk: string): Promise<void> {
    if (!process.stdout.write(chunk)) await once(process.stdout, 'drain');
  }
  async commit(): Promise<void> {}
  async abort(): Promise<void> {}
}

export function openOutput(path: string): OutputSink {
  return path === '-' ? new StdoutSink() : new AtomicFile(path);
}

/**
 * Removes the temporary files that earlier runs writing the same output left behind when they were killed
 * (`kill -9` gives no chance to clean up): those whose process id no longer runs. Live runs' files are kept.
 */
export function removeStalePartials(path: string): string[] {
  const dir = dirname(path);
  const prefix = `.${basename(path)}.`;
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.partial')) continue;
    const pid = Number(name.slice(prefix.length, -'.partial'.length));
    if (!Number.isInteger(pid) || pid === process.pid || processAlive(pid)) continue;
    rmSync(join(dir, name), { force: true });
    removed.push(name);
  }
  return removed;
}

function writeError(path: string, e: Error): Error {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new UsageError(`Cannot write "${path}": its folder does not exist.`);
  if (code === 'ENOTDIR') return new UsageError(`Cannot write "${path}": a part of its folder path is a file, not a folder.`);
  if (code === 'EISDIR') return new UsageError(`Cannot write "${path}": it is a folder; name a file.`);
  if (code === 'EACCES') return new UsageError(`Cannot write "${path}": permission denied.`);
  if (code === 'ENOSPC') return new Error(`The disk is full while writing "${path}"; nothing was written.`);
  return e;
}

/** Writes a small file (a report, statistics) through a temporary file and a rename. */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const file = new AtomicFile(path);
  try {
    await file.write(text);
    await file.commit();
  } catch (e) {
    await file.abort();
    throw e;
  }
}
