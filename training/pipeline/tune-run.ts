/**
 * What a torchtune run folder holds (to resume or skip a finished run) and what torchtune prints while training
 * (to show step, loss and ETA).
 *
 * torchtune 0.6.1 writes `epoch_N/` after each epoch with the merged HF weights, the adapter and the copied
 * tokenizer files; after every epoch but the last it also writes the recipe state (optimizer, sampler, step) to
 * `recipe_state/recipe_state.pt`. torchtune main (bd2a0fc) writes it inside the checkpoint folder
 * (`epoch_N/recipe_state.pt`, training/checkpointing/_checkpointer.py:1020), and with `save_every_n_steps` the
 * distributed recipe names the folders `step_<global step>/` (recipes/lora_finetune_distributed.py:420-425).
 * With `save_adapter_weights_only: True` a folder holds only the adapter. The paper's FullModelMetaCheckpointer
 * writes `epoch_N/model-00001-of-00001.pt`. With `resume_from_checkpoint: True` torchtune finds all of these on its own.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { exists } from './files.ts';

export interface RunFolderState {
  /** Epoch numbers (0-based) with saved weights. */
  epochs: number[];
  /** Global steps with saved weights (`step_N/`, torchtune main with save_every_n_steps). */
  steps: number[];
  recipeState: string | undefined;
  /** `fresh`: nothing saved; `resumable`: an unfinished run with recipe state; `finished`: the last epoch is saved. */
  status: 'fresh' | 'resumable' | 'finished';
  /** Folder of the newest saved weights (`epoch_N/` or `step_N/`), when any. */
  lastCheckpointDir: string | undefined;
}

export interface RunExpectation {
  epochs: number;
  /** Optimizer steps of the whole run: the last `step_N/` of a finished step-saving run. */
  totalSteps?: number;
  /** `save_adapter_weights_only: True`: a folder with the adapter counts as saved. */
  adapterOnly?: boolean;
}

const MODEL_FILE = /^(model-\d+-of-\d+\.(safetensors|pt)|model\.safetensors|ft-model-\d+-of-\d+\.safetensors|hf_model_\d+_\d+\.pt|meta_model_\d+\.pt|pytorch_model.*\.bin)$/;
const ADAPTER_FILE = /^adapter_model\.(safetensors|pt|bin)$/;

export async function hasMergedWeights(dir: string, adapterOnly = false): Promise<boolean> {
  try {
    return (await readdir(dir)).some((f) => MODEL_FILE.test(f) || (adapterOnly && ADAPTER_FILE.test(f)));
  } catch {
    return false;
  }
}

async function numbered(dir: string, names: string[], prefix: 'epoch' | 'step', adapterOnly: boolean): Promise<number[]> {
  const found: number[] = [];
  for (const name of names) {
    const m = new RegExp(`^${prefix}_(\\d+)$`).exec(name);
    if (m && (await hasMergedWeights(join(dir, name), adapterOnly))) found.push(Number(m[1]));
  }
  return found.sort((a, b) => a - b);
}

export async function inspectRunFolder(dir: string, expect: RunExpectation | number): Promise<RunFolderState> {
  const want: RunExpectation = typeof expect === 'number' ? { epochs: expect } : expect;
  let names: string[] = [];
  try {
    names = await readdir(dir);
  } catch {
    return { epochs: [], steps: [], recipeState: undefined, status: 'fresh', lastCheckpointDir: undefined };
  }
  const adapterOnly = want.adapterOnly ?? false;
  const epochs = await numbered(dir, names, 'epoch', adapterOnly);
  const steps = await numbered(dir, names, 'step', adapterOnly);
  const lastEpoch = epochs.at(-1);
  const lastStep = steps.at(-1);
  // torchtune main resumes from the newest epoch folder when there is one, else the newest step folder (_utils.py:724).
  const lastCheckpointDir = lastEpoch !== undefined ? join(dir, `epoch_${lastEpoch}`) : lastStep !== undefined ? join(dir, `step_${lastStep}`) : undefined;
  const candidates = [join(dir, 'recipe_state', 'recipe_state.pt'), join(dir, 'recipe_state.pt'), ...(lastCheckpointDir ? [join(lastCheckpointDir, 'recipe_state.pt')] : [])];
  let recipeState: string | undefined;
  for (const c of candidates) if (await exists(c)) recipeState ??= c;
  const finished = (lastEpoch !== undefined && lastEpoch >= want.epochs - 1) || (lastEpoch === undefined && lastStep !== undefined && want.totalSteps !== undefined && lastStep >= want.totalSteps);
  if (finished) return { epochs, steps, recipeState, status: 'finished', lastCheckpointDir };
  if (recipeState && lastCheckpointDir) return { epochs, steps, recipeState, status: 'resumable', lastCheckpointDir };
  return { epochs, steps, recipeState, status: 'fresh', lastCheckpointDir };
}

export interface TrainStep {
  /** 1-based epoch, as torchtune prints it. */
  epoch: number;
  /** Optimizer steps done over the whole run. */
  globalStep: number;
  loss: number;
  /** Steps done and total in this epoch (tqdm's counter). */
  done: number;
  total: number;
  elapsedS: number;
  /** tqdm's estimate for the rest of this epoch; NaN while it has none. */
  remainingS: number;
}

// tqdm line from the LoRA recipes: `1|12|Loss: 1.2345678:  15%|█▌        | 12/78 [01:23<07:40,  6.98s/it]`
const PROGRESS = /^\s*(\d+)\|(\d+)\|Loss: ([-+0-9.eE]+|nan|inf):\s+(\d+)%\|[^|]*\|\s*(\d+)\/(\d+)\s*\[([0-9:]+)<([0-9:?]+)/;

function clock(s: string): number {
  if (!/^[0-9:]+$/.test(s)) return NaN;
  return s.split(':').reduce((acc, part) => acc * 60 + Number(part), 0);
}

export function parseProgressLine(line: string): TrainStep | undefined {
  const m = PROGRESS.exec(line);
  if (!m) return undefined;
  return {
    epoch: Number(m[1]),
    globalStep: Number(m[2]),
    loss: Number(m[3]),
    done: Number(m[5]),
    total: Number(m[6]),
    elapsedS: clock(m[7]),
    remainingS: clock(m[8]),
  };
}

/** Seconds left for the whole run: this epoch's remainder plus the later epochs at this epoch's pace. */
export function runEta(step: TrainStep, epochs: number): number {
  const perEpoch = step.done > 0 ? (step.elapsedS / step.done) * step.total : NaN;
  const thisEpoch = Number.isFinite(step.remainingS) ? step.remainingS : perEpoch - step.elapsedS;
  return thisEpoch + Math.max(0, epochs - step.epoch) * perEpoch;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export function formatStep(step: TrainStep, epochs: number): string {
  return `epoch ${step.epoch}/${epochs}  step ${step.done}/${step.total}  loss ${Number.isFinite(step.loss) ? step.loss.toFixed(4) : String(step.loss)}  ETA ${formatDuration(runEta(step, epochs))}`;
}
