/**
 * GGUF models kept in this browser: the Origin Private File System, folder `gguf/<name>/` holding the file (or the
 * parts of a split model) and `model.json` describing it. `model.json` is written last, so an import that was
 * interrupted never looks complete.
 */
import { readGgufHeader, NeedMoreBytes, orderGgufParts, GgufFormatError } from '../../lib/llm/gguf-file.ts';
import type { StoredGguf } from '../../lib/llm/gguf-protocol.ts';
import type { LoadProgressCallback } from '../../lib/llm/protocol.ts';

const MANIFEST = 'model.json';

async function root(): Promise<FileSystemDirectoryHandle> {
  const top = await navigator.storage.getDirectory();
  return top.getDirectoryHandle('gguf', { create: true });
}

/** The header of a GGUF file, read in growing slices (the vocabulary alone can be a few MB). */
export async function headerOf(file: Blob): Promise<ReturnType<typeof readGgufHeader>> {
  for (let size = 1 << 20; ; size *= 4) {
    try {
      return readGgufHeader(new Uint8Array(await file.slice(0, size).arrayBuffer()));
    } catch (e) {
      if (!(e instanceof NeedMoreBytes)) throw e;
      if (size >= file.size) throw new GgufFormatError('The GGUF file is cut short: its header does not end.');
    }
  }
}

export async function listStored(): Promise<StoredGguf[]> {
  const dir = await root();
  const out: StoredGguf[] = [];
  for await (const [name, handle] of (dir as unknown as { entries(): AsyncIterable<[string, FileSystemHandle]> }).entries()) {
    if (handle.kind !== 'directory') continue;
    try {
      const m = await (await (handle as FileSystemDirectoryHandle).getFileHandle(MANIFEST)).getFile();
      out.push(JSON.parse(await m.text()) as StoredGguf);
    } catch {
      /* an interrupted import: no manifest yet */
      void name;
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

export async function storedFiles(name: string): Promise<File[]> {
  const dir = await (await root()).getDirectoryHandle(name);
  const manifest = JSON.parse(await (await (await dir.getFileHandle(MANIFEST)).getFile()).text()) as StoredGguf;
  return Promise.all(manifest.parts.map(async (p) => (await dir.getFileHandle(p)).getFile()));
}

export async function deleteStored(name: string): Promise<void> {
  await (await root()).removeEntry(name, { recursive: true }).catch(() => undefined);
}

/** Checks the chosen files and copies them in; throws GgufFormatError with a plain message when they are wrong. */
export async function importGguf(files: File[], onProgress: LoadProgressCallback): Promise<StoredGguf> {
  const byName = new Map(files.map((f) => [f.name, f]));
  const order = orderGgufParts(files.map((f) => f.name));
  if ('problem' in order) throw new GgufFormatError(order.problem);
  const parts = order.parts.map((n) => byName.get(n)!);
  const header = await headerOf(parts[0]);
  if (parts.some((p) => p.size === 0)) throw new GgufFormatError('A chosen GGUF file is empty.');
  const bytes = parts.reduce((n, p) => n + p.size, 0);
  const dir = await (await root()).getDirectoryHandle(order.name, { create: true });
  await dir.removeEntry(MANIFEST).catch(() => undefined);
  let done = 0;
  const started = performance.now();
  for (const part of parts) {
    const writable = await (await dir.getFileHandle(part.name, { create: true })).createWritable();
    const count = new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, c) {
        done += chunk.byteLength;
        onProgress({ phase: 'importing', fraction: done / bytes, bytesDone: done, bytesTotal: bytes, file: part.name, elapsedSeconds: (performance.now() - started) / 1000 });
        c.enqueue(chunk);
      },
    });
    await part.stream().pipeThrough(count).pipeTo(writable);
  }
  const keep = ['general.name', 'general.architecture', 'general.file_type', 'llama.context_length', 'llama.block_count', 'llama.embedding_length', 'llama.attention.head_count', 'llama.attention.head_count_kv', 'tokenizer.ggml.model'];
  const stored: StoredGguf = { name: order.name, parts: order.parts, bytes, header: Object.fromEntries(keep.filter((k) => k in header.meta).map((k) => [k, header.meta[k]])) };
  const manifest = await (await dir.getFileHandle(MANIFEST, { create: true })).createWritable();
  await manifest.write(JSON.stringify(stored));
  await manifest.close();
  return stored;
}
