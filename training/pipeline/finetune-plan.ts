/**
 * Planning one fine-tuning run: the resolved torchtune config, the `tune run` command, and whether the run folder
 * already holds a finished or resumable run. Pure apart from reading the data manifest and the run folder (and,
 * resuming on a base path that torchtune main would misread, a link to it), so `finetune --dry-run` and the real
 * run share it.
 */
import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { readFile, readlink, rm, symlink } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { UsageError } from '../../src/lib/errors.ts';
import { BASES, type BaseId, type BaseModel } from './bases.ts';
import { datasetBlock, MANIFEST_FILE, TRAIN_FILE, VALIDATION_FILE, type DatasetManifest } from './dataset/build.ts';
import { exists } from './files.ts';
import {
  applyOverrides,
  configError,
  getPath,
  loadShippedConfig,
  parseConfig,
  resolveInterpolations,
  setPath,
  stepsPerEpoch,
  validateConfig,
  type Config,
  type Override,
} from './torchtune-config.ts';
import { missingRecipeKeys, type LoraRecipe } from './torchtune-versions.ts';
import { inspectRunFolder, type RunFolderState } from './tune-run.ts';

/**
 * `project`: this project's documented recipe (training/configs/<base>_lora.yaml). `paper`: the authors' setup
 * (training/configs/paper_llama3_8b_lora.yaml, base llama3-8b, Alpaca data); see ../shared/reference/README.md.
 */
export type RecipeId = 'project' | 'paper';
export const RECIPES: readonly RecipeId[] = ['project', 'paper'];
export const PAPER_BASE: BaseId = 'llama3-8b';

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
  recipe?: RecipeId;
  /** Where `tune` will run (relative paths in the config are relative to it). */
  cwd?: string;
}

