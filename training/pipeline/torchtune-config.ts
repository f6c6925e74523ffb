/**
 * The torchtune YAML for one run: the shipped config for the base (training/configs/), its paths filled in,
 * settings derived from the data (batch split, warmup, sequence length), the user's `--set a.b=c` overrides,
 * interpolations resolved, then checked before anything runs (torchtune's own errors come minutes later, after
 * 16 GB of weights have loaded).
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import YAML from 'yaml';
import { RadReportXError, UsageError } from '../../src/lib/errors.ts';
import type { BaseModel } from './bases.ts';

export type Config = Record<string, unknown>;

export const CONFIG_DIR = fileURLToPath(new URL('../configs/', import.meta.url));

export async function loadShippedConfig(base: BaseModel): Promise<Config> {
  return parseConfig(await readFile(join(CONFIG_DIR, base.config), 'utf8'), base.config);
}

export function parseConfig(text: string, name: string): Config {
  let value: unknown;
  try {
    value = YAML.parse(text);
  } catch (e) {
    throw new RadReportXError('InvalidConfig', `The config ${name} is not valid YAML: ${(e as Error).message}`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new RadReportXError('InvalidConfig', `The config ${name} is not a mapping of keys to values.`);
  return value as Config;
}

export function getPath(config: Config, path: string): unknown {
  let node: unknown = config;
  for (const part of path.split('.')) {
    if (!node || typeof node !== 'object' || Array.isArray(node)) return undefined;
    node = (node as Config)[part];
  }
  return node;
}

export function setPath(config: Config, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = config;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (next === undefined || next === null) node[part] = {};
    else if (typeof next !== 'object' || Array.isArray(next)) throw new UsageError(`Cannot set "${path}": "${part}" is a value, not a section.`);
    node = node[part] as Config;
  }
  node[parts[parts.length - 1]] = value;
}

export interface Override {
  path: string;
  value: unknown;
  /** True when the key was not in the config before (a typo is the usual reason). */
  added: boolean;
}

const KEY_PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/** Parses `a.b=c`; the value is read as YAML, so `3e-4`, `true`, `null` and `[q_proj,v_proj]` get their types. */
export function parseOverride(spec: string): { path: string; value: unknown } {
  const eq = spec.indexOf('=');
  if (eq <= 0) throw new UsageError(`--set needs key=value (got "${spec}").`, 'For example --set optimizer.lr=1e-4 or --set model.lora_rank=16.');
  const path = spec.slice(0, eq).trim();
  if (!KEY_PATH.test(path)) throw new UsageError(`--set key "${path}" is not a dotted key path like optimizer.lr.`);
  const raw = spec.slice(eq + 1).trim();
  let value: unknown;
  try {
    value = raw === '' ? '' : YAML.parse(raw);
  } catch {
    value = raw;
  }
  return { path, value };
}

export function applyOverrides(config: Config, specs: readonly string[]): Override[] {
  return specs.map((spec) => {
    const { path, value } = parseOverride(spec);
    const added = getPath(config, path) === undefined;
    setPath(config, path, value);
    return { path, value, added };
  });
}

/**
 * Replaces `${a.b}` in string values with the value at that key, as OmegaConf would, so the written YAML shows the
 * real paths. References to keys that do not exist are left for torchtune (OmegaConf resolvers like `${oc.env:X}`).
 */
export function resolveInterpolations(config: Config): Config {
  const visit = (node: unknown, depth: number): unknown => {
    if (typeof node === 'string') {
      let s = node;
      for (let i = 0; i < 10 && /\$\{[^}]+\}/.test(s); i++) {
        const next = s.replace(/\$\{([A-Za-z0-9_.]+)\}/g, (whole, path: string) => {
          const v = getPath(config, path);
          return v === undefined || (typeof v === 'object' && v !== null) ? whole : String(v);
        });
        if (next === s) break;
        s = next;
      }
      return s;
    }
    if (Array.isArray(node)) return node.map((x) => visit(x, depth + 1));
    if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, visit(v, depth + 1)]));
    return node;
  };
  return visit(config, 0) as Config;
}

