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
    expect(Object.keys(responseSchema('findings').properties as object)).toEqual(['positive', 'uncertain', 'negative']);
    expect(Object.keys(responseSchema('icd10').properties as object)).toEqual(['icd10']);
    expect(Object.keys(responseSchema('both').properties as object)).toEqual(['positive', 'uncertain', 'negative', 'icd10']);
  });

  it('enumerates the 13 findings under one key per status', () => {
    type Node = { items: { enum?: string[]; properties?: Record<string, { enum: string[] }> } };
    const props = responseSchema('findings').properties as Record<string, Node>;
    expect(Object.keys(props)).toEqual(expect.arrayContaining([...ANSWER_STATUSES]));
    expect(props.positive.items.properties?.name.enum).toEqual([...FINDINGS]);
    expect(props.uncertain.items.properties?.name.enum).toEqual([...FINDINGS]);
    expect(props.negative.items.enum).toEqual([...FINDINGS]);
    expect(schemaName('both')).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
  });
});
