/** `radreportx finetune`: writes the torchtune LoRA config for a dataset and runs `tune run`, resuming when it can. */
import { mkdir } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { UsageError } from '../../src/lib/errors.ts';
import { oneOf, parseCommandArgs, positiveInt, required } from '../lib/args.ts';
import type { Command } from '../lib/command.ts';
import { BASE_IDS, BASES, downloadCommand, type BaseId } from '../pipeline/bases.ts';
import { writeFileAtomic, writeJsonAtomic } from '../pipeline/files.ts';
import { PAPER_BASE, planFinetune, RECIPES, type FinetunePlan, type RecipeId } from '../pipeline/finetune-plan.ts';
import { processContext, runTool, spawnTool, ToolError, type RunContext } from '../pipeline/tool.ts';
import { renderYaml } from '../pipeline/torchtune-config.ts';
import { formatDuration, formatStep, inspectRunFolder, parseProgressLine, type TrainStep } from '../pipeline/tune-run.ts';

const OPTIONS = {
  base: { type: 'string' },
  recipe: { type: 'string' },
  data: { type: 'string' },
  out: { type: 'string', short: 'o' },
  'base-dir': { type: 'string' },
  gpus: { type: 'string' },
  'effective-batch': { type: 'string' },
  set: { type: 'string', multiple: true },
  'dry-run': { type: 'boolean' },
  restart: { type: 'boolean' },
} as const;

const help = `Usage: radreportx finetune --base llama3.1-8b --data data/ --out runs/NAME [options]
       radreportx finetune --recipe paper --data data-paper/ --out runs/paper-8b [options]

Writes a complete torchtune LoRA config for the dataset (runs/NAME/config.yaml), prints it, then runs
  tune run lora_finetune_single_device --config runs/NAME/config.yaml            (one GPU)
  tune run --nproc_per_node N lora_finetune_distributed --config runs/NAME/config.yaml   (--gpus N)
showing epoch, step, loss and ETA from torchtune's progress lines. The whole log goes to runs/NAME/train.log.
Merged weights land in runs/NAME/epoch_<N>/ (the input of "radreportx build-model"). Written for torchtune 0.6.1
and main (both key sets are checked before anything runs).

Required:
      --base MODEL          ${BASE_IDS.filter((b) => b !== PAPER_BASE).join(' | ')} (--recipe paper: ${PAPER_BASE}, the default)
      --data DIR            a folder written by "radreportx dataset"
  -o, --out DIR             the run folder (torchtune's output_dir)

Options:
      --recipe R            ${RECIPES.join(' | ')} (default project)
      --base-dir DIR        the base model's Hugging Face download (default runs/base/<model name>); get it with
                            ${downloadCommand(BASES['llama3.1-8b'], 'runs/base/Llama-3.1-8B-Instruct')}
                            (--recipe paper reads the Meta-format weights: ${downloadCommand(BASES[PAPER_BASE], 'DIR')})
      --gpus N              GPUs on this host (default 1)
      --effective-batch N   batch_size × gradient_accumulation_steps × GPUs (default 128, the paper's)
      --set KEY=VALUE       override any config key, repeatable: --set optimizer.lr=1e-4 --set model.lora_rank=16
                            --set epochs=2 --set batch_size=8 --set max_steps_per_epoch=20 (values are YAML)
      --dry-run             write and print the config and the command, check the base files, and run only "tune validate" (when tune is installed), no training
      --restart             ignore saved epochs and start again (default: resume an interrupted run)

Recipes:
  project (training/configs/<base>_lora.yaml): this project's own recipe, not the paper's: LoRA rank 8, alpha 16,
    dropout 0.05 on the q/k/v/output projections and the MLP; AdamW lr 3e-4, cosine schedule with 6% warmup; 1 epoch;
    bf16; activation checkpointing; batch_size 4 with gradient accumulation making the effective batch 128; the
    chat-format data of "radreportx dataset".
  paper (training/configs/paper_llama3_8b_lora.yaml): the authors' setup: torchtune.models.llama3.lora_llama3_8b
    (Llama-3 RoPE) on Llama-3.1-8B-Instruct weights, LoRA on q_proj and v_proj only, rank 8, alpha 16, dropout 0.05;
    batch 2 x accumulation 64; cosine schedule with 100 warm-up steps; lr 3e-4 (the paper's best was near 1e-5:
    --set optimizer.lr=1e-5); seed null; alpaca_dataset with train_on_input False (dataset --format alpaca
    --prompt-profile release); FullModelMetaCheckpointer, so build it with build-model --from-meta.
  Both: tokenizer.max_seq_len null (no truncation), log_level INFO.

Re-running the same command resumes: when runs/NAME holds a checkpoint (epoch_N/ or, on torchtune main with
save_every_n_steps, step_N/) and torchtune's recipe state, the config gets resume_from_checkpoint: True; when the
last one is already saved it says so and stops. Without save_every_n_steps torchtune saves only at the end of each
epoch, so an interrupted 1-epoch run starts over.

Examples:
  radreportx finetune --base llama3.1-8b --data data/ --out runs/rrx-8b --dry-run
  radreportx finetune --base llama3.2-1b --data data/ --out runs/rrx-1b --set epochs=3 --set optimizer.lr=2e-4
  radreportx finetune --recipe paper --data data-paper/ --out runs/paper-8b --dry-run
`;

