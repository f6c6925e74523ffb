// Stand-ins for the CUDA host's tools (tune, mlc_llm, python, nvidia-smi, emcc), for tests on a machine without a
// GPU. Each records its arguments, prints logs shaped like the real tool's, writes small but well-formed output
// files, and fails on demand:
//   STANDIN_LOG=file            append {"tool","args","cwd"} per call (JSON lines)
//   STANDIN_FAIL=tool[:sub],... exit 1 with a realistic error (e.g. "tune", "mlc_llm:convert_weight")
//   STANDIN_TUNE_CRASH_AT=E:S   tune: CUDA out-of-memory at epoch E (0-based), step S
//   STANDIN_MLC_TRUNCATE=1      mlc_llm convert_weight: last shard shorter than tensor-cache.json says
//   STANDIN_MLC_DROP_SHARD=1    mlc_llm convert_weight: one listed shard not written
//   STANDIN_MLC_CORRUPT=1       mlc_llm convert_weight: a byte of shard 0 differs from its recorded md5
//   STANDIN_MLC_CACHE_NAME=n    mlc_llm convert_weight: manifest file name (older mlc_llm: ndarray-cache.json)
//   STANDIN_NO_GPU=1            nvidia-smi: no driver; python: torch without CUDA
//   STANDIN_GPUS="name, totalMiB, freeMiB, driver; ..."   nvidia-smi rows
//   STANDIN_PYTHON_VERSION, STANDIN_TORCH, STANDIN_TORCHTUNE, STANDIN_TORCHAO, STANDIN_TORCHDATA, STANDIN_MLC ("none" = not
//                               installed), STANDIN_MLC_DIST (its wheel name), STANDIN_DRIVER_CUDA (nvidia-smi's banner)
//   STANDIN_TORCHTUNE=main      tune run behaves like torchtune's main branch (log_level required, epoch_N/recipe_state.pt,
//                               step_N/ folders, checkpoint_dir substring test on resume); default 0.6.1
//   MLC_LLM_SOURCE_DIR, TVM_SOURCE_DIR  mlc_llm compile --device webgpu looks for their web/dist/wasm/*.bc, as the real one
// Each rule that rejects input names the file (and line) of the real tool it imitates; docs/rebuild-model.md has
// the table.
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';
import YAML from 'yaml';
import { convert as convertHfToGguf } from './gguf-tools.mjs';

const env = process.env;
const out = (s) => process.stdout.write(s);
const err = (s) => process.stderr.write(s);
const stamp = () => `[2025-06-02 10:${String(new Date().getMinutes()).padStart(2, '0')}:0${new Date().getSeconds() % 10}]`;

function record(tool, args) {
  if (env.STANDIN_LOG) appendFileSync(env.STANDIN_LOG, `${JSON.stringify({ tool, args, cwd: process.cwd() })}\n`);
}

function failRequested(tool, sub) {
  const wanted = (env.STANDIN_FAIL ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return wanted.includes(tool) || (sub !== undefined && wanted.includes(`${tool}:${sub}`));
}

function option(args, ...names) {
  for (let i = 0; i < args.length; i++) {
    for (const n of names) {
      if (args[i] === n) return args[i + 1];
      if (args[i].startsWith(`${n}=`)) return args[i].slice(n.length + 1);
    }
  }
  return undefined;
}

function traceback(lines, error) {
  err('Traceback (most recent call last):\n');
  for (const l of lines) err(`  ${l}\n`);
  err(`${error}\n`);
}

const SHAPES = {
  'meta-llama/Llama-3.1-8B-Instruct': { hidden_size: 4096, num_hidden_layers: 32, num_attention_heads: 32, num_key_value_heads: 8, shards: 4, vocab_size: 128256 },
  'meta-llama/Llama-3.2-3B-Instruct': { hidden_size: 3072, num_hidden_layers: 28, num_attention_heads: 24, num_key_value_heads: 8, shards: 2, vocab_size: 128256 },
  'meta-llama/Llama-3.2-1B-Instruct': { hidden_size: 2048, num_hidden_layers: 16, num_attention_heads: 32, num_key_value_heads: 8, shards: 1, vocab_size: 128256 },
};

function shardNames(n) {
  return n === 1 ? ['model.safetensors'] : Array.from({ length: n }, (_, i) => `model-${String(i + 1).padStart(5, '0')}-of-${String(n).padStart(5, '0')}.safetensors`);
}

/** A tiny safetensors file: 8-byte header length, JSON header, data. */
function safetensors(path, name, size = 64) {
  const header = Buffer.from(JSON.stringify({ [name]: { dtype: 'BF16', shape: [size / 2], data_offsets: [0, size] } }));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(header.length));
  writeFileSync(path, Buffer.concat([len, header, Buffer.alloc(size, 7)]));
}

