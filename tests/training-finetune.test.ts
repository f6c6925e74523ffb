import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, realpath, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { csvLine } from '../src/lib/csv/write.ts';
import { emptyFindings } from '../src/lib/findings.ts';
import { finetune as finetuneCommand, runFinetune } from '../training/commands/finetune.ts';
import { runDataset } from '../training/commands/dataset.ts';
import { runCli } from '../training/lib/runner.ts';
import { BASES } from '../training/pipeline/bases.ts';
import { LineSplitter, ToolError } from '../training/pipeline/tool.ts';
import { CONFIG_DIR, parseConfig, resolveInterpolations, validateConfig } from '../training/pipeline/torchtune-config.ts';
import { missingRecipeKeys, RECIPE_KEYS, TORCHTUNE_VERSIONS } from '../training/pipeline/torchtune-versions.ts';
import { inspectRunFolder, parseProgressLine, runEta } from '../training/pipeline/tune-run.ts';
import { makeBench, type Bench } from './stand-ins/harness.ts';

/** A bench with a dataset of `n` synthetic reports and a stand-in base model download. */
async function setup(n = 300): Promise<Bench & { data: string; baseDir: string }> {
  const bench = await makeBench();
  const lines = [csvLine(['id', 'note'])];
  const labels: string[] = [];
  for (let i = 0; i < n; i++) {
    const text = i % 4 === 0 ? `Study ${i}: heart size is enlarged.` : `Study ${i}: lungs are clear.`;
    lines.push(csvLine([`s${i}`, text]));
    const findings = emptyFindings();
    if (i % 4 === 0) findings.Cardiomegaly = 'positive';
    labels.push(JSON.stringify({ id: `s${i}`, status: 'ok', result: { status: 'ok', findings, normal: i % 4 !== 0, evidence: [], engine: { name: 'rules', version: '1' } } }));
  }
  await writeFile(join(bench.root, 'reports.csv'), lines.join(''));
  await writeFile(join(bench.root, 'labels.jsonl'), `${labels.join('\n')}\n`);
  const c = bench.context();
  expect(await runDataset(['--reports', 'reports.csv', '-t', 'note', '--id-column', 'id', '--labels', 'labels.jsonl', '--out', 'data'], c)).toBe(0);
  const baseDir = join(bench.root, 'base', 'Llama-3.1-8B-Instruct');
  await promisify(execFile)(join(bench.bin, 'tune'), ['download', 'meta-llama/Llama-3.1-8B-Instruct', '--output-dir', baseDir], { env: { ...bench.env, STANDIN_LOG: '' } });
  return { ...bench, data: join(bench.root, 'data'), baseDir };
}

const yamlAt = async (path: string) => YAML.parse(await readFile(path, 'utf8'));