function header(plan: FinetunePlan, argv: string[]): string[] {
  const cfg = plan.config;
  return [
    `torchtune LoRA config for RadReportX, written by "radreportx finetune" on ${new Date().toISOString()}.`,
    `Base: ${plan.base.hfRepo}; data: ${cfg.data_dir} (${plan.dataset.files.train.examples} train examples, profile ${plan.dataset.promptProfile}, ${plan.dataset.promptVersion}).`,
    plan.recipeId === 'paper'
      ? "Recipe: paper (the authors' 8B_lora_single_device.yaml; the paper's best results were near lr 1e-5, the released YAML says 3e-4)."
      : "Recipe: project (this project's own; --recipe paper for the authors').",
    'Written for torchtune 0.6.1 and main.',
    '',
    'Exact command (what radreportx runs):',
    `  tune ${plan.tuneArgs.join(' ')}`,
    `Made by: radreportx finetune ${argv.join(' ')}`,
    '',
    `Effective batch ${plan.effectiveBatch} = batch_size ${cfg.batch_size} x gradient_accumulation_steps ${cfg.gradient_accumulation_steps} x ${plan.recipe.endsWith('distributed') ? 'GPUs' : '1 GPU'}; ` +
      `${plan.stepsPerEpoch} optimizer steps per epoch.`,
  ];
}

/** Shows torchtune's progress: redrawn in place on a terminal, else a line per 10% of the epoch (and its ends). */
class TrainProgress {
  last: TrainStep | undefined;
  #lastShownDecile = -1;
  #lastShownAt = 0;
  constructor(private readonly ctx: RunContext, private readonly epochs: number) {}
  update(step: TrainStep): void {
    const firstOfEpoch = this.last?.epoch !== step.epoch;
    this.last = step;
    const line = formatStep(step, this.epochs);
    if (this.ctx.tty) {
      this.ctx.err(`\r\x1b[K${line}`);
      return;
    }
    const decile = Math.floor((10 * step.done) / Math.max(1, step.total));
    const now = Date.now();
    if (firstOfEpoch || step.done === step.total || decile !== this.#lastShownDecile || now - this.#lastShownAt > 60_000) {
      this.#lastShownDecile = decile;
      this.#lastShownAt = now;
      this.ctx.err(`${line}\n`);
    }
  }
  /** Before printing a log line, end the in-place progress line. */
  clear(): void {
    if (this.ctx.tty && this.last) this.ctx.err('\r\x1b[K');
  }
}

/**
 * `tune validate` checks every `_component_` and its arguments against the installed torchtune without loading
 * weights. Where torchtune is not installed (preparing configs on a laptop) the static checks have to do.
 */
async function validateWithTune(ctx: RunContext, configPath: string): Promise<void> {
  let result;
  try {
    result = await spawnTool(ctx, 'tune', ['validate', configPath], { keep: 15 });
  } catch (e) {
    if (!(e instanceof ToolError)) throw e;
    ctx.err('note: "tune" is not on PATH here, so torchtune did not validate the config (radreportx\'s own checks passed).\n');
    return;
  }
  const said = result.lastLines.filter((l) => l.trim());
  if (result.exitCode !== 0) {
    throw new ToolError('tune', `torchtune rejected the config ("tune validate" exited with code ${result.exitCode}):\n${said.map((l) => `  | ${l}`).join('\n')}`, 'Fix it with --set key=value.', result.exitCode, said);
  }
  ctx.err(`tune validate: ${said.at(-1) ?? 'ok'}\n`);
}

