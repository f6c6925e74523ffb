import { describe, expect, it } from 'vitest';
import { FINDINGS } from '../findings.ts';
import { ANSWER_STATUSES, responseSchema, schemaName } from './schema.ts';

// The keywords both WebLLM's grammar compiler (XGrammar) and OpenAI's strict mode accept.
const ALLOWED = new Set(['type', 'properties', 'required', 'additionalProperties', 'items', 'enum']);

function walk(node: unknown, path: string, visit: (n: Record<string, unknown>, path: string) => void): void {
  if (!node || typeof node !== 'object') return;
  const n = node as Record<string, unknown>;
  visit(n, path);
  if (n.properties) for (const [k, v] of Object.entries(n.properties as object)) walk(v, `${path}.${k}`, visit);
  if (n.items) walk(n.items, `${path}[]`, visit);
}

describe('responseSchema', () => {
  it.each(['findings', 'icd10', 'both'] as const)('is a strict subset schema for %s', (task) => {
    const schema = responseSchema(task);
    expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
    walk(schema, '$', (n, path) => {
      for (const k of Object.keys(n)) expect(ALLOWED.has(k), `${path}: ${k}`).toBe(true);
      if (n.type === 'object') {
        expect(n.additionalProperties, path).toBe(false);
        expect([...(n.required as string[])].sort(), path).toEqual(Object.keys(n.properties as object).sort());
      }
      expect(['object', 'array', 'string'], path).toContain(n.type);
    });
  });

  it('covers exactly the task asked', () => {
    expect(Object.keys(responseSchema('findings').properties as object)).toEqual(['findings']);
    expect(Object.keys(responseSchema('icd10').properties as object)).toEqual(['icd10']);
    expect(Object.keys(responseSchema('both').properties as object)).toEqual(['findings', 'icd10']);
  });

  it('enumerates the 13 findings and the three statuses', () => {
    const item = ((responseSchema('findings').properties as Record<string, { items: { properties: Record<string, { enum: string[] }> } }>).findings).items;
    expect(item.properties.name.enum).toEqual([...FINDINGS]);
    expect(item.properties.status.enum).toEqual([...ANSWER_STATUSES]);
    expect(schemaName('both')).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
  });
});
