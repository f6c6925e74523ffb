/**
 * The manifest a `label --shard K/N` run writes beside its output (`OUTPUT.shard.json`): which shard it is, how
 * the input was cut, and a fingerprint of the input, so `merge` can check that its shards belong together and
 * that none is missing or given twice.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { RadReportXError } from '../../../src/lib/errors.ts';
import type { EngineInfo, RowStatus, Task } from '../../../src/lib/result.ts';
import { writeFileAtomic } from '../atomic.ts';
import type { Shard } from './options.ts';

export const MANIFEST_KIND = 'radreportx-label-shard';

export interface ShardManifest {
  kind: typeof MANIFEST_KIND;
  version: 1;
  shard: number;
  of: number;
  chunkRows: number;
  /** Data rows in the whole input (every shard reads all of it). */
  inputRows: number;
  /** Rows in this shard's output. */
  rows: number;
  input: { name: string; bytes: number; sha256: string };
  format: 'csv' | 'jsonl';
  task: Task;
  engine: EngineInfo;
  status: Record<RowStatus, number>;
  normal: number;
  /** Rows of this shard whose id was seen earlier in the whole file. */
  duplicates: number;
}

export function manifestPath(output: string): string {
  return `${output}.shard.json`;
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Rows chunk `chunk` (0-based) of an input of `inputRows` rows holds. */
export function chunkSize(chunk: number, inputRows: number, chunkRows: number): number {
  return Math.max(0, Math.min(chunkRows, inputRows - chunk * chunkRows));
}

/** Rows shard `shard` of `count` holds: the sum of its chunks. */
export function shardRows(shard: Shard, inputRows: number, chunkRows: number): number {
  let rows = 0;
  for (let c = shard.index - 1; c * chunkRows < inputRows; c += shard.count) rows += chunkSize(c, inputRows, chunkRows);
  return rows;
}

export async function writeManifest(output: string, manifest: Omit<ShardManifest, 'kind' | 'version'>): Promise<void> {
  const full: ShardManifest = { kind: MANIFEST_KIND, version: 1, ...manifest, input: { ...manifest.input, name: basename(manifest.input.name) } };
  await writeFileAtomic(manifestPath(output), `${JSON.stringify(full, null, 2)}\n`);
}

export async function readManifest(output: string): Promise<ShardManifest> {
  const path = manifestPath(output);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new RadReportXError(
        'InvalidConfig',
        `"${output}" has no shard manifest ("${path}"): it is not the output of a finished "label --shard" run.`,
        'Rerun that shard; a shard killed before it finished leaves no output and no manifest.',
      );
    }
    throw e;
  }
  let m: ShardManifest;
  try {
    m = JSON.parse(text) as ShardManifest;
  } catch {
    throw new RadReportXError('InvalidConfig', `The shard manifest "${path}" is not valid JSON.`);
  }
  if (m.kind !== MANIFEST_KIND || m.version !== 1 || !Number.isInteger(m.shard) || !Number.isInteger(m.of) || !Number.isInteger(m.rows)) {
    throw new RadReportXError('InvalidConfig', `"${path}" is not a radreportx shard manifest (version 1).`);
  }
  return m;
}