/** Steps per epoch as torchtune counts them: full batches per rank (drop_last), divided by accumulation. */
export function stepsPerEpoch(examples: number, batchSize: number, gpus: number, accumulation: number, maxSteps: unknown): number {
  const batches = Math.floor(examples / (batchSize * gpus));
  const steps = Math.floor(batches / accumulation);
  return typeof maxSteps === 'number' && maxSteps > 0 ? Math.min(steps, maxSteps) : steps;
}

const isPositiveInt = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v > 0;
const isPositive = (v: unknown) => typeof v === 'number' && v > 0;

const REQUIRED: [string, (v: unknown) => boolean, string][] = [
  ['model._component_', (v) => typeof v === 'string' && v.startsWith('torchtune.models.'), 'a torchtune model builder'],
  ['model.lora_rank', isPositiveInt, 'a positive whole number'],
  ['model.lora_alpha', isPositive, 'a positive number'],
  ['model.lora_attn_modules', (v) => Array.isArray(v) && v.length > 0 && v.every((m) => ['q_proj', 'k_proj', 'v_proj', 'output_proj'].includes(m as string)), 'a list of q_proj, k_proj, v_proj, output_proj'],
  ['model.lora_dropout', (v) => typeof v === 'number' && v >= 0 && v < 1, 'a number from 0 to below 1'],
  ['tokenizer.path', (v) => typeof v === 'string' && v !== '', 'the tokenizer.model path'],
  ['checkpointer._component_', (v) => typeof v === 'string' && v.startsWith('torchtune.training.'), 'a torchtune checkpointer'],
  ['checkpointer.checkpoint_dir', (v) => typeof v === 'string' && v !== '', 'the base weights folder'],
  ['checkpointer.checkpoint_files', (v) => Array.isArray(v) && v.length > 0, 'a list of weight files'],
  ['checkpointer.output_dir', (v) => typeof v === 'string' && v !== '', 'the run folder'],
  ['checkpointer.model_type', (v) => typeof v === 'string' && /^LLAMA3/.test(v), 'LLAMA3 or LLAMA3_2'],
  ['dataset._component_', (v) => typeof v === 'string', 'a torchtune dataset builder'],
  ['dataset.data_files', (v) => typeof v === 'string' && v !== '', 'the train.jsonl path'],
  ['optimizer.lr', isPositive, 'a positive number'],
  ['lr_scheduler.num_warmup_steps', (v) => typeof v === 'number' && Number.isInteger(v) && v >= 0, 'a whole number'],
  ['batch_size', isPositiveInt, 'a positive whole number'],
  ['gradient_accumulation_steps', isPositiveInt, 'a positive whole number'],
  ['epochs', isPositiveInt, 'a positive whole number'],
  ['dtype', (v) => v === 'bf16' || v === 'fp32', 'bf16 or fp32'],
  ['output_dir', (v) => typeof v === 'string' && v !== '', 'the run folder'],
  ['resume_from_checkpoint', (v) => typeof v === 'boolean', 'true or false'],
];

/** Problems that would make torchtune fail; empty when the config is sound. */
export function validateConfig(config: Config): string[] {
  const problems: string[] = [];
  for (const [path, ok, expected] of REQUIRED) {
    const v = getPath(config, path);
    if (v === undefined) problems.push(`${path} is missing (expected ${expected})`);
    else if (!ok(v)) problems.push(`${path} is ${JSON.stringify(v)} (expected ${expected})`);
  }
  const max = getPath(config, 'max_steps_per_epoch');
  if (max !== null && max !== undefined && !isPositiveInt(max)) problems.push(`max_steps_per_epoch is ${JSON.stringify(max)} (expected null or a positive whole number)`);
  return problems;
}

export function renderYaml(config: Config, header: string[]): string {
  const body = YAML.stringify(config, { lineWidth: 0 });
  return `${header.map((l) => (l ? `# ${l}` : '#')).join('\n')}\n\n${body}`;
}

export function configError(problems: string[]): RadReportXError {
  return new RadReportXError('InvalidConfig', `The torchtune config has problems:\n${problems.map((p) => `  - ${p}`).join('\n')}`, 'Fix them with --set key=value (see --help).');
}