function writeHfFolder(dir, repo, ignore = '') {
  const shape = SHAPES[repo] ?? SHAPES['meta-llama/Llama-3.1-8B-Instruct'];
  mkdirSync(join(dir, 'original'), { recursive: true });
  const { shards, ...config } = shape;
  // Llama 3.1 and 3.2 configs carry Llama-3.1 RoPE scaling (factor 8 for 8B, 32 for the 3.2 models).
  const rope_scaling = { factor: shards < 4 ? 32.0 : 8.0, low_freq_factor: 1.0, high_freq_factor: 4.0, original_max_position_embeddings: 8192, rope_type: 'llama3' };
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ architectures: ['LlamaForCausalLM'], model_type: 'llama', torch_dtype: 'bfloat16', ...config, max_position_embeddings: 131072, rope_theta: 500000.0, rope_scaling, tie_word_embeddings: shards < 4 }, null, 2));
  writeFileSync(join(dir, 'generation_config.json'), JSON.stringify({ bos_token_id: 128000, eos_token_id: [128001, 128008, 128009], temperature: 0.6, top_p: 0.9 }));
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify({ version: '1.0', model: { type: 'BPE' } }));
  writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ bos_token: '<|begin_of_text|>', eos_token: '<|eot_id|>' }));
  writeFileSync(join(dir, 'original', 'tokenizer.model'), 'stand-in tiktoken ranks\n');
  if (ignore.includes('*.safetensors')) {
    // Meta format only (what FullModelMetaCheckpointer reads): original/consolidated.00.pth and params.json.
    writeFileSync(join(dir, 'original', 'consolidated.00.pth'), 'stand-in Meta-format weights\n');
    writeFileSync(join(dir, 'original', 'params.json'), JSON.stringify({ dim: config.hidden_size, n_layers: config.num_hidden_layers, n_heads: config.num_attention_heads, n_kv_heads: config.num_key_value_heads, vocab_size: config.vocab_size, rope_theta: 500000.0, use_scaled_rope: true }));
    return ['original/consolidated.00.pth'];
  }
  const names = shardNames(shards);
  const weightMap = {};
  names.forEach((n, i) => {
    safetensors(join(dir, n), `model.layers.${i}.mlp.down_proj.weight`);
    weightMap[`model.layers.${i}.mlp.down_proj.weight`] = n;
  });
  if (names.length > 1) writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: { total_size: 64 * names.length }, weight_map: weightMap }));
  return names;
}

// ---------------------------------------------------------------- tune

function tune(args) {
  const sub = args[0];
  if (!sub || sub === '--help' || sub === '-h') {
    out('usage: tune [-h] {download,ls,cp,run,validate,cat} ...\n\nWelcome to the torchtune CLI!\n');
    return 0;
  }
  if (failRequested('tune', sub)) {
    traceback(['File "/opt/conda/bin/tune", line 8, in <module>', 'sys.exit(main())'], "ImportError: cannot import name 'get_world_size_and_rank' from 'torchtune.utils'");
    return 1;
  }
  if (sub === 'ls') {
    out('RECIPE                                   CONFIG\nlora_finetune_single_device              llama3_1/8B_lora_single_device\nlora_finetune_distributed                llama3_1/8B_lora\n');
    return 0;
  }
  if (sub === 'download') {
    const repo = args[1];
    const dir = option(args, '--output-dir') ?? `/tmp/${basename(repo)}`;
    const ignore = option(args, '--ignore-patterns') ?? '';
    const names = writeHfFolder(dir, repo, ignore);
    if (ignore) out(`Ignoring files matching the following patterns: ${ignore}\n`);
    for (const n of names) out(`Fetching ${n}: 100%\n`);
    out(`Successfully downloaded model repo and wrote to the following locations:\n${dir}/config.json\n${names.map((n) => `${dir}/${n}`).join('\n')}\n`);
    return 0;
  }
  if (sub === 'run') return tuneRun(args.slice(1));
  if (sub === 'validate') {
    const path = args[1];
    if (!path || !existsSync(path)) {
      err(`tune validate: error: Invalid file path: ${path}\n`);
      return 1;
    }
    const cfg = YAML.parse(readFileSync(path, 'utf8'));
    // Like torchtune: every _component_ must name something importable with the arguments given.
    const bad = [];
    const visit = (node, at) => {
      if (!node || typeof node !== 'object') return;
      if (typeof node._component_ === 'string' && !/^torch(tune)?\./.test(node._component_)) bad.push(`${at}._component_: ${node._component_}`);
      for (const [k, v] of Object.entries(node)) visit(v, at ? `${at}.${k}` : k);
    };
    visit(cfg, '');
    if (bad.length) {
      err(`torchtune.config._errors.ConfigError: Config is not well-formed, found the following errors: \n${bad.map((b) => `ModuleNotFoundError('No module named ${b}')`).join('\n')}\n`);
      return 1;
    }
    out('Config is well-formed!\n');
    return 0;
  }
  err(`tune: error: argument command: invalid choice: '${sub}'\n`);
  return 2;
}

// Keys the LoRA recipes read as `cfg.<key>` (no default): a config without one stops at start-up with omegaconf's
// ConfigAttributeError. torchtune v0.6.1 recipes/lora_finetune_single_device.py lines 125-341 (distributed: 131-345);
// main (bd2a0fc) adds `cfg.log_level` (lora_finetune_single_device.py:152, lora_finetune_distributed.py:191).
const RECIPE_KEYS_061 = ['device', 'dtype', 'output_dir', 'seed', 'epochs', 'max_steps_per_epoch', 'resume_from_checkpoint', 'gradient_accumulation_steps', 'metric_logger', 'model', 'tokenizer', 'optimizer', 'loss', 'dataset', 'shuffle', 'batch_size', 'lr_scheduler', 'checkpointer'];
const recipeKeys = (recipe, main) => [...RECIPE_KEYS_061, ...(recipe === 'lora_finetune_single_device' ? ['compile'] : []), ...(main ? ['log_level'] : [])];

/** `STANDIN_TORCHTUNE`: the installed torchtune ("0.6.1" by default; "main" for the main branch's behaviour). */
const onMain = () => /^(main|0\.7|0\.8|nightly)/.test(env.STANDIN_TORCHTUNE ?? '0.6.1');

/**
 * Where resume finds the recipe state. 0.6.1: `output_dir/recipe_state/recipe_state.pt` (_checkpointer.py:342).
 * main: `checkpoint_dir` itself when its path contains "step" or "epoch" anywhere (_checkpointer.py:485, a plain
 * substring test), else the newest non-empty `epoch_N/`, or when there is none the newest `step_N/`
 * (_utils.py:724 get_most_recent_checkpoint), holding `recipe_state.pt` (_checkpointer.py:1020).
 */
