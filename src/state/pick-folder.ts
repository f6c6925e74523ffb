/**
 * Lets the person choose a model folder: the File System Access picker where the browser has it (Chromium), else
 * an `<input type=file webkitdirectory>`. Either way the result is a list of paths and File objects; nothing is
 * read until the import checks the manifests. Page code: the picker needs the click's user gesture and exists
 * only in a window; the worker gets the File objects it returns.
 */
import type { ImportFile } from '../lib/llm/protocol.ts';

interface DirectoryHandle {
  kind: 'directory';
  name: string;
  values(): AsyncIterable<DirectoryHandle | FileHandle>;
}
interface FileHandle {
  kind: 'file';
  name: string;
  getFile(): Promise<File>;
}

type PickerWindow = Window & { showDirectoryPicker?: (options?: { id?: string; mode?: 'read' }) => Promise<DirectoryHandle> };

export function hasDirectoryPicker(): boolean {
  return typeof (window as PickerWindow).showDirectoryPicker === 'function';
}

/** Walks a directory handle; paths are relative to it. Depth is bounded: a model folder is flat. */
export async function filesFromHandle(dir: DirectoryHandle, prefix = '', depth = 0): Promise<ImportFile[]> {
  const out: ImportFile[] = [];
  for await (const entry of dir.values()) {
    if (entry.kind === 'file') out.push({ path: `${prefix}${entry.name}`, file: await entry.getFile() });
    else if (depth < 3) out.push(...(await filesFromHandle(entry, `${prefix}${entry.name}/`, depth + 1)));
  }
  return out;
}

/** Returns undefined when the person closed the picker. */
export async function pickWithDirectoryPicker(): Promise<ImportFile[] | undefined> {
  try {
    const dir = await (window as PickerWindow).showDirectoryPicker!({ id: 'radreportx-model', mode: 'read' });
    return await filesFromHandle(dir);
  } catch (e) {
    if ((e as { name?: string })?.name === 'AbortError') return undefined;
    throw e;
  }
}

/** Files from `<input webkitdirectory>`: their webkitRelativePath starts with the chosen folder's own name. */
export function filesFromInput(list: FileList | readonly File[]): ImportFile[] {
  return [...list].map((file) => {
    const rel = file.webkitRelativePath || file.name;
    return { path: rel.includes('/') ? rel.slice(rel.indexOf('/') + 1) : rel, file };
  });
}
