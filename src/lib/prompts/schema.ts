/**
 * The JSON schema of the `json` profile's answer. The same object constrains WebLLM's structured output
 * (`response_format: {type: "json_object", schema: JSON.stringify(schema)}`) and OpenAI's strict json_schema mode,
 * so it keeps to the subset both accept: every property required, no additional properties.
 */
import { FINDINGS } from '../findings.ts';
import type { Task } from '../result.ts';

export const ANSWER_STATUSES = ['positive', 'negative', 'uncertain'] as const;

// Answer tokens are what an LLM call costs, so findings are grouped by status: a present or uncertain finding
// carries a short quote, a negated one only its name. A typical report then answers in ~30 tokens instead of ~70.
const quotedFindings = {
  type: 'array',
  items: {
    type: 'object',
    properties: {
      name: { type: 'string', enum: [...FINDINGS] },
      evidence: { type: 'string' },
    },
    required: ['name', 'evidence'],
    additionalProperties: false,
  },
};

const namedFindings = { type: 'array', items: { type: 'string', enum: [...FINDINGS] } };

/** The findings part of a json answer: one key per status. */
export const FINDINGS_PROPERTIES = { positive: quotedFindings, uncertain: quotedFindings, negative: namedFindings };

const icd10Property = {
  type: 'array',
  items: {
    type: 'object',
    properties: {
      phrase: { type: 'string' },
      code: { type: 'string' },
    },
    required: ['phrase', 'code'],
    additionalProperties: false,
  },
};

export function responseSchema(task: Task): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  if (task !== 'icd10') Object.assign(properties, FINDINGS_PROPERTIES);
  if (task !== 'findings') properties.icd10 = icd10Property;
  return { type: 'object', properties, required: Object.keys(properties), additionalProperties: false };
}

/** A stable name for OpenAI's `json_schema.name`. */
export function schemaName(task: Task): string {
  return `radreportx_${task}`;
}
