/** `label`'s options for using several cores (`--jobs`) and several machines (`--shard`, `--chunk-rows`). */
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { UsageError } from '../../../src/lib/errors.ts';
import { positiveInt, type ParseArgsOptionsConfig } from '../args.ts';

/**
 * Without --jobs, one thread per this many bytes of input, up to the core count. A thread's first few thousand
 * reports run on code V8 has not optimised yet, and the optimising compiler works on the other cores: one thread
 * already keeps ~1.5-1.8 cores busy while it warms up. Measured on 2 cores (`radreportx bench --jobs 2` on the IU
 * reports repeated 1, 3, 10 and 30 times: 1.7, 5, 17 and 50 MB), a second thread is slower up to 5 MB
 * (0.66-0.74x), breaks even at 17 MB (0.98-1.07x) and pays from there (1.33-1.46x at 50 MB, 1.70-1.88x on a
 * 126 MB generated file); the second thread starts past the break-even.
 */
export const BYTES_PER_DEFAULT_THREAD = 24 * 1024 * 1024;

/** Rows per shard chunk: `--shard K/N` labels chunks K-1, K-1+N, K-1+2N, ... of this many rows. */
export const DEFAULT_CHUNK_ROWS = 1000;

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

export interface ParallelRun {
  /** Threads that label: this one plus `jobs - 1` worker threads. */
  jobs: number;
  /** Whether --jobs was given (an engine that cannot run in threads rejects it only then). */
  jobsGiven: boolean;
  shard?: Shard;
  chunkRows: number;
}

export const PARALLEL_OPTIONS = {
  jobs: { type: 'string', short: 'j' },
  shard: { type: 'string' },
  'chunk-rows': { type: 'string' },
} as const satisfies ParseArgsOptionsConfig;

export const PARALLEL_HELP = `Using every core, and several machines:
  -j, --jobs N              threads that label (default: the number of cores, ${availableParallelism()} here, or one per 24 MB
                            of a smaller input, which threads do not speed up); the output is the same, byte for
                            byte, whatever N is. Only the rules engine runs in threads.
      --shard K/N           label only chunks K-1, K-1+N, K-1+2N, ... (every N-th chunk of --chunk-rows rows) and
                            write a manifest beside the output (OUTPUT.shard.json); "radreportx merge" joins the N
                            outputs back in input order. Every shard reads the whole file (ids are checked for
                            duplicates across all of it).
      --chunk-rows N        rows per shard chunk (default ${DEFAULT_CHUNK_ROWS}); every shard of a run must use the same
`;

export function parseShard(value: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(value);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) {
    throw new UsageError(`--shard must be K/N with 1 <= K <= N, e.g. 1/4 (got "${value}").`);
  }
  return { index, count };
}

/** --jobs when not given: the core count, or fewer for a small input (BYTES_PER_DEFAULT_THREAD). */
export function defaultJobs(input: string | undefined): number {
  const cores = availableParallelism();
  try {
    return input === undefined ? cores : Math.min(cores, 1 + Math.floor(statSync(input).size / BYTES_PER_DEFAULT_THREAD));
  } catch {
    return cores; // a missing input is reported where it is opened
  }
}

export function resolveParallel(values: { jobs?: string; shard?: string; 'chunk-rows'?: string }, output: string, input?: string): ParallelRun {
  const shard = values.shard === undefined ? undefined : parseShard(values.shard);
  if (shard && output === '-') throw new UsageError('--shard needs an output file (-o), not standard output: its manifest goes beside it.');
  if (values['chunk-rows'] !== undefined && !shard) throw new UsageError('--chunk-rows only applies with --shard.');
  return {
    jobs: values.jobs === undefined ? defaultJobs(input) : positiveInt(values.jobs, 'jobs', 1),
    jobsGiven: values.jobs !== undefined,
    shard,
    chunkRows: positiveInt(values['chunk-rows'], 'chunk-rows', DEFAULT_CHUNK_ROWS),
  };
}

/** Whether data row `row` (1-based) is in the shard's chunks. */
export function inShard(row: number, shard: Shard | undefined, chunkRows: number): boolean {
  return !shard || Math.floor((row - 1) / chunkRows) % shard.count === shard.index - 1;
}
