/** File helpers for the pipeline: atomic writes of small files, hashing, and copies that hash as they go. */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';

/** Writes `content` to a temporary file beside `path`, then renames it over `path`. */
export async function writeFileAtomic(path: string, content: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.partial`);
  try {
    await writeFile(temp, content);
    await rename(temp, path);
  } catch (e) {
    await rm(temp, { force: true });
    throw e;
  }
}

export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}

export interface Hashed {
  bytes: number;
  sha256: string;
  /** Only from copyWithHash: MLC's tensor-cache.json records an md5 per shard. */
  md5?: string;
}

export async function sha256File(path: string): Promise<Hashed> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 4 * 1024 * 1024 })) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { bytes, sha256: hash.digest('hex') };
}

/** Copies `from` to `to` in one pass, returning the size and sha256 of what was written. */
export async function copyWithHash(from: string, to: string): Promise<Hashed> {
  const hash = createHash('sha256');
  const md5 = createHash('md5');
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      md5.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  await mkdir(dirname(to), { recursive: true });
  await pipeline(createReadStream(from, { highWaterMark: 4 * 1024 * 1024 }), tap, createWriteStream(to));
  return { bytes, sha256: hash.digest('hex'), md5: md5.digest('hex') };
}

/** Subresource-integrity form of a hex sha256 (`sha256-<base64>`), the form WebLLM's integrity checks take. */
export function sri(sha256Hex: string): string {
  return `sha256-${Buffer.from(sha256Hex, 'hex').toString('base64')}`;
}

export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

export async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