function findRecipeState(ck, outDir) {
  if (!onMain() || String(ck._component_).endsWith('FullModelMetaCheckpointer')) {
    const p = join(outDir, 'recipe_state', 'recipe_state.pt');
    if (existsSync(p)) return { path: p };
    return { error: ['File "torchtune/training/checkpointing/_utils.py", line 468, in get_recipe_checkpoint_path', `ValueError: Could not find recipe state at ${p}. Please check that the path is correct.`] };
  }
  let dir = ck.checkpoint_dir;
  if (!(ck.checkpoint_dir.includes('step') || ck.checkpoint_dir.includes('epoch'))) {
    const newest = (re) => readdirSync(outDir).filter((n) => re.test(n) && readdirSync(join(outDir, n)).length).sort((a, b) => Number(a.split('_')[1]) - Number(b.split('_')[1])).pop();
    const found = newest(/^epoch_\d+$/) ?? newest(/^step_\d+$/);
    if (!found) return { error: ['File "torchtune/training/checkpointing/_checkpointer.py", line 493, in __init__', 'ValueError: Recipe state cannot be loaded because no checkpoints were found in the output directory.'] };
    dir = join(outDir, found);
  }
  const p = join(dir, 'recipe_state.pt');
  if (!existsSync(p)) return { error: ['File "torchtune/training/checkpointing/_checkpointer.py", line 500, in __init__', `AssertionError: recipe_state.pt not found in ${dir}`] };
  return { path: p };
}

