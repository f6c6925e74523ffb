/**
 * The app's model registry (src/lib/models/registry.json), read strictly and updated in place: an entry with the
 * same id is replaced where it stands, a new one is appended, every other key and entry is kept as it was, and
 * the file is written atomically in the same layout (short arrays on one line).
 */
import { readFile } from 'node:fs/promises';
import { RadReportXError } from '../../src/lib/errors.ts';
import { parseRegistry, type RegistryEntry } from '../../src/lib/llm/registry.ts';
import { writeFileAtomic } from './files.ts';

export type { RegistryEntry } from '../../src/lib/llm/registry.ts';

export interface Registry {
  /** The whole file, every key kept. */
  doc: Record<string, unknown> & { models: RegistryEntry[] };
}

/** Reads the registry with the app's own strict loader, so an entry written here is one the site accepts. */
export async function readRegistry(path: string): Promise<Registry> {
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'the file does not exist' : 'it is not valid JSON';
    throw new RadReportXError('InvalidConfig', `The model registry ${path} is not valid: ${why}.`);
  }
  const { models } = parseRegistry(doc);
  return { doc: { ...(doc as Record<string, unknown>), models } };
}

/** JSON with two-space indents, arrays of plain values on one line (the registry's own layout). */
export function formatJson(value: unknown, indent = ''): string {
  const next = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.every((v) => v === null || typeof v !== 'object')) return `[${value.map((v) => JSON.stringify(v)).join(', ')}]`;
    return `[\n${value.map((v) => `${next}${formatJson(v, next)}`).join(',\n')}\n${indent}]`;
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value);
    if (!entries.length) return '{}';
    return `{\n${entries.map(([k, v]) => `${next}${JSON.stringify(k)}: ${formatJson(v, next)}`).join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}

/** Adds or replaces the entry with the same id; returns whether it replaced one. */
export async function upsertRegistryEntry(path: string, entry: RegistryEntry): Promise<{ replaced: boolean }> {
  const { doc } = await readRegistry(path);
  const i = doc.models.findIndex((m) => m.id === entry.id);
  if (i >= 0) doc.models[i] = entry;
  else doc.models.push(entry);
  parseRegistry(doc);
  await writeFileAtomic(path, `${formatJson(doc)}\n`);
  return { replaced: i >= 0 };
}