/** Passes torchtune's log through, minus its dump of the config (already printed above) and the tqdm lines. */
function logFilter(ctx: RunContext, progress: TrainProgress): (line: string) => void {
  let inDump = false;
  return (line) => {
    const step = parseProgressLine(line);
    if (step) {
      progress.update(step);
      return;
    }
    if (/with resolved config:\s*$/.test(line)) {
      inDump = true;
      progress.clear();
      ctx.err(`  ${line.trim()} (see config.yaml)\n`);
      return;
    }
    if (inDump && !/^(INFO|WARNING|ERROR|DEBUG|Traceback|[A-Z]\d{4} )/.test(line)) return;
    inDump = false;
    if (line.trim()) {
      progress.clear();
      ctx.err(`  ${line}\n`);
    }
  };
}

function expectation(plan: FinetunePlan) {
  const epochs = plan.config.epochs as number;
  return { epochs, totalSteps: plan.stepsPerEpoch * epochs, adapterOnly: plan.config.save_adapter_weights_only === true };
}

/** What to run after training: build-model on the merged weights (Meta format for the paper's checkpointer). */
function nextStep(plan: FinetunePlan, dir: string): string {
  if (plan.config.save_adapter_weights_only === true) {
    return `${dir} holds only the LoRA adapter (save_adapter_weights_only: True); build-model needs merged weights: train with --set save_adapter_weights_only=False, or merge the adapter into the base first.`;
  }
  const id = `RadReportX-${plan.base.size}-${plan.recipeId === 'paper' ? 'paper' : 'custom'}`;
  if (plan.recipeId === 'paper') return `Next: radreportx build-model --from-meta ${join(dir, 'model-00001-of-00001.pt')} --base-dir ${plan.config.base_dir} --quantization q4f16_1 --id ${id} --prompt-profile release`;
  return `Next: radreportx build-model --hf-dir ${dir} --quantization q4f16_1 --id ${id}`;
}

