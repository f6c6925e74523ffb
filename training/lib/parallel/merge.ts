/**
 * Joins the outputs of `label --shard 1/N ... N/N` back into the output one whole run would have written, byte
 * for byte: chunk c of the input is in shard (c mod N) + 1, so the merge takes `chunkRows` records from shard 1,
 * then from shard 2, ... round and round. Before writing anything it checks that the shards are one run's (same
 * input fingerprint, cut, format and task) and that each of 1..N is there exactly once. A set of shards that
 * does not add up is exit code 1 (the run failed, nothing written), like any other failed run.
 */
import { createReadStream } from 'node:fs';
import { resolve } from 'node:path';
import { RadReportXError, UsageError } from '../../../src/lib/errors.ts';
import type { RowStatus } from '../../../src/lib/result.ts';
import { openOutput } from '../atomic.ts';
import { chunkSize, readManifest, shardRows, type ShardManifest } from './manifest.ts';

export interface MergeSummary {
  shards: number;
  rows: number;
  status: Record<RowStatus, number>;
  normal: number;
  duplicates: number;
}

/** The fields every shard of one run shares. */
const SAME = ['of', 'chunkRows', 'inputRows', 'format', 'task'] as const;

export interface ShardFile {
  path: string;
  manifest: ShardManifest;
}

/** Reads and checks the shards' manifests; returns them in shard order (1..N). */
export async function checkShards(paths: readonly string[]): Promise<ShardFile[]> {
  if (paths.length === 0) throw new UsageError('Name the shard outputs to merge (e.g. part-*.csv).');
  const manifests = await Promise.all(paths.map((p) => readManifest(p)));
  const first = manifests[0];
  manifests.forEach((m, i) => {
    for (const key of SAME) {
      if (m[key] !== first[key]) {
        throw new RadReportXError('InvalidConfig', `"${paths[i]}" is not from the same run as "${paths[0]}": its ${key} is ${JSON.stringify(m[key])}, not ${JSON.stringify(first[key])}.`);
      }
    }
    if (m.input.sha256 !== first.input.sha256 || m.input.bytes !== first.input.bytes) {
      throw new RadReportXError('InvalidConfig', `"${paths[i]}" labeled a different input file than "${paths[0]}" (its contents differ).`);
    }
  });
  const byShard = new Map<number, number>();
  manifests.forEach((m, i) => {
    const other = byShard.get(m.shard);
    if (other !== undefined) throw new RadReportXError('InvalidConfig', `Shard ${m.shard}/${m.of} is given twice: "${paths[other]}" and "${paths[i]}".`);
    byShard.set(m.shard, i);
  });
  const missing = Array.from({ length: first.of }, (_, k) => k + 1).filter((k) => !byShard.has(k));
  if (missing.length) {
    throw new RadReportXError(
      'InvalidConfig',
      `Shard${missing.length > 1 ? 's' : ''} ${missing.map((k) => `${k}/${first.of}`).join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing (got ${manifests.length} of ${first.of}); nothing was written.`,
      `Run "radreportx label ... --shard K/${first.of}" for ${missing.length > 1 ? 'each' : 'it'}, then merge again.`,
    );
  }
  manifests.forEach((m, i) => {
    const expected = shardRows({ index: m.shard, count: m.of }, m.inputRows, m.chunkRows);
    if (m.rows !== expected) throw new RadReportXError('InvalidConfig', `"${paths[i]}" holds ${m.rows} rows, but shard ${m.shard}/${m.of} of ${m.inputRows} rows should hold ${expected}.`);
  });
  return manifests.map((manifest, i) => ({ manifest, path: paths[i] })).sort((a, b) => a.manifest.shard - b.manifest.shard);
}

/** Whole records of a label output: JSONL lines, or CSV records (a newline inside quotes is not an end). */
async function* records(path: string, csv: boolean): AsyncGenerator<string> {
  let carry = '';
  let quoted = false;
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 1024 * 1024 })) {
    const text = chunk as string;
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 34 /* " */ && csv) quoted = !quoted;
      else if (c === 10 /* \n */ && !quoted) {
        yield carry + text.slice(start, i + 1);
        carry = '';
        start = i + 1;
      }
    }
    carry += text.slice(start);
  }
  if (carry) yield carry;
}

export async function mergeShards(paths: readonly string[], output: string): Promise<MergeSummary> {
  const target = resolve(output);
  const clash = paths.find((p) => resolve(p) === target);
  if (clash) throw new UsageError(`The output "${output}" is one of the shards being merged; choose another name.`);
  const shards = await checkShards(paths);
  const manifests = shards.map((s) => s.manifest);
  const { of, chunkRows, inputRows, format } = manifests[0];
  const csv = format === 'csv';
  // Shard k's reader is at index k - 1.
  const readers = shards.map((s) => records(s.path, csv));
  const pathOf = (k: number) => shards[k].path;

  const sink = openOutput(output);
  await sink.ready?.();
  try {
    if (csv) {
      const headers = await Promise.all(readers.map((r) => r.next()));
      const header = headers[0].value as string | undefined;
      headers.forEach((h, k) => {
        if (h.done || h.value !== header) throw new RadReportXError('InvalidConfig', `The CSV header of "${pathOf(k)}" differs from shard 1's.`);
      });
      await sink.write(header!);
    }
    let block = '';
    for (let c = 0; c * chunkRows < inputRows; c++) {
      const k = c % of;
      const reader = readers[k];
      const size = chunkSize(c, inputRows, chunkRows);
      for (let n = 0; n < size; n++) {
        const next = await reader.next();
        if (next.done) throw new RadReportXError('InvalidConfig', `"${pathOf(k)}" ends early: it has fewer rows than its manifest says (a truncated copy?).`);
        // JSONL records name their row: a cheap check that the interleaving is right.
        if (!csv && !next.value.startsWith(`{"row":${c * chunkRows + n + 1},`)) {
          throw new RadReportXError('InvalidConfig', `"${pathOf(k)}" does not hold row ${c * chunkRows + n + 1} where its manifest says it should.`);
        }
        block += next.value;
      }
      if (block.length >= 256 * 1024) {
        await sink.write(block);
        block = '';
      }
    }
    if (block) await sink.write(block);
    for (let k = 0; k < of; k++) {
      if (!(await readers[k].next()).done) throw new RadReportXError('InvalidConfig', `"${pathOf(k)}" has more rows than its manifest says.`);
    }
    await sink.commit();
  } catch (e) {
    await sink.abort();
    throw e;
  }
  const status: Record<RowStatus, number> = { ok: 0, empty: 0, error: 0, unparsed: 0 };
  for (const m of manifests) for (const k of Object.keys(status) as RowStatus[]) status[k] += m.status[k] ?? 0;
  return {
    shards: of,
    rows: inputRows,
    status,
    normal: manifests.reduce((s, m) => s + m.normal, 0),
    duplicates: manifests.reduce((s, m) => s + m.duplicates, 0),
  };
}
