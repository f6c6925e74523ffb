/**
 * Planning one fine-tuning run: the resolved torchtune config, the `tune run` command, and whether the run folder
 * already holds a finished or resumable run. Pure apart from reading the data manifest and the run folder, so
 * `finetune --dry-run` and the real run share it.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../../src/lib/errors.ts';
import { BASES, type BaseId, type BaseModel } from './bases.ts';
import { MANIFEST_FILE, TRAIN_FILE, VALIDATION_FILE, type DatasetManifest } from './dataset/build.ts';
import { exists } from './files.ts';
import {
  applyOverrides,
  configError,
  getPath,
  loadShippedConfig,
  maxSeqLenFor,
  parseConfig,
  resolveInterpolations,
  setPath,
  stepsPerEpoch,
  validateConfig,
  type Config,
  type Override,
} from './torchtune-config.ts';
import { inspectRunFolder, type RunFolderState } from './tune-run.ts';

export interface FinetuneOptions {
  base: BaseId;
  dataDir: string;
  outDir: string;
  baseDir: string;
  gpus: number;
  effectiveBatch: number;
  overrides: string[];
  /** Start over even when the folder holds a resumable run. */
  restart: boolean;
}

export interface FinetunePlan {
  base: BaseModel;
  config: Config;
  overrides: Override[];
  recipe: string;
  /** Arguments after `tune`. */
  tuneArgs: string[];
  configPath: string;
  dataset: DatasetManifest;
  state: RunFolderState;
  effectiveBatch: number;
  stepsPerEpoch: number;
  warnings: string[];
  /** Base files torchtune will read that are not there. */
  missingBaseFiles: string[];
}

export async function readDatasetManifest(dataDir: string): Promise<DatasetManifest> {
  const path = join(dataDir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new UsageError(`"${dataDir}" is not a dataset folder (no ${MANIFEST_FILE}).`, 'Build it first with "radreportx dataset ... --out DIR".');
  }
  const manifest = JSON.parse(text) as DatasetManifest;
  if (manifest.kind !== 'radreportx-dataset') throw new UsageError(`${path} was not written by "radreportx dataset".`);
  if (!(await exists(join(dataDir, TRAIN_FILE)))) throw new UsageError(`${join(dataDir, TRAIN_FILE)} is missing; rebuild the dataset.`);
  return manifest;
}

// Keys that must not change between an interrupted run and its resumption.
const SAME_RUN_KEYS = ['model._component_', 'model.lora_rank', 'model.lora_alpha', 'model.lora_attn_modules', 'model.apply_lora_to_mlp', 'dataset.data_files', 'checkpointer.checkpoint_dir', 'batch_size', 'gradient_accumulation_steps'];

/** Resuming with another model, data or batch would silently mix two runs; refuse and say which key differs. */
async function checkSameRun(previousPath: string, next: Config): Promise<void> {
  let previous: Config;
  try {
    previous = parseConfig(await readFile(previousPath, 'utf8'), previousPath);
  } catch {
    return;
  }
  for (const key of SAME_RUN_KEYS) {
    const a = JSON.stringify(getPath(previous, key));
    const b = JSON.stringify(getPath(next, key));
    if (a !== b) {
      throw new UsageError(
        `The run folder already holds a run with ${key} = ${a}; this one has ${b}.`,
        'Choose another --out for a new run, or pass --restart to train again from the start in this folder.',
      );
    }
  }
}

const wasSet = (overrides: Override[], path: string) => overrides.some((o) => o.path === path);

export async function planFinetune(o: FinetuneOptions): Promise<FinetunePlan> {
  const base = BASES[o.base];
  const dataset = await readDatasetManifest(o.dataDir);
  const warnings: string[] = [];
  const config = await loadShippedConfig(base);
  config.base_dir = o.baseDir;
  config.data_dir = o.dataDir;
  config.output_dir = o.outDir;
  if (dataset.files.validation.examples === 0 || !(await exists(join(o.dataDir, VALIDATION_FILE)))) delete config.dataset_val;

  // Derived from the data: sequence length that fits the longest example, warmup as a share of the run.
  const longest = dataset.stats.promptTokens.max + dataset.stats.answerTokens.max;
  if (longest > 0) setPath(config, 'tokenizer.max_seq_len', maxSeqLenFor(longest));

  const overrides = applyOverrides(config, o.overrides);
  for (const added of overrides.filter((x) => x.added)) warnings.push(`--set ${added.path}: the shipped config has no such key; added it (check the spelling).`);

  // The effective batch (batch_size × gradient_accumulation_steps × GPUs) is the paper's 128 unless the
  // accumulation was set by hand; the per-GPU batch stays whatever batch_size says.
  const batchSize = getPath(config, 'batch_size') as number;
  if (!wasSet(overrides, 'gradient_accumulation_steps') && typeof batchSize === 'number' && batchSize > 0) {
    const accumulation = Math.max(1, Math.round(o.effectiveBatch / (batchSize * o.gpus)));
    config.gradient_accumulation_steps = accumulation;
    if (accumulation * batchSize * o.gpus !== o.effectiveBatch) {
      warnings.push(`An effective batch of ${o.effectiveBatch} does not split into batch_size ${batchSize} × ${o.gpus} GPU(s); using ${accumulation * batchSize * o.gpus}.`);
    }
  }
  const accumulation = config.gradient_accumulation_steps as number;
  const effectiveBatch = batchSize * accumulation * o.gpus;
  const steps = stepsPerEpoch(dataset.files.train.examples, batchSize, o.gpus, accumulation, config.max_steps_per_epoch);
  if (steps === 0) {
    throw new UsageError(
      `The training set has ${dataset.files.train.examples} examples, fewer than one optimizer step (effective batch ${effectiveBatch}).`,
      'Label more reports, or lower the batch with --effective-batch (e.g. 16).',
    );
  }
  if (!wasSet(overrides, 'lr_scheduler.num_warmup_steps')) {
    const total = steps * ((config.epochs as number) || 1);
    setPath(config, 'lr_scheduler.num_warmup_steps', Math.min(100, Math.max(1, Math.round(total * 0.06))));
  }

  const state = await inspectRunFolder(o.outDir, (config.epochs as number) || 1);
  if (state.status !== 'fresh' && !o.restart) await checkSameRun(join(o.outDir, 'config.yaml'), resolveInterpolations(config));
  const resume = state.status === 'resumable' && !o.restart;
  if (!wasSet(overrides, 'resume_from_checkpoint')) config.resume_from_checkpoint = resume;

  const resolved = resolveInterpolations(config);
  const problems = validateConfig(resolved);
  if (problems.length) throw configError(problems);

  const configPath = join(o.outDir, 'config.yaml');
  const recipe = o.gpus > 1 ? 'lora_finetune_distributed' : 'lora_finetune_single_device';
  const tuneArgs = o.gpus > 1 ? ['run', '--nproc_per_node', String(o.gpus), recipe, '--config', configPath] : ['run', recipe, '--config', configPath];

  const missingBaseFiles: string[] = [];
  const needed = [getPath(resolved, 'tokenizer.path') as string, ...(getPath(resolved, 'checkpointer.checkpoint_files') as string[]).map((f) => join(getPath(resolved, 'checkpointer.checkpoint_dir') as string, f))];
  for (const f of needed) if (!(await exists(f))) missingBaseFiles.push(f);

  return { base, config: resolved, overrides, recipe, tuneArgs, configPath, dataset, state, effectiveBatch, stepsPerEpoch: steps, warnings, missingBaseFiles };
}