function tuneRun(args) {
  const nproc = Number(option(args, '--nproc_per_node', '--nproc-per-node') ?? 1);
  const recipe = args.find((a, i) => !a.startsWith('-') && !/^\d+$/.test(a) && args[i - 1] !== '--config' && args[i - 1] !== '--nproc_per_node' && args[i - 1] !== '--nproc-per-node');
  const configPath = option(args, '--config');
  if (!configPath || !existsSync(configPath)) {
    err(`tune run: error: Invalid file path: ${configPath}. Please provide a valid file path.\n`);
    return 1;
  }
  const cfg = YAML.parse(readFileSync(configPath, 'utf8'));
  const main = onMain();
  const className = recipe === 'lora_finetune_distributed' ? 'LoRAFinetuneRecipeDistributed' : 'LoRAFinetuneRecipeSingleDevice';
  if (nproc > 1) err(`W0602 10:00:00.000000 1234 torch/distributed/run.py:793] Setting OMP_NUM_THREADS environment variable for each process to be 1 in default\n`);
  err(`INFO:torchtune.utils._logging:Running ${className} with resolved config:\n\n${YAML.stringify(cfg)}\n`);
  const missingKey = recipeKeys(recipe, main).find((k) => !(k in cfg));
  if (missingKey) {
    traceback([`File "recipes/${recipe}.py", line ${main ? 152 : 125}, in __init__`, `self._logger = utils.get_logger(cfg.${missingKey})`, 'File "omegaconf/dictconfig.py", line 355, in __getattr__'], `omegaconf.errors.ConfigAttributeError: Missing key ${missingKey}\n    full_key: ${missingKey}\n    object_type=dict`);
    return 1;
  }
  const ck = cfg.checkpointer;
  // FullModelHFCheckpointer reads checkpoint_dir/config.json (_checkpointer.py:469); the Meta one reads none.
  const metaCk = String(ck._component_).endsWith('FullModelMetaCheckpointer');
  const configJson = join(ck.checkpoint_dir, 'config.json');
  if (!metaCk && !existsSync(configJson)) {
    traceback([`File "recipes/${recipe}.py", line 925, in recipe_main`, 'recipe.setup(cfg=cfg)', 'File "torchtune/training/checkpointing/_checkpointer.py", line 393, in __init__'], `FileNotFoundError: [Errno 2] No such file or directory: '${configJson}'`);
    return 1;
  }
  const outDir = ck.output_dir;
  let startEpoch = 0;
  let globalStep = 0;
  if (cfg.resume_from_checkpoint === true) {
    const state = findRecipeState(ck, outDir);
    if (state.error) {
      traceback(state.error.slice(0, -1), state.error.at(-1));
      return 1;
    }
    const saved = JSON.parse(readFileSync(state.path, 'utf8'));
    startEpoch = saved.epochs_run;
    globalStep = saved.global_step;
    err(`INFO:torchtune.utils._logging:Loading the recipe state using: \n\tcheckpoint_paths: ['${ck.checkpoint_dir}']\n\trecipe_checkpoint: ${state.path}\n`);
  }
  for (const f of ck.checkpoint_files) {
    if (!existsSync(join(ck.checkpoint_dir, f))) {
      traceback(['File "torchtune/training/checkpointing/_utils.py", line 412, in get_path'], `ValueError: No file with name: ${f} found in ${ck.checkpoint_dir}.`);
      return 1;
    }
  }
  if (!existsSync(cfg.tokenizer.path)) {
    traceback(['File "torchtune/models/llama3/_tokenizer.py", line 98, in __init__'], `FileNotFoundError: [Errno 2] No such file or directory: '${cfg.tokenizer.path}'`);
    return 1;
  }
  err('INFO:torchtune.utils._logging:Model is initialized with precision torch.bfloat16.\n');
  err('INFO:torchtune.utils._logging:Memory stats after model init:\n\tGPU peak memory allocation: 16.63 GiB\n\tGPU peak memory reserved: 16.70 GiB\n\tGPU peak memory active: 16.63 GiB\n');
  err('INFO:torchtune.utils._logging:Tokenizer is initialized from file.\nINFO:torchtune.utils._logging:Optimizer and loss are initialized.\nINFO:torchtune.utils._logging:Loss is initialized.\n');
  const dataFile = cfg.dataset.data_files;
  if (!existsSync(dataFile)) {
    traceback(['File "datasets/load.py", line 2129, in load_dataset'], `FileNotFoundError: Unable to find '${dataFile}'`);
    return 1;
  }
  // alpaca_dataset reads instruction/output records (torchtune/data/_messages.py AlpacaToMessages); chat_dataset
  // reads the conversation column (torchtune/datasets/_chat.py).
  const text = readFileSync(dataFile, 'utf8');
  const records = dataFile.endsWith('.json') ? JSON.parse(text) : text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
  if (cfg.dataset._component_ === 'torchtune.datasets.alpaca_dataset') {
    const bad = records.find((r) => typeof r.instruction !== 'string' || typeof r.output !== 'string');
    if (bad) {
      traceback(['File "torchtune/data/_messages.py", line 790, in __call__'], `KeyError: '${typeof bad.instruction !== 'string' ? 'instruction' : 'output'}'`);
      return 1;
    }
  } else if (cfg.dataset._component_ === 'torchtune.datasets.chat_dataset' && records.some((r) => !Array.isArray(r[cfg.dataset.conversation_column]))) {
    traceback(['File "torchtune/data/_messages.py", line 460, in __call__'], `KeyError: '${cfg.dataset.conversation_column}'`);
    return 1;
  }
  const examples = records.length;
  err(`Generating train split: ${examples} examples [00:00, 41234.56 examples/s]\n`);
  err('INFO:torchtune.utils._logging:Dataset and Sampler are initialized.\nINFO:torchtune.utils._logging:Learning rate scheduler is initialized.\n');
  const batches = Math.floor(examples / (cfg.batch_size * nproc));
  let steps = Math.floor(batches / cfg.gradient_accumulation_steps);
  if (typeof cfg.max_steps_per_epoch === 'number') steps = Math.min(steps, cfg.max_steps_per_epoch);
  const crash = env.STANDIN_TUNE_CRASH_AT ? env.STANDIN_TUNE_CRASH_AT.split(':').map(Number) : undefined;
  const adapterOnly = cfg.save_adapter_weights_only === true;
  // main: with save_every_n_steps the distributed recipe names folders step_<global step> (lora_finetune_distributed.py:420-425, 733).
  const everyN = main && typeof cfg.save_every_n_steps === 'number' ? cfg.save_every_n_steps : undefined;
  const stepFolders = everyN !== undefined && recipe === 'lora_finetune_distributed';
  const save = (epoch, intermediate) => {
    const dir = join(outDir, stepFolders ? `step_${globalStep}` : `epoch_${epoch}`);
    mkdirSync(dir, { recursive: true });
    if (!adapterOnly && metaCk) {
      // SHARD_FNAME with .pt (FullModelMetaCheckpointer.save_checkpoint).
      safetensors(join(dir, 'model-00001-of-00001.pt'), 'layers.0.attention.wq.weight', 128);
      err(`INFO:torchtune.utils._logging:Model checkpoint of size 15.00 GiB saved to ${join(dir, 'model-00001-of-00001.pt')}\n`);
    } else if (!adapterOnly) {
      shardNames(ck.checkpoint_files.length).forEach((n, i) => {
        safetensors(join(dir, n), `model.layers.${i}.self_attn.q_proj.weight`, 128);
        err(`INFO:torchtune.utils._logging:Model checkpoint of size 4.63 GiB saved to ${join(dir, n)}\n`);
      });
    }
    for (const f of ['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json', 'model.safetensors.index.json']) {
      if (existsSync(join(ck.checkpoint_dir, f))) copyFileSync(join(ck.checkpoint_dir, f), join(dir, f));
    }
    safetensors(join(dir, 'adapter_model.safetensors'), 'base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight', 32);
    writeFileSync(join(dir, 'adapter_config.json'), JSON.stringify({ r: cfg.model.lora_rank, lora_alpha: cfg.model.lora_alpha, target_modules: cfg.model.lora_attn_modules, peft_type: 'LORA' }));
    err(`INFO:torchtune.utils._logging:Adapter checkpoint of size 0.04 GiB saved to ${join(dir, 'adapter_model.safetensors')}\n`);
    if (intermediate) {
      const stateDir = main && !metaCk ? dir : join(outDir, 'recipe_state');
      mkdirSync(stateDir, { recursive: true });
      writeFileSync(join(stateDir, 'recipe_state.pt'), JSON.stringify({ epochs_run: epoch + (stepFolders ? 0 : 1), global_step: globalStep, seed: cfg.seed }));
      err(`INFO:torchtune.utils._logging:Recipe checkpoint of size 0.13 GiB saved to ${join(stateDir, 'recipe_state.pt')}\n`);
    }
    err(`INFO:torchtune.utils._logging:Saving checkpoint took 41.27 secs\n`);
  };
  for (let epoch = startEpoch; epoch < cfg.epochs; epoch++) {
    for (let s = 1; s <= steps; s++) {
      if (crash && crash[0] === epoch && crash[1] === s) {
        err('\n');
        traceback([`File "recipes/${recipe}.py", line 689, in train`, 'loss.backward()', 'File "torch/_tensor.py", line 626, in backward'], 'torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 1.96 GiB. GPU 0 has a total capacity of 23.64 GiB of which 1.12 GiB is free.');
        return 1;
      }
      globalStep++;
      const loss = 2.5 / (1 + 0.15 * globalStep) + 0.05;
      const pct = Math.floor((100 * s) / steps);
      const bar = '█'.repeat(Math.floor(pct / 10)).padEnd(10);
      const elapsed = s * 7;
      const left = (steps - s) * 7;
      const mmss = (t) => `${String(Math.floor(t / 60)).padStart(2, '0')}:${String(t % 60).padStart(2, '0')}`;
      err(`\r${epoch + 1}|${globalStep}|Loss: ${loss}: ${String(pct).padStart(3)}%|${bar}| ${s}/${steps} [${mmss(elapsed)}<${mmss(left)},  7.00s/it]`);
      if (everyN && globalStep % everyN === 0 && epoch !== cfg.epochs - 1) {
        err('\n');
        save(epoch, true);
      }
    }
    err('\n');
    save(epoch, epoch + 1 < cfg.epochs);
  }
  return 0;
}

// ---------------------------------------------------------------- mlc_llm

