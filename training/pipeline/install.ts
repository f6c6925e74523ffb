/**
 * Installing a built model into the site: the weights folder under public/models/<id>/resolve/main/ (the layout
 * WebLLM expects of a Hugging Face-style model URL) with a manifest of every file's size and sha256, and the model
 * library under public/models/lib/. The folder is assembled beside its final place and renamed in, so the site
 * never serves half a model.
 */
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { RadReportXError } from '../../src/lib/errors.ts';
import { copyWithHash, exists, sha256File, sri, writeJsonAtomic } from './files.ts';

export const MANIFEST_NAME = 'radreportx-manifest.json';

export interface InstalledFile {
  path: string;
  bytes: number;
  sha256: string;
  sri: string;
}

export interface ModelManifest {
  kind: 'radreportx-model';
  id: string;
  createdAt: string;
  base: string;
  quantization: string;
  promptProfile: string;
  promptVersion: string;
  contextWindow: number;
  prefillChunkSize: number;
  convTemplate: string;
  source: Record<string, unknown>;
  library: InstalledFile & { prebuilt: boolean; libraryVersion: string };
  files: InstalledFile[];
  totalBytes: number;
}

/**
 * Copies `files` (relative names in `fromDir`) into public/models/<id>/resolve/main/, hashing as it copies. Shards
 * whose md5 differs from the one tensor-cache.json records (`expectMd5`) stop the install before anything moves.
 */
export async function installWeights(
  fromDir: string,
  files: string[],
  publicDir: string,
  id: string,
  manifest: (files: InstalledFile[]) => ModelManifest,
  expectMd5: ReadonlyMap<string, string> = new Map(),
): Promise<{ dir: string; files: InstalledFile[] }> {
  const root = join(publicDir, 'models', id);
  const staging = join(publicDir, 'models', `.${id}.staging-${process.pid}`);
  const old = join(publicDir, 'models', `.${id}.old-${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  const target = join(staging, 'resolve', 'main');
  await mkdir(target, { recursive: true });
  try {
    const installed: InstalledFile[] = [];
    for (const f of [...files].sort()) {
      const h = await copyWithHash(join(fromDir, f), join(target, f));
      const md5 = expectMd5.get(f);
      if (md5 && h.md5 !== md5) {
        throw new RadReportXError('ExternalTool', `Shard ${f} is corrupt: its md5 is ${h.md5}, tensor-cache.json says ${md5}.`, `Nothing was installed. Run build-model again (the disk may be failing if it repeats).`);
      }
      installed.push({ path: f, bytes: h.bytes, sha256: h.sha256, sri: sri(h.sha256) });
    }
    await writeJsonAtomic(join(target, MANIFEST_NAME), manifest(installed));
    // Swap: the old folder steps aside, the new one takes its name, then the old one goes.
    const had = await exists(root);
    if (had) await rename(root, old);
    await rename(staging, root);
    if (had) await rm(old, { recursive: true, force: true });
    return { dir: join(root, 'resolve', 'main'), files: installed };
  } catch (e) {
    await rm(staging, { recursive: true, force: true });
    throw e;
  }
}

/** Copies the model library to public/models/lib/<name> (atomically), unless the same bytes are already there. */
export async function installLibrary(from: string, publicDir: string, name: string): Promise<InstalledFile & { path: string }> {
  const dest = join(publicDir, 'models', 'lib', name);
  const source = await sha256File(from);
  if (from !== dest && (await exists(dest))) {
    const current = await sha256File(dest);
    if (current.sha256 === source.sha256) return { path: dest, bytes: current.bytes, sha256: current.sha256, sri: sri(current.sha256) };
  }
  if (from !== dest) {
    const temp = join(publicDir, 'models', 'lib', `.${name}.${process.pid}.partial`);
    const h = await copyWithHash(from, temp);
    await rename(temp, dest);
    return { path: dest, bytes: h.bytes, sha256: h.sha256, sri: sri(h.sha256) };
  }
  return { path: dest, bytes: source.bytes, sha256: source.sha256, sri: sri(source.sha256) };
}