export async function runFinetune(argv: string[], ctx: RunContext): Promise<number> {
  const { values: v } = parseCommandArgs(argv, OPTIONS);
  const recipe = oneOf(v.recipe, 'recipe', RECIPES, 'project' as RecipeId);
  const baseId = oneOf(recipe === 'paper' ? (v.base ?? PAPER_BASE) : required(v.base, 'base'), 'base', BASE_IDS, 'llama3.1-8b' as BaseId);
  const base = BASES[baseId];
  const outDir = resolve(ctx.cwd, required(v.out, 'out'));
  const plan = await planFinetune({
    recipe,
    cwd: ctx.cwd,
    base: baseId,
    dataDir: resolve(ctx.cwd, required(v.data, 'data')),
    outDir,
    baseDir: resolve(ctx.cwd, v['base-dir'] ?? join('runs', 'base', base.dirName)),
    gpus: positiveInt(v.gpus, 'gpus', 1),
    effectiveBatch: positiveInt(v['effective-batch'], 'effective-batch', 128),
    overrides: v.set ?? [],
    restart: v.restart ?? false,
  });
  const epochs = plan.config.epochs as number;
  const yaml = renderYaml(plan.config, header(plan, argv));

  // The resolved config comes first, as torchtune's own recipes log it.
  ctx.err(`Resolved config (${relative(ctx.cwd, plan.configPath) || plan.configPath}):\n${yaml}\n`);
  for (const w of plan.warnings) ctx.err(`warning: ${w}\n`);

  if (plan.state.status === 'finished' && !v.restart) {
    ctx.err(`This run is already finished: ${plan.state.lastCheckpointDir} holds the final weights. Nothing to do.\n` +
      `${nextStep(plan, plan.state.lastCheckpointDir!)}\n` +
      'Use --restart to train again into the same folder, or choose another --out.\n');
    return 0;
  }
  if (plan.state.status === 'resumable' && !v.restart) {
    ctx.err(`Resuming: ${relative(outDir, plan.state.lastCheckpointDir!)} is saved (recipe state ${plan.state.recipeState}); resume_from_checkpoint: True.\n`);
  }

  await mkdir(outDir, { recursive: true });
  await writeFileAtomic(plan.configPath, yaml);
  const record = {
    kind: 'radreportx-run',
    recipe: plan.recipeId,
    base: baseId,
    hfRepo: base.hfRepo,
    createdAt: new Date().toISOString(),
    config: 'config.yaml',
    command: `tune ${plan.tuneArgs.join(' ')}`,
    effectiveBatch: plan.effectiveBatch,
    stepsPerEpoch: plan.stepsPerEpoch,
    epochs,
    dataset: {
      dir: plan.config.data_dir,
      task: plan.dataset.task,
      promptProfile: plan.dataset.promptProfile,
      promptVersion: plan.dataset.promptVersion,
      trainExamples: plan.dataset.files.train.examples,
      trainSha256: plan.dataset.files.train.sha256,
    },
  };
  const recordPath = join(outDir, 'radreportx-run.json');

  if (plan.missingBaseFiles.length) {
    const message = `The base model files are not there: ${plan.missingBaseFiles.slice(0, 3).join(', ')}${plan.missingBaseFiles.length > 3 ? ', ...' : ''}.`;
    const hint = `Download them with:\n  ${downloadCommand(base, String(plan.config.base_dir))}\n(or point --base-dir at an existing download).`;
    if (!v['dry-run']) throw new UsageError(message, hint);
    ctx.err(`warning: ${message}\n${hint}\n`);
  }
  if (v['dry-run']) {
    await writeJsonAtomic(recordPath, { ...record, status: 'planned' });
    await validateWithTune(ctx, plan.configPath);
    ctx.err(`Dry run: wrote ${plan.configPath}. To train:\n`);
    ctx.out(`tune ${plan.tuneArgs.join(' ')}\n`);
    return 0;
  }

  await writeJsonAtomic(recordPath, { ...record, status: 'running' });
  const logFile = join(outDir, 'train.log');
  ctx.err(`Running: tune ${plan.tuneArgs.join(' ')}\nLog: ${logFile}\n`);
  const progress = new TrainProgress(ctx, epochs);
  const started = Date.now();
  try {
    await runTool(ctx, 'tune', plan.tuneArgs, {
      logFile,
      what: 'fine-tuning',
      keep: 25,
      onLine: logFilter(ctx, progress),
    });
  } catch (e) {
    progress.clear();
    const after = await inspectRunFolder(outDir, expectation(plan));
    await writeJsonAtomic(recordPath, { ...record, status: 'failed', failedAt: new Date().toISOString(), lastStep: progress.last ?? null });
    if (e instanceof ToolError && after.lastCheckpointDir) {
      throw new ToolError(e.tool, e.message, `${e.hint ?? ''} ${after.epochs.length ? `Epoch ${after.epochs.at(-1)}` : `Step ${after.steps.at(-1)}`} is saved; run the same command again to resume.`.trim(), e.exitCode, e.lastLines);
    }
    throw e;
  }
  progress.clear();
  const after = await inspectRunFolder(outDir, expectation(plan));
  if (after.status !== 'finished') {
    await writeJsonAtomic(recordPath, { ...record, status: 'failed', lastStep: progress.last ?? null });
    throw new ToolError('tune', `torchtune exited without saving the final checkpoint (epoch_${epochs - 1}/) in ${outDir}.`, `See ${logFile}.`, 0, []);
  }
  await writeJsonAtomic(recordPath, {
    ...record,
    status: 'finished',
    finishedAt: new Date().toISOString(),
    seconds: Math.round((Date.now() - started) / 1000),
    finalLoss: progress.last?.loss ?? null,
    weights: after.lastCheckpointDir,
  });
  ctx.err(`Finished in ${formatDuration((Date.now() - started) / 1000)}${progress.last ? `, final loss ${progress.last.loss.toFixed(4)}` : ''}. Merged weights: ${after.lastCheckpointDir}\n` +
    `${nextStep(plan, after.lastCheckpointDir!)}\n`);
  ctx.out(`${after.lastCheckpointDir}\n`);
  return 0;
}

export const finetune: Command = {
  name: 'finetune',
  summary: 'write the torchtune LoRA config for a dataset and run it (resumes interrupted runs)',
  help,
  run: (argv) => runFinetune(argv, processContext()),
};