// mlc_llm's argument parsers (argparse: an unknown flag, a missing required one or a value outside `choices` is
// "error: ..." and exit 2). Flags and choices from mlc-llm 79d603f: python/mlc_llm/cli/convert_weight.py:41-90,
// gen_config.py:24-104, compile.py:57-122; quantizations from python/mlc_llm/quantization/quantization.py:31;
// conversation templates registered in python/mlc_llm/conversation_template/*.py (a few listed here).
const QUANTIZATIONS = ['q0f16', 'q0bf16', 'q0f32', 'q3f16_0', 'q3f16_1', 'q4f16_0', 'q4f16_1', 'q4bf16_0', 'q4bf16_1', 'q4f32_1', 'q4f16_2', 'q4f16_autoawq', 'q4f16_ft', 'e5m2_e5m2_f16', 'e4m3_e4m3_f16'];
const CONV_TEMPLATES = ['llama-2', 'llama-3', 'llama-3_1', 'chatml', 'qwen2', 'gemma_instruction', 'phi-3', 'mistral_default', 'LM'];
const MLC_FLAGS = {
  convert_weight: { positional: 'config', flags: { '--quantization': { required: true, choices: QUANTIZATIONS }, '--model-type': {}, '--device': {}, '--source': {}, '--source-format': {}, '--output': { alias: '-o', required: true } } },
  gen_config: {
    positional: 'config',
    flags: {
      '--quantization': { required: true, choices: QUANTIZATIONS },
      '--model-type': {},
      '--conv-template': { required: true, choices: CONV_TEMPLATES },
      '--context-window-size': { int: true },
      '--sliding-window-size': { int: true },
      '--prefill-chunk-size': { int: true },
      '--attention-sink-size': { int: true },
      '--tensor-parallel-shards': { int: true },
      '--pipeline-parallel-stages': { int: true },
      '--disaggregation': { int: true },
      '--max-batch-size': { int: true },
      '--output': { alias: '-o', required: true },
    },
  },
  compile: { positional: 'model', flags: { '--quantization': { choices: QUANTIZATIONS }, '--model-type': {}, '--device': {}, '--host': {}, '--enable-subgroups': { bool: true }, '--opt': {}, '--system-lib-prefix': {}, '--output': { alias: '-o', required: true }, '--overrides': {}, '--debug-dump': {} } },
};

/** argparse for one subcommand: {values} or {error} (the message argparse prints before exiting 2). */
function mlcParse(sub, args) {
  const spec = MLC_FLAGS[sub];
  const values = {};
  const positional = [];
  const byName = new Map();
  for (const [name, f] of Object.entries(spec.flags)) {
    byName.set(name, [name, f]);
    if (f.alias) byName.set(f.alias, [name, f]);
  }
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith('-')) {
      positional.push(a);
      continue;
    }
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const known = byName.get(flag);
    if (!known) return { error: `unrecognized arguments: ${a}` };
    const [name, f] = known;
    if (f.bool) {
      values[name] = true;
      continue;
    }
    const value = inline ?? args[++i];
    if (value === undefined) return { error: `argument ${name}${f.alias ? `/${f.alias}` : ''}: expected one argument` };
    if (f.choices && !f.choices.includes(value)) return { error: `argument ${name}: invalid choice: '${value}' (choose from ${f.choices.map((c) => `'${c}'`).join(', ')})` };
    if (f.int && !/^-?\d+$/.test(value)) return { error: `argument ${name}: invalid int value: '${value}'` };
    values[name] = value;
  }
  if (positional.length !== 1) return { error: positional.length ? `unrecognized arguments: ${positional.slice(1).join(' ')}` : `the following arguments are required: ${spec.positional}` };
  const missing = Object.entries(spec.flags).filter(([n, f]) => f.required && values[n] === undefined).map(([n, f]) => (f.alias ? `${n}/${f.alias}` : n));
  if (missing.length) return { error: `the following arguments are required: ${missing.join(', ')}` };
  return { values, positional: positional[0] };
}