describe('finetune config', () => {
  it('writes a complete torchtune LoRA config with the project recipe (dry run)', async () => {
    const b = await setup();
    const c = b.context();
    expect(await runFinetune(['--base', 'llama3.1-8b', '--data', 'data', '--out', 'runs/a', '--base-dir', b.baseDir, '--dry-run'], c)).toBe(0);
    const runDir = join(b.root, 'runs', 'a');
    const text = await readFile(join(runDir, 'config.yaml'), 'utf8');
    const cfg = YAML.parse(text);
    expect(cfg.model).toEqual({
      _component_: 'torchtune.models.llama3_1.lora_llama3_1_8b',
      lora_attn_modules: ['q_proj', 'k_proj', 'v_proj', 'output_proj'],
      apply_lora_to_mlp: true,
      apply_lora_to_output: false,
      lora_rank: 8,
      lora_alpha: 16,
      lora_dropout: 0.05,
    });
    expect(cfg.tokenizer).toEqual({ _component_: 'torchtune.models.llama3.llama3_tokenizer', path: join(b.baseDir, 'original', 'tokenizer.model'), max_seq_len: null });
    expect(cfg.log_level).toBe('INFO');
    expect(cfg.checkpointer).toEqual({
      _component_: 'torchtune.training.FullModelHFCheckpointer',
      checkpoint_dir: b.baseDir,
      checkpoint_files: ['model-00001-of-00004.safetensors', 'model-00002-of-00004.safetensors', 'model-00003-of-00004.safetensors', 'model-00004-of-00004.safetensors'],
      recipe_checkpoint: null,
      output_dir: runDir,
      model_type: 'LLAMA3',
    });
    expect(cfg.resume_from_checkpoint).toBe(false);
    expect(cfg.save_adapter_weights_only).toBe(false);
    expect(cfg.dataset).toEqual({
      _component_: 'torchtune.datasets.chat_dataset',
      source: 'json',
      data_files: join(b.data, 'train.jsonl'),
      split: 'train',
      conversation_column: 'messages',
      conversation_style: 'openai',
      train_on_input: false,
      packed: false,
    });
    expect(cfg.dataset_val.data_files).toBe(join(b.data, 'validation.jsonl'));
    expect(cfg).toMatchObject({ seed: 1, shuffle: true, batch_size: 4, gradient_accumulation_steps: 32, epochs: 1, max_steps_per_epoch: null, dtype: 'bf16', enable_activation_checkpointing: true, output_dir: runDir });
    expect(cfg.batch_size * cfg.gradient_accumulation_steps).toBe(128);
    expect(cfg.optimizer).toMatchObject({ _component_: 'torch.optim.AdamW', lr: 3e-4 });
    expect(cfg.lr_scheduler).toEqual({ _component_: 'torchtune.training.lr_schedulers.get_cosine_schedule_with_warmup', num_warmup_steps: 1 });
    expect(cfg.loss._component_).toBe('torchtune.modules.loss.CEWithChunkedOutputLoss');
    expect(cfg.metric_logger).toEqual({ _component_: 'torchtune.training.metric_logging.DiskLogger', log_dir: join(runDir, 'logs') });
    expect(text).not.toContain('${');
    // The header gives the exact command, and the same command goes to stdout.
    expect(text.split('\n')[0]).toMatch(/^# torchtune LoRA config/);
    expect(text).toContain(`#   tune run lora_finetune_single_device --config ${join(runDir, 'config.yaml')}`);
    expect(c.output.out).toBe(`tune run lora_finetune_single_device --config ${join(runDir, 'config.yaml')}\n`);
    // The resolved config is logged before anything else.
    expect(c.output.err.startsWith('Resolved config')).toBe(true);
    // Dry runs let torchtune itself validate the config when it is installed.
    expect((await b.calls('tune')).map((x) => x.args)).toEqual([['validate', join(runDir, 'config.yaml')]]);
    expect(c.output.err).toContain('tune validate: Config is well-formed!');
    expect(JSON.parse(await readFile(join(runDir, 'radreportx-run.json'), 'utf8'))).toMatchObject({ status: 'planned', dataset: { promptProfile: 'json', promptVersion: 'json-1', trainExamples: 285 } });
  });

  it('applies --set overrides and keeps the effective batch across GPUs', async () => {
    const b = await setup();
    const c = b.context();
    await runFinetune(['--base', 'llama3.1-8b', '--data', 'data', '--out', 'runs/b', '--base-dir', b.baseDir, '--dry-run', '--gpus', '4',
      '--set', 'optimizer.lr=1e-4', '--set', 'model.lora_rank=16', '--set', 'batch_size=8', '--set', 'model.lora_attn_modules=[q_proj,v_proj]',
      '--set', 'max_steps_per_epoch=20', '--set', 'lr_scheduler.num_warmup_steps=7', '--set', 'profiler.enabled=false'], c);
    const cfg = await yamlAt(join(b.root, 'runs', 'b', 'config.yaml'));
    expect(cfg.optimizer.lr).toBe(1e-4);
    expect(cfg.model.lora_rank).toBe(16);
    expect(cfg.model.lora_alpha).toBe(16);
    expect(cfg.model.lora_attn_modules).toEqual(['q_proj', 'v_proj']);
    expect(cfg.batch_size).toBe(8);
    expect(cfg.gradient_accumulation_steps).toBe(4);
    expect(cfg.batch_size * cfg.gradient_accumulation_steps * 4).toBe(128);
    expect(cfg.max_steps_per_epoch).toBe(20);
    expect(cfg.lr_scheduler.num_warmup_steps).toBe(7);
    expect(cfg.profiler).toEqual({ enabled: false });
    expect(c.output.err).toMatch(/--set profiler.enabled: the shipped config has no such key/);
    expect(c.output.out).toBe(`tune run --nproc_per_node 4 lora_finetune_distributed --config ${join(b.root, 'runs', 'b', 'config.yaml')}\n`);

    const c2 = b.context();
    await runFinetune(['--base', 'llama3.1-8b', '--data', 'data', '--out', 'runs/c', '--base-dir', b.baseDir, '--dry-run', '--set', 'gradient_accumulation_steps=3', '--effective-batch', '64'], c2);
    const cfg2 = await yamlAt(join(b.root, 'runs', 'c', 'config.yaml'));
    expect(cfg2.gradient_accumulation_steps).toBe(3);
    await runFinetune(['--base', 'llama3.1-8b', '--data', 'data', '--out', 'runs/d', '--base-dir', b.baseDir, '--dry-run', '--effective-batch', '16'], b.context());
    expect((await yamlAt(join(b.root, 'runs', 'd', 'config.yaml'))).gradient_accumulation_steps).toBe(4);
  });

  it('rejects bad overrides and sizes with clear messages', async () => {
    const b = await setup();
    const base = ['--base', 'llama3.1-8b', '--data', 'data', '--out', 'runs/e', '--base-dir', b.baseDir, '--dry-run'];
    await expect(runFinetune([...base, '--set', 'lr'], b.context())).rejects.toThrow(/--set needs key=value/);
    await expect(runFinetune([...base, '--set', 'model.lora_rank=0'], b.context())).rejects.toThrow(/model.lora_rank is 0 \(expected a positive whole number\)/);
    await expect(runFinetune([...base, '--set', 'model.lora_attn_modules=[q_proj,w_proj]'], b.context())).rejects.toThrow(/lora_attn_modules/);
    await expect(runFinetune([...base, '--effective-batch', '4096'], b.context())).rejects.toThrow(/fewer than one optimizer step/);
    await expect(runFinetune(['--base', 'llama3.1-8b', '--data', 'nowhere', '--out', 'runs/e'], b.context())).rejects.toThrow(/not a dataset folder/);
    await expect(runFinetune([...base, '--set', 'loss._component_=my.loss.Module'], b.context())).rejects.toThrow(/torchtune rejected the config[\s\S]*No module named loss._component_: my.loss.Module/);
    const noTune = b.context({ PATH: join(b.root, 'empty') });
    expect(await runFinetune(['--base', 'llama3.1-8b', '--data', 'data', '--out', 'runs/h', '--base-dir', b.baseDir, '--dry-run'], noTune)).toBe(0);
    expect(noTune.output.err).toMatch(/"tune" is not on PATH here, so torchtune did not validate/);
    const io = { out: '', err: '' };
    const cli = (argv: string[]) => runCli(['finetune', ...argv], [finetuneCommand], { stdout: (s) => void (io.out += s), stderr: (s) => void (io.err += s) });
    expect(await cli(['--base', 'gpt-5', '--data', 'x', '--out', 'y'])).toBe(2);
    expect(io.err).toMatch(/--base must be one of llama3.1-8b, llama3-8b, llama3.2-3b, llama3.2-1b/);
    expect(await cli(['--help'])).toBe(0);
    expect(io.out).toMatch(/--set KEY=VALUE/);
  });

  it('writes the Llama 3.2 1B config from its own shipped file', async () => {
    const b = await setup();
    const base1b = join(b.root, 'base', 'Llama-3.2-1B-Instruct');
    await promisify(execFile)(join(b.bin, 'tune'), ['download', 'meta-llama/Llama-3.2-1B-Instruct', '--output-dir', base1b], { env: { ...b.env, STANDIN_LOG: '' } });
    const c = b.context();
    expect(await runFinetune(['--base', 'llama3.2-1b', '--data', 'data', '--out', 'runs/small', '--base-dir', base1b, '--dry-run'], c)).toBe(0);
    const cfg = await yamlAt(join(b.root, 'runs', 'small', 'config.yaml'));
    expect(cfg.model._component_).toBe('torchtune.models.llama3_2.lora_llama3_2_1b');
    expect(cfg.checkpointer).toMatchObject({ checkpoint_files: ['model.safetensors'], model_type: 'LLAMA3_2', checkpoint_dir: base1b });
    expect(c.output.err).not.toMatch(/base model files are not there/);
  });

  it('ships configs that start with their exact command and validate for every base', async () => {
    const files = (await readdir(CONFIG_DIR)).filter((f) => f.endsWith('.yaml'));
    expect(files.sort()).toEqual(Object.values(BASES).map((b) => b.config).sort());
    for (const base of Object.values(BASES)) {
      const text = await readFile(join(CONFIG_DIR, base.config), 'utf8');
      expect(text.startsWith('#')).toBe(true);
      expect(text).toContain(`tune run lora_finetune_single_device --config training/configs/${base.config}`);
      const cfg = parseConfig(text, base.config);
      expect((cfg.model as Record<string, unknown>)._component_).toBe(base.builder);
      expect(validateConfig(resolveInterpolations(cfg)), base.config).toEqual([]);
      // Every key torchtune 0.6.1's and main's LoRA recipes read without a default is there.
      for (const version of TORCHTUNE_VERSIONS) {
        for (const recipe of ['lora_finetune_single_device', 'lora_finetune_distributed'] as const) {
          for (const key of RECIPE_KEYS[version][recipe]) expect(cfg, `${base.config}: ${version} ${recipe} reads cfg.${key}`).toHaveProperty(key);
        }
      }
      expect(missingRecipeKeys(cfg, 'lora_finetune_single_device')).toEqual([]);
      expect((cfg.tokenizer as Record<string, unknown>).max_seq_len, base.config).toBeNull();
    }
    const { log_level: _, ...withoutLogLevel } = parseConfig(await readFile(join(CONFIG_DIR, BASES['llama3.1-8b'].config), 'utf8'), 'x');
    expect(missingRecipeKeys(withoutLogLevel, 'lora_finetune_distributed')).toEqual(['log_level is missing (torchtune main lora_finetune_distributed reads cfg.log_level at start-up)']);
  });
});

describe('finetune run (stand-in tune)', () => {
  it('runs tune, shows step/loss/ETA parsed from its progress lines and records the run', async () => {
    const b = await setup();
    const c = b.context();
    expect(await runFinetune(['--base', 'llama3.1-8b', '--data', 'data', '--out', 'runs/r', '--base-dir', b.baseDir, '--effective-batch', '16', '--set', 'epochs=2'], c)).toBe(0);
    const runDir = join(b.root, 'runs', 'r');
    const calls = await b.calls('tune');
    expect(calls.map((x) => x.args)).toEqual([['run', 'lora_finetune_single_device', '--config', join(runDir, 'config.yaml')]]);
    // 285 train examples, batch 4 → 71 batches, accumulation 4 → 17 steps per epoch.
    expect(c.output.err).toContain('epoch 1/2  step 1/17  loss 2.2239');
    expect(c.output.err).toContain('epoch 2/2  step 17/17  loss');
    expect(c.output.err).toMatch(/epoch 1\/2  step 17\/17  loss [0-9.]+  ETA 1m59s/);
    expect(c.output.err).toContain('Model checkpoint of size 4.63 GiB saved to');
    expect(c.output.err).not.toMatch(/\|Loss: /);
    // torchtune's own dump of the config is not repeated (it is in config.yaml and train.log).
    expect(c.output.err).toContain('Running LoRAFinetuneRecipeSingleDevice with resolved config: (see config.yaml)');
    expect(c.output.err.match(/lora_attn_modules/g)?.length).toBe(1);
    expect(c.output.out).toBe(`${join(runDir, 'epoch_1')}\n`);
    const log = await readFile(join(runDir, 'train.log'), 'utf8');
    expect(log).toContain('2|34|Loss: ');
    const record = JSON.parse(await readFile(join(runDir, 'radreportx-run.json'), 'utf8'));
    expect(record).toMatchObject({ status: 'finished', epochs: 2, stepsPerEpoch: 17, weights: join(runDir, 'epoch_1') });
    expect(record.finalLoss).toBeCloseTo(2.5 / (1 + 0.15 * 34) + 0.05, 6);
  });

  it('resumes an interrupted run from the saved epoch, then reports it finished', async () => {
    const b = await setup();
    const argv = ['--base', 'llama3.1-8b', '--data', 'data', '--out', 'runs/r', '--base-dir', b.baseDir, '--effective-batch', '16', '--set', 'epochs=3'];
    const crashed = b.context({ STANDIN_TUNE_CRASH_AT: '1:5' });
    const error = await runFinetune(argv, crashed).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToolError);
    expect((error as ToolError).message).toMatch(/"tune run" exited with code 1[\s\S]*torch.OutOfMemoryError: CUDA out of memory/);
    expect((error as ToolError).hint).toMatch(/Epoch 0 is saved; run the same command again to resume/);
    const runDir = join(b.root, 'runs', 'r');
    expect(JSON.parse(await readFile(join(runDir, 'radreportx-run.json'), 'utf8')).status).toBe('failed');

    const resumed = b.context();
    expect(await runFinetune(argv, resumed)).toBe(0);
    expect(resumed.output.err).toMatch(/Resuming: epoch_0 is saved/);
    expect(resumed.output.err).toContain('Loading the recipe state using');
    expect(resumed.output.err).toContain('epoch 2/3  step 1/17  loss');
    expect(resumed.output.err).not.toContain('epoch 1/3  step');
    expect((await yamlAt(join(runDir, 'config.yaml'))).resume_from_checkpoint).toBe(true);
    expect((await readdir(runDir)).filter((d) => d.startsWith('epoch_')).sort()).toEqual(['epoch_0', 'epoch_1', 'epoch_2']);

    await expect(runFinetune([...argv, '--set', 'model.lora_rank=16'], b.context())).rejects.toThrow(/already holds a run with model.lora_rank = 8; this one has 16/);
    const again = b.context();
    expect(await runFinetune(argv, again)).toBe(0);
    expect(again.output.err).toMatch(/already finished: .*epoch_2 holds the final weights/);
    expect((await b.calls('tune')).length).toBe(2);
  });

  it('fails clearly when tune fails, is missing, or the base weights are not downloaded', async () => {
    const b = await setup();
    const argv = ['--base', 'llama3.1-8b', '--data', 'data', '--out', 'runs/f', '--base-dir', b.baseDir];
    await expect(runFinetune(argv, b.context({ STANDIN_FAIL: 'tune' }))).rejects.toThrow(/The fine-tuning step failed: "tune run" exited with code 1\.\nLast lines of its log:[\s\S]*ImportError: cannot import name/);
    const noTune = await makeBench(['python3']);
    await mkdir(join(noTune.root, 'data'));
    for (const f of ['dataset.json', 'train.jsonl', 'validation.jsonl']) await writeFile(join(noTune.root, 'data', f), await readFile(join(b.data, f)));
    await expect(runFinetune(['--base', 'llama3.1-8b', '--data', 'data', '--out', 'runs/f', '--base-dir', b.baseDir], noTune.context())).rejects.toThrow(/The "tune" command was not found on PATH/);
    const missing = runFinetune(['--base', 'llama3.1-8b', '--data', 'data', '--out', 'runs/g', '--base-dir', join(b.root, 'nothing')], b.context());
    await expect(missing).rejects.toMatchObject({ name: 'BadUsage', hint: expect.stringContaining('tune download meta-llama/Llama-3.1-8B-Instruct --output-dir') });
  });
});

