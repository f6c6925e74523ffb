/**
 * The worker threads' entry as one plain JavaScript file. Under tsx every module a worker imports goes through
 * the TypeScript loader, which a worker thread must register for itself (Node 20 does not pass the parent's
 * loader on): ~0.3 CPU-seconds per worker before it labels a row, longer than labeling a 4,000-row file. So the
 * worker and what it imports are bundled once with esbuild (tsx's own dependency, resolved through tsx) into
 * node_modules/.cache/radreportx/, rebuilt when any input file changes, and a worker starts in tens of
 * milliseconds. Any failure falls back to the tsx entry (worker-boot.mjs), which is slower but equal in output.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ENTRY = fileURLToPath(new URL('./worker.ts', import.meta.url));
const ROOT = resolve(dirname(ENTRY), '../../..');
const CACHE = join(ROOT, 'node_modules', '.cache', 'radreportx');
const FALLBACK = new URL('./worker-boot.mjs', import.meta.url);

interface Stamp {
  inputs: Record<string, { size: number; mtimeMs: number }>;
}

async function fresh(stampPath: string): Promise<boolean> {
  try {
    const stamp = JSON.parse(await readFile(stampPath, 'utf8')) as Stamp;
    for (const [file, was] of Object.entries(stamp.inputs)) {
      const now = await stat(join(ROOT, file));
      if (now.size !== was.size || now.mtimeMs !== was.mtimeMs) return false;
    }
    return Object.keys(stamp.inputs).length > 0;
  } catch {
    return false;
  }
}

async function build(outfile: string, stampPath: string): Promise<void> {
  const esbuild = createRequire(createRequire(import.meta.url).resolve('tsx/package.json'))('esbuild') as typeof import('esbuild');
  const temp = `${outfile}.${process.pid}.partial`;
  const result = await esbuild.build({
    entryPoints: [ENTRY],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: temp,
    // npm packages stay imports, resolved from the cache folder inside node_modules like any other file here.
    packages: 'external',
    metafile: true,
    logLevel: 'silent',
    absWorkingDir: ROOT,
  });
  const inputs: Stamp['inputs'] = {};
  for (const file of Object.keys(result.metafile.inputs)) {
    const s = await stat(join(ROOT, file));
    inputs[file] = { size: s.size, mtimeMs: s.mtimeMs };
  }
  await rename(temp, outfile);
  await writeFile(stampPath, JSON.stringify({ inputs } satisfies Stamp));
}

let entry: Promise<URL> | undefined;

/** The file worker threads start from: the bundle when it can be had, else the tsx entry. */
export function workerEntry(): Promise<URL> {
  entry ??= (async () => {
    if (process.env.RADREPORTX_WORKER_BUNDLE === '0') return FALLBACK;
    try {
      const key = createHash('sha256').update(ENTRY).digest('hex').slice(0, 12);
      const outfile = join(CACHE, `label-worker-${key}.mjs`);
      const stampPath = `${outfile}.json`;
      if (!(await fresh(stampPath))) {
        await mkdir(CACHE, { recursive: true });
        await build(outfile, stampPath);
      }
      return pathToFileURL(outfile);
    } catch {
      return FALLBACK;
    }
  })();
  return entry;
}