function mlc(args) {
  const sub = args[0];
  if (!sub || sub === '--help' || sub === '-h' || sub === '--version') {
    out('usage: MLC LLM Command Line Interface. [-h] {compile,convert_weight,gen_config,chat,serve,bench,package}\n');
    return 0;
  }
  const rest = args.slice(1);
  if (MLC_FLAGS[sub]) {
    const parsed = mlcParse(sub, rest);
    if (parsed.error) {
      err(`usage: mlc_llm ${sub} [-h] ...\nmlc_llm ${sub}: error: ${parsed.error}\n`);
      return 2;
    }
  }
  if (failRequested('mlc_llm', sub)) {
    err(`${stamp()} INFO auto_config.py:116: Found model configuration: ${rest[0]}/config.json\n`);
    traceback(['File "mlc_llm/__main__.py", line 37, in main', `cli.main(sys.argv[2:])`, 'File "mlc_llm/interface/convert_weight.py", line 181, in convert_weight'], 'tvm.error.InternalError: Check failed: (value_bytes <= 4294967296) is false: out of host memory while quantizing model.layers.17.mlp.down_proj.weight');
    return 1;
  }
  if (sub === 'convert_weight') {
    const src = rest[0];
    const q = option(rest, '--quantization');
    const dest = option(rest, '-o', '--output');
    if (!existsSync(join(src, 'config.json'))) {
      traceback(['File "mlc_llm/support/auto_config.py", line 79, in detect_config'], `ValueError: Expect config.json to be a file or a directory containing config.json, but got: ${src}`);
      return 1;
    }
    err(`${stamp()} INFO auto_config.py:116: Found model configuration: ${src}/config.json\n`);
    err(`${stamp()} INFO auto_device.py:79: Found device: cuda:0\n`);
    err(`${stamp()} INFO auto_weight.py:71: Finding weights in: ${src}\n`);
    err(`${stamp()} INFO auto_weight.py:137: Found source weight format: huggingface-safetensor. Source configuration: ${src}/model.safetensors.index.json\n`);
    err(`${stamp()} INFO auto_config.py:154: Found model type: llama. Use \`--model-type\` to override.\n`);
    err(`Weight conversion with arguments:\n  --config          ${src}/config.json\n  --quantization    GroupQuantize(name='${q}', kind='group-quant', group_size=32, quantize_dtype='int4', storage_dtype='uint32', model_dtype='${q === 'q4f32_1' ? 'float32' : 'float16'}')\n  --model-type      llama\n  --device          cuda:0\n  --source          ${src}/model.safetensors.index.json\n  --source-format   huggingface-safetensor\n  --output          ${dest}\n`);
    mkdirSync(dest, { recursive: true });
    const sizes = [40_000, 40_000, 12_345];
    const records = sizes.map((n, i) => ({
      dataPath: `params_shard_${i}.bin`,
      format: 'raw-shard',
      nbytes: n,
      records: [
        { name: `model.layers.${i}.self_attn.qkv_proj.q_weight`, shape: [6144, 512], dtype: 'uint32', format: 'f32-to-bf16', nbytes: n - 2000, byteOffset: 0 },
        { name: `model.layers.${i}.self_attn.qkv_proj.q_scale`, shape: [6144, 128], dtype: 'float16', format: 'raw', nbytes: 2000, byteOffset: n - 2000 },
      ],
      md5sum: createHash('md5').update(Buffer.alloc(n, i + 1)).digest('hex'),
    }));
    records.forEach((r, i) => {
      if (env.STANDIN_MLC_DROP_SHARD === '1' && i === 1) return;
      const n = env.STANDIN_MLC_TRUNCATE === '1' && i === records.length - 1 ? r.nbytes - 100 : r.nbytes;
      const data = Buffer.alloc(n, i + 1);
      if (env.STANDIN_MLC_CORRUPT === '1' && i === 0) data[500] ^= 0xff;
      writeFileSync(join(dest, r.dataPath), data);
      err(`${stamp()} INFO huggingface_loader.py:185: Loading HF parameters from: ${src}/model-0000${i + 1}-of-00004.safetensors\n`);
    });
    const manifest = { metadata: { ParamSize: 292, ParamBytes: 4_517_322_752.0, BitsPerParam: 4.500493 }, records };
    writeFileSync(join(dest, env.STANDIN_MLC_CACHE_NAME ?? 'tensor-cache.json'), JSON.stringify(manifest));
    err(`${stamp()} INFO convert_weight.py:156: Parameter size after quantization: 4.207 GB\n${stamp()} INFO convert_weight.py:161: Total parameters: 8,030,261,248\n${stamp()} INFO convert_weight.py:162: Bits per parameter: 4.500\n${stamp()} INFO convert_weight.py:167: Saved to directory: ${dest}\n`);
    return 0;
  }
  if (sub === 'gen_config') {
    const src = rest[0];
    const dest = option(rest, '-o', '--output');
    const q = option(rest, '--quantization');
    const template = option(rest, '--conv-template');
    const ctx = Number(option(rest, '--context-window-size') ?? 131072);
    const prefill = Number(option(rest, '--prefill-chunk-size') ?? 8192);
    if (!existsSync(join(src, 'config.json'))) {
      traceback(['File "mlc_llm/support/auto_config.py", line 79, in detect_config'], `ValueError: Expect config.json to be a file or a directory containing config.json, but got: ${src}`);
      return 1;
    }
    const cfg = JSON.parse(readFileSync(join(src, 'config.json'), 'utf8'));
    mkdirSync(dest, { recursive: true });
    err(`${stamp()} INFO auto_config.py:116: Found model configuration: ${src}/config.json\n`);
    err(`${stamp()} INFO config.py:107: Overriding context_window_size from 131072 to ${ctx}\n${stamp()} INFO config.py:107: Overriding prefill_chunk_size from 8192 to ${prefill}\n`);
    const tokenizerFiles = [];
    for (const f of ['tokenizer.model', 'tokenizer.json', 'vocab.json', 'merges.txt', 'added_tokens.json', 'tokenizer_config.json']) {
      if (existsSync(join(src, f))) {
        copyFileSync(join(src, f), join(dest, f));
        tokenizerFiles.push(f);
        err(`${stamp()} INFO gen_config.py:155: Found tokenizer config: ${src}/${f}. Copying to ${dest}/${f}\n`);
      } else err(`${stamp()} INFO gen_config.py:157: Not found tokenizer config: ${src}/${f}\n`);
    }
    const chat = {
      version: '0.1.0',
      model_type: 'llama',
      quantization: q,
      // LlamaConfig keeps rope_scaling when it names a rope_type (python/mlc_llm/model/llama/llama_model.py:35, 52-57).
      model_config: { hidden_size: cfg.hidden_size, num_hidden_layers: cfg.num_hidden_layers, num_attention_heads: cfg.num_attention_heads, num_key_value_heads: cfg.num_key_value_heads, vocab_size: cfg.vocab_size, rope_theta: cfg.rope_theta, ...(cfg.rope_scaling?.rope_type ? { rope_scaling: cfg.rope_scaling } : {}), context_window_size: ctx, prefill_chunk_size: prefill, tensor_parallel_shards: 1 },
      vocab_size: cfg.vocab_size,
      context_window_size: ctx,
      sliding_window_size: -1,
      prefill_chunk_size: prefill,
      attention_sink_size: -1,
      tensor_parallel_shards: 1,
      temperature: 0.6,
      top_p: 0.9,
      tokenizer_files: tokenizerFiles,
      tokenizer_info: { token_postproc_method: 'byte_level', prepend_space_in_encode: false, strip_space_in_decode: false },
      // The registered template, default system message included (python/mlc_llm/conversation_template/llama.py:35-40, 65-70).
      conv_template: { name: template, system_template: '<|start_header_id|>system<|end_header_id|>\n\n{system_message}<|eot_id|>', system_message: 'You are a helpful, respectful and honest assistant.', roles: { user: '<|start_header_id|>user', assistant: '<|start_header_id|>assistant' }, stop_token_ids: [128001, 128008, 128009] },
      bos_token_id: 128000,
      eos_token_id: [128001, 128008, 128009],
    };
    writeFileSync(join(dest, 'mlc-chat-config.json'), JSON.stringify(chat, null, 2));
    err(`${stamp()} INFO gen_config.py:223: All generated files: mlc-chat-config.json, ${tokenizerFiles.join(', ')}\n`);
    return 0;
  }
  if (sub === 'compile') {
    const config = rest[0];
    const device = option(rest, '--device');
    const lib = option(rest, '-o', '--output');
    // --output must not be a folder, and its folder must exist (python/mlc_llm/cli/compile.py:30-37, an argparse type).
    const outError = existsSync(lib) && statSync(lib).isDirectory() ? `Output cannot be a directory: ${lib}` : !existsSync(dirname(lib)) || !statSync(dirname(lib)).isDirectory() ? `Directory does not exist: ${dirname(lib)}` : undefined;
    if (outError) {
      err(`usage: mlc_llm compile [-h] ...\nmlc_llm compile: error: argument --output/-o: ${outError}\n`);
      return 2;
    }
    if (!existsSync(config)) {
      traceback(['File "mlc_llm/support/auto_config.py", line 47, in detect_mlc_chat_config'], `ValueError: ${config} does not exist`);
      return 1;
    }
    if (device === 'webgpu') {
      if (!(env.PATH ?? '').split(':').some((d) => d && existsSync(join(d, 'emcc')))) {
        traceback(['File "tvm/contrib/emcc.py", line 69, in create_tvmjs_wasm'], 'RuntimeError: Compilation error: emcc: not found. Install emscripten and run "source emsdk_env.sh"');
        return 1;
      }
      // python/mlc_llm/support/auto_target.py:251-270: the output must end in .wasm, and mlc_wasm_runtime.bc is
      // looked for in ./web/dist/wasm and $MLC_LLM_SOURCE_DIR/web/dist/wasm.
      if (!lib.endsWith('.wasm')) {
        traceback(['File "mlc_llm/support/auto_target.py", line 255, in build', 'assert output.suffix == ".wasm"'], 'AssertionError');
        return 1;
      }
      const candidates = ['web/dist/wasm/mlc_wasm_runtime.bc', ...(env.MLC_LLM_SOURCE_DIR ? [join(env.MLC_LLM_SOURCE_DIR, 'web', 'dist', 'wasm', 'mlc_wasm_runtime.bc')] : [])];
      if (!candidates.some((c) => existsSync(resolve(process.cwd(), c)))) {
        traceback(['File "mlc_llm/support/auto_target.py", line 275, in build'], `RuntimeError: Cannot find library: mlc_wasm_runtime.bc\nMake sure you have run \`./web/prep_emcc_deps.sh\` and \`export MLC_LLM_SOURCE_DIR=/path/to/mlc-llm\` so that we can locate the file. We tried to look at candidate paths:\n${candidates.join('\n')}`);
        return 1;
      }
      // TVM's emcc linker adds wasm_runtime.bc, tvmjs_support.bc and webgpu_runtime.bc from $TVM_SOURCE_DIR/web/dist/wasm
      // (python/tvm/contrib/emcc.py create_tvmjs_wasm, found by tvm/libinfo.py find_lib_path).
      const tvmLib = env.TVM_SOURCE_DIR ? join(env.TVM_SOURCE_DIR, 'web', 'dist', 'wasm') : undefined;
      const missingBc = ['wasm_runtime.bc', 'tvmjs_support.bc', 'webgpu_runtime.bc'].find((f) => !tvmLib || !existsSync(join(tvmLib, f)));
      if (missingBc) {
        traceback(['File "tvm/contrib/emcc.py", line 52, in create_tvmjs_wasm', `objects += [find_lib_path("${missingBc}")[0]]`], `RuntimeError: Cannot find libraries: ${missingBc}\nList of candidates:\n${tvmLib ? join(tvmLib, missingBc) : '(TVM_SOURCE_DIR is not set)'}`);
        return 1;
      }
    }
    err(`${stamp()} INFO auto_target.py:92: Found configuration of target device "webgpu": {"host": {"kind": "llvm", "mtriple": "wasm32-unknown-unknown-wasm"}}\n`);
    err(`${stamp()} INFO compile.py:140: Creating model from: ${config}\n${stamp()} INFO compile.py:177: Running optimizations using TVM Unity\n`);
    err(`${stamp()} INFO compile.py:199: Generated: ${lib}\n`);
    writeFileSync(lib, Buffer.concat([Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]), Buffer.alloc(4096, 3)]));
    return 0;
  }
  err(`MLC LLM Command Line Interface.: error: argument subcommand: invalid choice: '${sub}'\n`);
  return 2;
}