describe('run folder', () => {
  it('tells fresh, resumable and finished runs apart, in current and older torchtune layouts', async () => {
    const b = await makeBench([]);
    const dir = join(b.root, 'run');
    expect((await inspectRunFolder(dir, 2)).status).toBe('fresh');
    await mkdir(join(dir, 'epoch_0'), { recursive: true });
    await writeFile(join(dir, 'epoch_0', 'adapter_model.safetensors'), 'x');
    // An epoch folder without merged weights (saving was cut off) does not count.
    expect((await inspectRunFolder(dir, 2)).status).toBe('fresh');
    await writeFile(join(dir, 'epoch_0', 'hf_model_0001_0.pt'), 'x');
    expect((await inspectRunFolder(dir, 2)).status).toBe('fresh');
    await writeFile(join(dir, 'recipe_state.pt'), 'x');
    expect(await inspectRunFolder(dir, 2)).toMatchObject({ status: 'resumable', epochs: [0], recipeState: join(dir, 'recipe_state.pt') });
    expect((await inspectRunFolder(dir, 1)).status).toBe('finished');
    await mkdir(join(dir, 'epoch_1'));
    await writeFile(join(dir, 'epoch_1', 'model-00001-of-00002.safetensors'), 'x');
    expect(await inspectRunFolder(dir, 2)).toMatchObject({ status: 'finished', epochs: [0, 1], lastCheckpointDir: join(dir, 'epoch_1') });
  });
});