export interface FinetunePlan {
  base: BaseModel;
  recipeId: RecipeId;
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
async function checkSameRun(previousPath: string, next: Config, cwd: string): Promise<void> {
  let previous: Config;
  try {
    previous = parseConfig(await readFile(previousPath, 'utf8'), previousPath);
  } catch {
    return;
  }
  // checkpoint_dir may have been written relative to the run's cwd, or as a link (see torchtuneMainSafeDir).
  const norm = (c: Config, key: string) => {
    const v = getPath(c, key);
    if (key !== 'checkpointer.checkpoint_dir' || typeof v !== 'string') return v;
    try {
      return realpathSync(resolve(cwd, v));
    } catch {
      return resolve(cwd, v);
    }
  };
  for (const key of SAME_RUN_KEYS) {
    const a = JSON.stringify(norm(previous, key));
    const b = JSON.stringify(norm(next, key));
    if (a !== b) {
      throw new UsageError(
        `The run folder already holds a run with ${key} = ${a}; this one has ${b}.`,
        'Choose another --out for a new run, or pass --restart to train again from the start in this folder.',
      );
    }
  }
}

const wasSet = (overrides: Override[], path: string) => overrides.some((o) => o.path === path);

/**
 * torchtune main, resuming, takes a checkpoint_dir whose path contains "step" or "epoch" anywhere (a plain substring
 * test, training/checkpointing/_checkpointer.py:485) for a specific checkpoint, and looks for the recipe state in the
 * base model's folder: /home/stephen/... is enough. Such a folder is written as a path relative to where tune runs
 * when that path is free of the words, else as a link beside it (`.radreportx-base-<hash>` in the working folder).
 */
export async function torchtuneMainSafeDir(dir: string, cwd: string): Promise<{ dir: string; changed: boolean }> {
  const risky = (p: string) => p.includes('step') || p.includes('epoch');
  if (!risky(dir)) return { dir, changed: false };
  const rel = relative(cwd, dir) || '.';
  if (!risky(rel)) return { dir: rel, changed: true };
  const link = `.radreportx-base-${createHash('sha256').update(dir).digest('hex').slice(0, 8)}`;
  const at = join(cwd, link);
  const current = await readlink(at).catch(() => undefined);
  if (current !== dir) {
    await rm(at, { force: true });
    await symlink(dir, at);
  }
  return { dir: link, changed: true };
}

export async function planFinetune(o: FinetuneOptions): Promise<FinetunePlan> {
  const recipeId = o.recipe ?? 'project';
  const cwd = o.cwd ?? process.cwd();
  if (recipeId === 'paper' && o.base !== PAPER_BASE) throw new UsageError(`--recipe paper trains the paper's model, base ${PAPER_BASE} (Llama-3.1-8B-Instruct weights, Llama-3 network); --base ${o.base} does not fit it.`);
  if (recipeId === 'project' && o.base === PAPER_BASE) throw new UsageError(`Base ${PAPER_BASE} is the paper's model; train it with --recipe paper.`);
  const base = BASES[o.base];
  const dataset = await readDatasetManifest(o.dataDir);
  const format = dataset.format ?? 'chat';
  if (recipeId === 'paper' && format !== 'alpaca') {
    throw new UsageError(`--recipe paper trains on Alpaca instruction/output records, and ${o.dataDir} holds ${format} examples.`, 'Build the set with: radreportx dataset ... --format alpaca --prompt-profile release --task both');
  }
  const warnings: string[] = [];
  const config = await loadShippedConfig(base);
  config.base_dir = o.baseDir;
  config.data_dir = o.dataDir;
  config.output_dir = o.outDir;
  // The dataset block follows the data's format: chat_dataset or alpaca_dataset.
  config.dataset = { ...datasetBlock(format, `\${data_dir}/${TRAIN_FILE}`), packed: false };
  if (config.dataset_val) config.dataset_val = datasetBlock(format, `\${data_dir}/${VALIDATION_FILE}`);
  if (dataset.files.validation.examples === 0 || !(await exists(join(o.dataDir, VALIDATION_FILE)))) delete config.dataset_val;

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
  // The project's recipe warms up for 6% of the run; the paper's for a fixed 100 steps.
  if (recipeId === 'project' && !wasSet(overrides, 'lr_scheduler.num_warmup_steps')) {
    const total = steps * ((config.epochs as number) || 1);
    setPath(config, 'lr_scheduler.num_warmup_steps', Math.min(100, Math.max(1, Math.round(total * 0.06))));
  }

  const epochs = (config.epochs as number) || 1;
  const state = await inspectRunFolder(o.outDir, { epochs, totalSteps: steps * epochs, adapterOnly: config.save_adapter_weights_only === true });
  if (state.status !== 'fresh' && !o.restart) await checkSameRun(join(o.outDir, 'config.yaml'), resolveInterpolations(config), cwd);
  const resume = state.status === 'resumable' && !o.restart;
  if (!wasSet(overrides, 'resume_from_checkpoint')) config.resume_from_checkpoint = resume;

  const resolved = resolveInterpolations(config);
  const recipe: LoraRecipe = o.gpus > 1 ? 'lora_finetune_distributed' : 'lora_finetune_single_device';
  const problems = [...validateConfig(resolved), ...missingRecipeKeys(resolved, recipe)];
  if (problems.length) throw configError(problems);
  const checkpointer = resolved.checkpointer as Config;
  if (resume && String(checkpointer._component_).endsWith('FullModelHFCheckpointer')) {
    const safe = await torchtuneMainSafeDir(String(checkpointer.checkpoint_dir), cwd);
    if (safe.changed) {
      checkpointer.checkpoint_dir = safe.dir;
      warnings.push(`checkpointer.checkpoint_dir is written as "${safe.dir}" (relative to ${cwd}, the same folder): torchtune main, resuming, takes any path with "step" or "epoch" in it for a saved checkpoint.`);
    }
  }

  const configPath = join(o.outDir, 'config.yaml');
  const tuneArgs = o.gpus > 1 ? ['run', '--nproc_per_node', String(o.gpus), recipe, '--config', configPath] : ['run', recipe, '--config', configPath];

  const missingBaseFiles: string[] = [];
  const needed = [getPath(resolved, 'tokenizer.path') as string, ...(getPath(resolved, 'checkpointer.checkpoint_files') as string[]).map((f) => resolve(cwd, getPath(resolved, 'checkpointer.checkpoint_dir') as string, f))];
  for (const f of needed) if (!(await exists(f))) missingBaseFiles.push(f);

  return { base, recipeId, config: resolved, overrides, recipe, tuneArgs, configPath, dataset, state, effectiveBatch, stepsPerEpoch: steps, warnings, missingBaseFiles };
}