// ---------------------------------------------------------------- python

function python(args) {
  if (args[0] === '--version' || args[0] === '-V') {
    out(`Python ${env.STANDIN_PYTHON_VERSION ?? '3.11.9'}\n`);
    return 0;
  }
  if (args[0] === '-c') {
    const code = args[1] ?? '';
    if (!code.includes('radreportx-doctor')) {
      err('  File "<string>", line 1\nSyntaxError: invalid syntax\n');
      return 1;
    }
    const installed = (v, dflt) => (v === 'none' ? null : (v ?? dflt));
    const noGpu = env.STANDIN_NO_GPU === '1';
    const torch = installed(env.STANDIN_TORCH, '2.6.0+cu126');
    out(`${JSON.stringify({
      python: env.STANDIN_PYTHON_VERSION ?? '3.11.9',
      torch,
      cuda: torch !== null && !noGpu,
      cuda_version: torch !== null && !noGpu ? (/\+cu(\d+)(\d)$/.exec(torch) ?? [null, '12', '6']).slice(1).join('.') : null,
      bf16: torch !== null && !noGpu,
      gpus: torch !== null && !noGpu ? [{ name: 'NVIDIA A100-SXM4-80GB', memory_gb: 79.2 }] : [],
      torchtune: installed(env.STANDIN_TORCHTUNE, '0.6.1'),
      torchao: installed(env.STANDIN_TORCHAO, '0.9.0'),
      torchdata: installed(env.STANDIN_TORCHDATA, '0.11.0'),
      mlc_llm: installed(env.STANDIN_MLC, '0.20.0.dev0'),
      mlc_dist: installed(env.STANDIN_MLC, '0.20.0.dev0') === null ? null : (env.STANDIN_MLC_DIST ?? 'mlc-llm-nightly-cu128'),
      safetensors: '0.4.5',
    })}\n`);
    return 0;
  }
  const script = args[0] ?? '';
  // llama.cpp's converter, run as `python convert_hf_to_gguf.py ...`: gguf-tools.mjs imitates it.
  if (basename(script) === 'convert_hf_to_gguf.py') return convertHfToGguf(args.slice(1)) ?? 0;
  if (basename(script) === 'convert_meta_to_hf.py') {
    if (failRequested('python', 'convert_meta_to_hf')) {
      traceback([`File "${script}", line 88, in convert`, 'state = torchtune.models.convert_weights.meta_to_tune(state)'], "KeyError: 'layers.0.attention.wq.weight'");
      return 1;
    }
    // training/python/convert_meta_to_hf.py's own argparse (unknown flags are an error, exit 2).
    const known = new Set(['--checkpoint', '--base-dir', '--out', '--shard-size-gb', '--dtype', '--no-rope-scaling']);
    const unknown = args.slice(1).find((a) => a.startsWith('-') && !known.has(a.split('=')[0]));
    if (unknown) {
      err(`usage: convert_meta_to_hf.py [-h] --checkpoint CHECKPOINT --base-dir BASE_DIR --out OUT\nconvert_meta_to_hf.py: error: unrecognized arguments: ${unknown}\n`);
      return 2;
    }
    const checkpoint = option(args, '--checkpoint');
    const baseDir = option(args, '--base-dir');
    const outDir = option(args, '--out');
    if (!checkpoint || !existsSync(checkpoint)) {
      traceback([`File "${script}", line 70, in main`], `FileNotFoundError: [Errno 2] No such file or directory: '${checkpoint}'`);
      return 1;
    }
    if (!existsSync(join(baseDir, 'config.json'))) {
      traceback([`File "${script}", line 75, in main`], `FileNotFoundError: [Errno 2] No such file or directory: '${join(baseDir, 'config.json')}'`);
      return 1;
    }
    const cfg = JSON.parse(readFileSync(join(baseDir, 'config.json'), 'utf8'));
    mkdirSync(outDir, { recursive: true });
    err(`Loading ${checkpoint} ...\nConverting Meta -> torchtune -> Hugging Face keys (num_heads=${cfg.num_attention_heads}, num_kv_heads=${cfg.num_key_value_heads}, dim=${cfg.hidden_size})\n`);
    const n = cfg.hidden_size === 4096 ? 4 : cfg.hidden_size === 3072 ? 2 : 1;
    const names = shardNames(n);
    names.forEach((name, i) => {
      safetensors(join(outDir, name), `model.layers.${i}.self_attn.q_proj.weight`, 256);
      err(`Wrote ${join(outDir, name)}\n`);
    });
    writeFileSync(join(outDir, 'model.safetensors.index.json'), JSON.stringify({ metadata: { total_size: 256 * n }, weight_map: {} }));
    for (const f of ['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json']) {
      if (existsSync(join(baseDir, f))) copyFileSync(join(baseDir, f), join(outDir, f));
    }
    // What the script's pure part does to config.json (training/python/hf_convert.py rewrite_config).
    const hf = JSON.parse(readFileSync(join(outDir, 'config.json'), 'utf8'));
    hf.torch_dtype = 'bfloat16';
    if (args.includes('--no-rope-scaling') && hf.rope_scaling) {
      if (hf.rope_scaling.original_max_position_embeddings) hf.max_position_embeddings = hf.rope_scaling.original_max_position_embeddings;
      delete hf.rope_scaling;
    }
    writeFileSync(join(outDir, 'config.json'), JSON.stringify(hf, null, 2));
    out(`${JSON.stringify({ out: resolve(outDir), shards: names, tensors: 291, dtype: 'bfloat16' })}\n`);
    return 0;
  }
  err(`python: can't open file '${script}': [Errno 2] No such file or directory\n`);
  return 2;
}

