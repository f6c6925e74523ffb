/**
 * The app's model registry (src/lib/models/registry.json), read strictly and updated in place: an entry with the
 * same id is replaced where it stands, a new one is appended, every other key and entry is kept as it was, and
 * the file is written atomically in the same layout (short arrays on one line).
 */
import { readFile } from 'node:fs/promises';
import { RadReportXError } from '../../src/lib/errors.ts';
import { writeFileAtomic } from './files.ts';

export interface RegistryEntry {
  id: string;
  name: string;
  base: string;
  weights: string;
  library: string;
  quantization: string;
  requiredFeatures: string[];
  downloadMB: number;
  vramMB: number;
  contextWindow: number;
  promptProfile: string;
}

const FIELDS: Record<keyof RegistryEntry, 'string' | 'number' | 'string[]'> = {
  id: 'string',
  name: 'string',
  base: 'string',
  weights: 'string',
  library: 'string',
  quantization: 'string',
  requiredFeatures: 'string[]',
  downloadMB: 'number',
  vramMB: 'number',
  contextWindow: 'number',
  promptProfile: 'string',
};

function invalid(path: string, message: string): RadReportXError {
  return new RadReportXError('InvalidConfig', `The model registry ${path} is not valid: ${message}.`);
}

/** Checks one entry against the schema; unknown and missing fields are errors naming the field. */
export function checkEntry(value: unknown, where: string, path = 'registry.json'): RegistryEntry {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw invalid(path, `${where} is not an object`);
  const o = value as Record<string, unknown>;
  for (const key of Object.keys(o)) if (!(key in FIELDS)) throw invalid(path, `${where} has an unknown field "${key}"`);
  for (const [key, type] of Object.entries(FIELDS)) {
    const v = o[key];
    const ok = type === 'string[]' ? Array.isArray(v) && v.every((x) => typeof x === 'string') : typeof v === type && (type !== 'string' || v !== '');
    if (!ok) throw invalid(path, `${where} field "${key}" must be ${type === 'string[]' ? 'a list of strings' : `a ${type}`}`);
  }
  return o as unknown as RegistryEntry;
}

export interface Registry {
  /** The whole file, every key kept. */
  doc: Record<string, unknown> & { models: RegistryEntry[] };
}

export async function readRegistry(path: string): Promise<Registry> {
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw invalid(path, (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'the file does not exist' : 'it is not valid JSON');
  }
  if (!doc || typeof doc !== 'object' || !Array.isArray((doc as { models?: unknown }).models)) throw invalid(path, 'it has no "models" list');
  const models = (doc as { models: unknown[] }).models.map((m, i) => checkEntry(m, `models[${i}]`, path));
  const ids = new Set<string>();
  for (const m of models) {
    if (ids.has(m.id)) throw invalid(path, `the id "${m.id}" appears twice`);
    ids.add(m.id);
  }
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
  checkEntry(entry, `the new entry "${entry.id}"`, path);
  const { doc } = await readRegistry(path);
  const i = doc.models.findIndex((m) => m.id === entry.id);
  if (i >= 0) doc.models[i] = entry;
  else doc.models.push(entry);
  await writeFileAtomic(path, `${formatJson(doc)}\n`);
  return { replaced: i >= 0 };
}
