/** The options `label --engine llama-cpp` adds, their help, and their resolution (no node-llama-cpp import here). */
import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename } from 'node:path';
import { UsageError } from '../../src/lib/errors.ts';
import { MODEL_PROFILES, type PromptProfileId } from '../../src/lib/prompts/profiles.ts';
import type { LabelRun } from '../lib/label-run.ts';
import { GPU_CHOICES, type GpuChoice } from './gpu.ts';

// `--model` and `--prompt-profile` are shared with the openai engine (same names, same types).
export const LLAMA_CPP_OPTIONS = {
  model: { type: 'string' },
  'prompt-profile': { type: 'string' },
  threads: { type: 'string' },
  gpu: { type: 'string' },
  context: { type: 'string' },
  answer: { type: 'string' },
  'retry-failed': { type: 'boolean' },
} as const satisfies Record<string, { type: 'string' | 'boolean' }>;

export const LLAMA_CPP_HELP = `llama.cpp engine (--engine llama-cpp; a GGUF model on this machine, no server; resumable JSONL):
      --model FILE.gguf     the model (radreportx build-model --format gguf writes RadReportX as one)
      --threads N           CPU threads (default: cores - 1; on a busy machine fewer is faster, since
                            llama.cpp's threads spin while they wait for each other)
      --gpu WHERE           cpu (default) | auto | cuda | vulkan | metal (node-llama-cpp's prebuilt binaries)
      --context N           tokens of context, prompt plus answer (default 4096)
      --prompt-profile P    json (default: one schema-constrained JSON answer) | release (the released
                            RadReportX's own prompts as raw completions, one per task; BOS from the GGUF)
      --answer FORM         json profile: evidence (default: each finding with a short quote) |
                            names (finding names only: fewer answer tokens, no evidence spans)
      --retry-failed        label again only the rows whose latest line failed`;

export interface LlamaCppConfig {
  run: LabelRun;
  modelPath: string;
  /** The model's file name: what the output's lines record, so a resumed run compares equal. */
  modelName: string;
  modelBytes: number;
  profile: PromptProfileId;
  threads: number;
  gpu: GpuChoice;
  contextSize: number;
  /** json profile: findings with evidence quotes, or names only. */
  answer: 'evidence' | 'names';
  retryFailed: boolean;
}

const str = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

function whole(v: unknown, name: string, min: number): number | undefined {
  const s = str(v);
  if (s === undefined) return undefined;
  const n = Number(s);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be a whole number >= ${min} (got "${s}").`);
  return n;
}

export function resolveLlamaCppConfig(run: LabelRun, values: Record<string, unknown>): LlamaCppConfig {
  const modelPath = str(values.model);
  if (!modelPath) throw new UsageError('--engine llama-cpp needs --model FILE.gguf.', 'Build one with "radreportx build-model --format gguf".');
  if (!existsSync(modelPath) || !statSync(modelPath).isFile()) throw new UsageError(`The model file "${modelPath}" does not exist.`);
  if (!modelPath.toLowerCase().endsWith('.gguf')) throw new UsageError(`"${modelPath}" is not a .gguf file.`, 'The llama-cpp engine reads GGUF models; WebLLM folders are for the browser.');
  const profile = str(values['prompt-profile']) ?? 'json';
  if (!(MODEL_PROFILES as readonly string[]).includes(profile)) throw new UsageError(`--prompt-profile must be one of ${MODEL_PROFILES.join(', ')} for a local model (got "${profile}").`);
  const gpu = str(values.gpu) ?? 'cpu';
  if (!(GPU_CHOICES as readonly string[]).includes(gpu)) throw new UsageError(`--gpu must be one of ${GPU_CHOICES.join(', ')} (got "${gpu}").`);
  if (run.output === '-') throw new UsageError('--engine llama-cpp needs an output file: it appends finished rows so a rerun can resume.', 'Use --output labels.jsonl.');
  if (run.format !== 'jsonl') {
    throw new UsageError(
      '--engine llama-cpp writes JSONL (one line per finished row, so a stopped run loses nothing).',
      'Use --output labels.jsonl, then "radreportx labels-to-csv --input labels.jsonl --output labels.csv".',
    );
  }
  const answer = str(values.answer) ?? 'evidence';
  if (answer !== 'evidence' && answer !== 'names') throw new UsageError(`--answer must be evidence or names (got "${answer}").`);
  return {
    run,
    modelPath,
    modelName: basename(modelPath),
    modelBytes: statSync(modelPath).size,
    profile: profile as PromptProfileId,
    threads: whole(values.threads, 'threads', 1) ?? Math.max(1, availableParallelism() - 1),
    gpu: gpu as GpuChoice,
    contextSize: whole(values.context, 'context', 256) ?? 4096,
    answer,
    retryFailed: Boolean(values['retry-failed']),
  };
}
