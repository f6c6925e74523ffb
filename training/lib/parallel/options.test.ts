import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BYTES_PER_DEFAULT_THREAD, defaultJobs, inShard, parseShard } from './options.ts';

const dir = mkdtempSync(join(tmpdir(), 'radreportx-jobs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A file of `bytes` bytes without writing them (sparse): only its size matters here. */
function fileOf(name: string, bytes: number): string {
  const path = join(dir, name);
  writeFileSync(path, '');
  truncateSync(path, bytes);
  return path;
}

describe('defaultJobs', () => {
  const cores = availableParallelism();

  it('gives a file the size of the IU reports (1.7 MB) and up to 24 MB one thread, which a second would not speed up', () => {
    expect(defaultJobs(fileOf('iu.csv', 1_700_000))).toBe(1);
    expect(defaultJobs(fileOf('five.csv', 5_000_000))).toBe(1);
    expect(defaultJobs(fileOf('seventeen.csv', 17_000_000))).toBe(1);
    expect(defaultJobs(fileOf('under.csv', BYTES_PER_DEFAULT_THREAD - 1))).toBe(1);
  });

  it('adds a thread per 24 MB, up to the core count', () => {
    expect(defaultJobs(fileOf('two.csv', BYTES_PER_DEFAULT_THREAD))).toBe(Math.min(cores, 2));
    expect(defaultJobs(fileOf('big.csv', 1024 * BYTES_PER_DEFAULT_THREAD))).toBe(cores);
  });

  it('uses every core when the size is unknown (a missing file is reported where it is opened)', () => {
    expect(defaultJobs(undefined)).toBe(cores);
    expect(defaultJobs(join(dir, 'missing.csv'))).toBe(cores);
  });
});

describe('--shard', () => {
  it('reads K/N and refuses what is not one', () => {
    expect(parseShard(' 2 / 4 ')).toEqual({ index: 2, count: 4 });
    for (const bad of ['0/4', '5/4', '1/0', 'x', '1-4']) expect(() => parseShard(bad)).toThrow(/--shard must be K\/N/);
  });

  it('gives every row to exactly one of the shards', () => {
    const shards = [1, 2, 3].map((index) => ({ index, count: 3 }));
    for (let row = 1; row <= 10_000; row++) expect(shards.filter((s) => inShard(row, s, 1000))).toHaveLength(1);
    expect(inShard(1000, { index: 1, count: 3 }, 1000)).toBe(true);
    expect(inShard(1001, { index: 2, count: 3 }, 1000)).toBe(true);
  });
});
