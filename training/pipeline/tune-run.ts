/**
 * What a torchtune run folder holds (to resume or skip a finished run) and what torchtune prints while training
 * (to show step, loss and ETA).
 *
 * torchtune (0.6+) writes `epoch_N/` after each epoch with the merged HF weights, the adapter and the copied
 * tokenizer files; after every epoch but the last it also writes the recipe state (optimizer, sampler, step) to
 * `recipe_state/recipe_state.pt` (older releases: `recipe_state.pt` in the run folder or the epoch folder).
 * With `resume_from_checkpoint: True` it finds both on its own.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { exists } from './files.ts';

export interface RunFolderState {
  /** Epoch numbers (0-based) with saved weights. */
  epochs: number[];
  recipeState: string | undefined;
  /** `fresh`: nothing saved; `resumable`: an unfinished run with recipe state; `finished`: the last epoch is saved. */
  status: 'fresh' | 'resumable' | 'finished';
  /** Folder of the newest merged HF weights, when any. */
  lastEpochDir: string | undefined;
}

const MODEL_FILE = /^(model-\d+-of-\d+\.safetensors|model\.safetensors|ft-model-\d+-of-\d+\.safetensors|hf_model_\d+_\d+\.pt|pytorch_model.*\.bin)$/;

export async function hasMergedWeights(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).some((f) => MODEL_FILE.test(f));
  } catch {
    return false;
  }
}

export async function inspectRunFolder(dir: string, totalEpochs: number): Promise<RunFolderState> {
  let names: string[] = [];
  try {
    names = await readdir(dir);
  } catch {
    return { epochs: [], recipeState: undefined, status: 'fresh', lastEpochDir: undefined };
  }
  const epochs: number[] = [];
  for (const name of names) {
    const m = /^epoch_(\d+)$/.exec(name);
    if (m && (await hasMergedWeights(join(dir, name)))) epochs.push(Number(m[1]));
  }
  epochs.sort((a, b) => a - b);
  const last = epochs.length ? epochs[epochs.length - 1] : undefined;
  const candidates = [join(dir, 'recipe_state', 'recipe_state.pt'), join(dir, 'recipe_state.pt'), ...(last === undefined ? [] : [join(dir, `epoch_${last}`, 'recipe_state.pt')])];
  let recipeState: string | undefined;
  for (const c of candidates) if (await exists(c)) recipeState ??= c;
  const lastEpochDir = last === undefined ? undefined : join(dir, `epoch_${last}`);
  if (last !== undefined && last >= totalEpochs - 1) return { epochs, recipeState, status: 'finished', lastEpochDir };
  if (recipeState && last !== undefined) return { epochs, recipeState, status: 'resumable', lastEpochDir };
  return { epochs, recipeState, status: 'fresh', lastEpochDir };
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