// ---------------------------------------------------------------- nvidia-smi, emcc

function nvidiaSmi(args) {
  if (env.STANDIN_NO_GPU === '1') {
    out("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.\n");
    return 9;
  }
  const rows = (env.STANDIN_GPUS ?? 'NVIDIA A100-SXM4-80GB, 81920, 80512, 550.54.15').split(';').map((s) => s.trim());
  if (args.some((a) => a.startsWith('--query-gpu'))) {
    out(`${rows.join('\n')}\n`);
    return 0;
  }
  const cuda = env.STANDIN_DRIVER_CUDA ?? '12.8';
  out(`+-----------------------------------------------------------------------------------------+\n| NVIDIA-SMI 570.86.15              Driver Version: 570.86.15      CUDA Version: ${cuda}     |\n`);
  return 0;
}

function emcc(args) {
  if (args[0] === '--version' || args[0] === '-v') {
    out('emcc (Emscripten gcc/clang-like replacement + linker emulating GNU ld) 3.1.56 (cf90417346b78455089e64eb909d71d091ecc055)\n');
    return 0;
  }
  err('emcc: error: no input files\n');
  return 1;
}

const TOOLS = { tune, mlc_llm: mlc, python, python3: python, 'nvidia-smi': nvidiaSmi, emcc };

export function main(tool) {
  const args = process.argv.slice(2);
  record(tool, args);
  const code = TOOLS[tool](args);
  process.exitCode = code;
}