describe('progress parsing', () => {
  it('reads torchtune tqdm lines and splits on carriage returns', () => {
    const s = parseProgressLine('1|12|Loss: 1.2345678520202637:  15%|█▌        | 12/78 [01:24<07:42,  7.00s/it]');
    expect(s).toEqual({ epoch: 1, globalStep: 12, loss: 1.2345678520202637, done: 12, total: 78, elapsedS: 84, remainingS: 462 });
    expect(runEta(s!, 2)).toBe(462 + 7 * 78);
    expect(parseProgressLine('2|100|Loss: nan: 100%|██████████| 50/50 [1:02:03<00:00, 74.47s/it]')).toMatchObject({ epoch: 2, loss: NaN, elapsedS: 3723 });
    expect(parseProgressLine('INFO:torchtune.utils._logging:Loss is initialized.')).toBeUndefined();
    const lines: string[] = [];
    const split = new LineSplitter((l) => lines.push(l));
    split.push('a\rb\r');
    split.push('\nc\r\nd');
    split.end();
    expect(lines).toEqual(['a', 'b', 'c', 'd']);
  });
});

describe('torchtune main (stand-in tune with STANDIN_TORCHTUNE=main)', () => {
  const MAIN = { STANDIN_TORCHTUNE: 'main' };

  it('runs the generated config, and the stand-in stops a config without log_level at start-up as main does', async () => {
    const b = await setup();
    const argv = ['--base', 'llama3.1-8b', '--data', 'data', '--out', 'runs/m', '--base-dir', b.baseDir, '--effective-batch', '16'];
    expect(await runFinetune(argv, b.context(MAIN))).toBe(0);
    // The same config without log_level: what the CLI wrote before log_level was added.
    const runDir = join(b.root, 'runs', 'm');
    const cfg = await yamlAt(join(runDir, 'config.yaml'));
    delete cfg.log_level;
    await writeFile(join(b.root, 'old.yaml'), YAML.stringify({ ...cfg, output_dir: join(b.root, 'runs', 'old'), checkpointer: { ...cfg.checkpointer, output_dir: join(b.root, 'runs', 'old') } }));
    const run = await promisify(execFile)(join(b.bin, 'tune'), ['run', 'lora_finetune_single_device', '--config', join(b.root, 'old.yaml')], { env: { ...b.env, ...MAIN } }).catch((e: { code: number; stderr: string }) => e);
    expect(run).toMatchObject({ code: 1, stderr: expect.stringContaining('omegaconf.errors.ConfigAttributeError: Missing key log_level') });
    // torchtune 0.6.1 does not read it.
    await expect(promisify(execFile)(join(b.bin, 'tune'), ['run', 'lora_finetune_single_device', '--config', join(b.root, 'old.yaml')], { env: b.env })).resolves.toBeDefined();
  });

  it('resumes from epoch_N/recipe_state.pt, the layout main writes', async () => {
    const b = await setup();
    const argv = ['--base', 'llama3.1-8b', '--data', 'data', '--out', 'runs/r', '--base-dir', b.baseDir, '--effective-batch', '16', '--set', 'epochs=2'];
    await expect(runFinetune(argv, b.context({ ...MAIN, STANDIN_TUNE_CRASH_AT: '1:3' }))).rejects.toThrow(/CUDA out of memory/);
    const runDir = join(b.root, 'runs', 'r');
    expect(await readdir(join(runDir, 'epoch_0'))).toContain('recipe_state.pt');
    const resumed = b.context(MAIN);
    expect(await runFinetune(argv, resumed)).toBe(0);
    expect(resumed.output.err).toMatch(/Resuming: epoch_0 is saved \(recipe state .*epoch_0\/recipe_state.pt\)/);
    expect(resumed.output.err).toContain('epoch 2/2  step 1/17');
  });

  it('writes checkpoint_dir without "step"/"epoch" when resuming, so main does not take the base folder for a checkpoint', async () => {
    const b = await setup();
    const home = join(b.root, 'home', 'stephen');
    await mkdir(home, { recursive: true });
    const baseDir = join(home, 'Llama-3.1-8B-Instruct');
    await promisify(execFile)(join(b.bin, 'tune'), ['download', 'meta-llama/Llama-3.1-8B-Instruct', '--output-dir', baseDir], { env: { ...b.env, STANDIN_LOG: '' } });
    const argv = ['--base', 'llama3.1-8b', '--data', 'data', '--out', 'runs/s', '--base-dir', baseDir, '--effective-batch', '16', '--set', 'epochs=2'];
    await expect(runFinetune(argv, b.context({ ...MAIN, STANDIN_TUNE_CRASH_AT: '1:2' }))).rejects.toThrow(/CUDA out of memory/);
    const resumed = b.context(MAIN);
    expect(await runFinetune(argv, resumed)).toBe(0);
    const cfg = await yamlAt(join(b.root, 'runs', 's', 'config.yaml'));
    // Relative to the run's folder the path still says "stephen", so it goes through a link.
    expect(cfg.checkpointer.checkpoint_dir).toMatch(/^\.radreportx-base-[0-9a-f]{8}$/);
    expect(await realpath(join(b.root, cfg.checkpointer.checkpoint_dir))).toBe(await realpath(baseDir));
    expect(resumed.output.err).toMatch(/checkpoint_dir is written as "\.radreportx-base-/);
    // Running the same command again sees the same run (the link and the path are one folder).
    const done = b.context(MAIN);
    expect(await runFinetune(argv, done)).toBe(0);
    expect(done.output.err).toMatch(/already finished/);
    // Had it stayed absolute, main would have looked for the recipe state in the base folder:
    cfg.checkpointer.checkpoint_dir = baseDir;
    cfg.resume_from_checkpoint = true;
    await writeFile(join(b.root, 'abs.yaml'), YAML.stringify(cfg));
    const run = await promisify(execFile)(join(b.bin, 'tune'), ['run', 'lora_finetune_single_device', '--config', join(b.root, 'abs.yaml')], { env: { ...b.env, ...MAIN }, cwd: b.root }).catch((e: { stderr: string }) => e);
    expect((run as { stderr: string }).stderr).toContain(`AssertionError: recipe_state.pt not found in ${baseDir}`);
  });

  it('sees step_N folders (save_every_n_steps) and adapter-only saves as a finished run', async () => {
    const b = await setup();
    const steps = ['--base', 'llama3.1-8b', '--data', 'data', '--out', 'runs/st', '--base-dir', b.baseDir, '--gpus', '2', '--effective-batch', '16', '--set', 'save_every_n_steps=4'];
    const c = b.context(MAIN);
    expect(await runFinetune(steps, c)).toBe(0);
    const runDir = join(b.root, 'runs', 'st');
    // 285 examples / (4 x 2 GPUs) = 35 batches, accumulation 2 -> 17 steps; the last save is step_17.
    expect((await readdir(runDir)).filter((d) => d.startsWith('step_')).sort()).toEqual(['step_17']);
    expect(c.output.out).toBe(`${join(runDir, 'step_17')}\n`);
    expect(JSON.parse(await readFile(join(runDir, 'radreportx-run.json'), 'utf8')).status).toBe('finished');
    const again = b.context(MAIN);
    expect(await runFinetune(steps, again)).toBe(0);
    expect(again.output.err).toMatch(/already finished: .*step_17 holds the final weights/);

    const adapter = b.context();
    expect(await runFinetune(['--base', 'llama3.1-8b', '--data', 'data', '--out', 'runs/ad', '--base-dir', b.baseDir, '--effective-batch', '16', '--set', 'save_adapter_weights_only=True'], adapter)).toBe(0);
    expect(adapter.output.err).toMatch(/holds only the LoRA adapter \(save_adapter_weights_only: True\)/);
  });
});

describe('finetune --recipe paper', () => {
  /** An Alpaca-format dataset folder as "dataset --format alpaca" writes it. */
  async function alpacaData(b: Bench, n = 300): Promise<string> {
    const dir = join(b.root, 'data-paper');
    await mkdir(dir, { recursive: true });
    const records = Array.from({ length: n }, (_, i) => JSON.stringify({ id: `r${i}`, task: i % 3 ? 'icd10' : 'findings', instruction: `prompt ${i}`, input: '', output: '[]' }));
    await writeFile(join(dir, 'train.jsonl'), `${records.join('\n')}\n`);
    await writeFile(join(dir, 'validation.jsonl'), '');
    const stats = { promptTokens: { p50: 300, p90: 400, p99: 500, max: 600 }, answerTokens: { p50: 10, p90: 20, p99: 30, max: 40 } };
    await writeFile(join(dir, 'dataset.json'), JSON.stringify({ kind: 'radreportx-dataset', format: 'alpaca', task: 'both', promptProfile: 'release', promptVersion: 'release-a7f70a8', files: { train: { path: 'train.jsonl', examples: n, sha256: 'x' }, validation: { path: 'validation.jsonl', examples: 0, sha256: 'y' } }, stats }));
    return dir;
  }

  it("writes the reference's training setup key by key (dry run)", async () => {
    const b = await setup();
    await alpacaData(b);
    const baseDir = join(b.root, 'base', 'meta');
    await promisify(execFile)(join(b.bin, 'tune'), ['download', 'meta-llama/Llama-3.1-8B-Instruct', '--output-dir', baseDir, '--ignore-patterns', '*.safetensors'], { env: { ...b.env, STANDIN_LOG: '' } });
    const c = b.context();
    expect(await runFinetune(['--recipe', 'paper', '--data', 'data-paper', '--out', 'runs/paper', '--base-dir', baseDir, '--dry-run'], c)).toBe(0);
    const cfg = await yamlAt(join(b.root, 'runs', 'paper', 'config.yaml'));
    // ../shared/reference/README.md, "Training (8B_lora_single_device.yaml)", one line per point:
    expect(cfg.model._component_).toBe('torchtune.models.llama3.lora_llama3_8b'); // Llama-3 RoPE, no 3.1 scaling
    expect(cfg.model.lora_attn_modules).toEqual(['q_proj', 'v_proj']); // q and v only
    expect(cfg.model.apply_lora_to_mlp).toBe(false); // no MLP
    expect(cfg.model.apply_lora_to_output).toBe(false); // no output projection
    expect(cfg.model.lora_rank).toBe(8);
    expect(cfg.model.lora_alpha).toBe(16);
    expect(cfg.model.lora_dropout).toBe(0.05);
    expect(cfg.batch_size).toBe(2);
    expect(cfg.gradient_accumulation_steps).toBe(64); // effective 128
    expect(cfg.epochs).toBe(1);
    expect(cfg.optimizer).toEqual({ _component_: 'torch.optim.AdamW', weight_decay: 0.01, lr: 3e-4 });
    expect(cfg.lr_scheduler).toEqual({ _component_: 'torchtune.training.lr_schedulers.get_cosine_schedule_with_warmup', num_warmup_steps: 100 });
    expect(cfg.dtype).toBe('bf16');
    expect(cfg.enable_activation_checkpointing).toBe(true);
    expect(cfg.seed).toBeNull();
    expect(cfg.loss).toEqual({ _component_: 'torch.nn.CrossEntropyLoss' });
    expect(cfg.dataset).toEqual({ _component_: 'torchtune.datasets.alpaca_dataset', source: 'json', data_files: join(b.root, 'data-paper', 'train.jsonl'), split: 'train', train_on_input: false, packed: false });
    expect(cfg.checkpointer).toMatchObject({ _component_: 'torchtune.training.FullModelMetaCheckpointer', checkpoint_dir: join(baseDir, 'original'), checkpoint_files: ['consolidated.00.pth'], model_type: 'LLAMA3' });
    expect(cfg.tokenizer.max_seq_len).toBeNull();
    expect(cfg.log_level).toBe('INFO');
    expect(c.output.err).not.toMatch(/base model files are not there/);
    const text = await readFile(join(b.root, 'runs', 'paper', 'config.yaml'), 'utf8');
    expect(text).toMatch(/# Recipe: paper .*best results were near lr 1e-5/);

    // It trains on the stand-in too (main's key set), and says how to build the Meta-format result.
    const run = b.context({ STANDIN_TORCHTUNE: 'main' });
    expect(await runFinetune(['--recipe', 'paper', '--data', 'data-paper', '--out', 'runs/paper', '--base-dir', baseDir, '--effective-batch', '8', '--set', 'lr_scheduler.num_warmup_steps=1'], run)).toBe(0);
    expect(run.output.err).toContain(`Next: radreportx build-model --from-meta ${join(b.root, 'runs', 'paper', 'epoch_0', 'model-00001-of-00001.pt')}`);
  });

  it('refuses chat data and other bases', async () => {
    const b = await setup();
    await expect(runFinetune(['--recipe', 'paper', '--data', 'data', '--out', 'runs/p2', '--dry-run'], b.context())).rejects.toThrow(/--recipe paper trains on Alpaca instruction\/output records/);
    await alpacaData(b);
    await expect(runFinetune(['--recipe', 'paper', '--base', 'llama3.2-1b', '--data', 'data-paper', '--out', 'runs/p3', '--dry-run'], b.context())).rejects.toThrow(/--base llama3.2-1b does not fit it/);
    await expect(runFinetune(['--base', 'llama3-8b', '--data', 'data', '--out', 'runs/p4', '--dry-run'], b.context())).rejects.toThrow(/train it with --recipe paper/);
  });
});
