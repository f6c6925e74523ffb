/**
 * `radreportx build-model`: merged HF weights (or the released Meta-format checkpoint) → MLC WebGPU weights and
 * model library → checked → installed under public/models/<id>/ with a manifest → an entry in the app's registry.
 */
import { mkdir, readFile, rm } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RadReportXError, UsageError } from '../../src/lib/errors.ts';
import { isPromptProfile, MODEL_PROFILES, PROMPT_VERSION, type PromptProfileId } from '../../src/lib/prompts/profiles.ts';
import { oneOf, parseCommandArgs, required } from '../lib/args.ts';
import type { Command } from '../lib/command.ts';
import { BASE_IDS, BASES, baseFromHfConfig, downloadCommand, PREBUILT_LIBRARY_BASE, QUANTIZATIONS, type BaseId, type BaseModel, type Quantization } from '../pipeline/bases.ts';
import { exists, isDirectory } from '../pipeline/files.ts';
import { installLibrary, installWeights, MANIFEST_NAME, type ModelManifest } from '../pipeline/install.ts';
import { CHAT_CONFIG, compileArgs, CONTEXT_WINDOW, CONV_TEMPLATE, convertWeightArgs, genConfigArgs, isWasm, normaliseTensorCacheName, PREFILL_CHUNK, verifyMlcOutput } from '../pipeline/mlc.ts';
import { upsertRegistryEntry, type RegistryEntry } from '../pipeline/registry.ts';
import { hasTool, INSTALL_HINTS, processContext, runTool, ToolError, type RunContext } from '../pipeline/tool.ts';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CONVERTER = fileURLToPath(new URL('../python/convert_meta_to_hf.py', import.meta.url));

const OPTIONS = {
  'hf-dir': { type: 'string' },
  quantization: { type: 'string', short: 'q' },
  id: { type: 'string' },
  name: { type: 'string' },
  compile: { type: 'boolean' },
  'from-meta': { type: 'string' },
  'base-dir': { type: 'string' },
  base: { type: 'string' },
  'prebuilt-lib': { type: 'string' },
  'prompt-profile': { type: 'string' },
  'work-dir': { type: 'string' },
  'site-dir': { type: 'string' },
  registry: { type: 'string' },
  'no-install': { type: 'boolean' },
  python: { type: 'string' },
} as const;

const help = `Usage: radreportx build-model --hf-dir runs/NAME/epoch_0 --quantization q4f16_1 --id ID [options]

Turns merged Hugging Face weights into a model the site serves:
  1. mlc_llm convert_weight <hf-dir> --quantization Q -o <work>/mlc
  2. mlc_llm gen_config <hf-dir> --quantization Q --conv-template ${CONV_TEMPLATE} --context-window-size ${CONTEXT_WINDOW} --prefill-chunk-size ${PREFILL_CHUNK} -o <work>/mlc
     (the settings of WebLLM 0.2.86's prebuilt Llama libraries, <model>-<Q>_cs1k-webgpu.wasm)
  3. with --compile: mlc_llm compile <work>/mlc/${CHAT_CONFIG} --device webgpu -o <work>/lib/<ID>[-<Q>]-webgpu.wasm (needs emcc);
     otherwise the matching prebuilt library (--prebuilt-lib, or one already in public/models/lib/)
  4. checks the output: every shard in tensor-cache.json present with its size (and its md5 while it is copied),
     ${CHAT_CONFIG} settings, tokenizer files
  5. installs public/models/<ID>/resolve/main/ (+ ${MANIFEST_NAME}: sizes, sha256, source, prompt profile) and
     public/models/lib/<library>, and adds or replaces the entry <ID> in src/lib/models/registry.json

Required:
      --hf-dir DIR          merged HF weights (runs/NAME/epoch_N from "radreportx finetune"); not needed with --from-meta
  -q, --quantization Q      ${QUANTIZATIONS.join(' | ')} (q4f16_1 needs WebGPU shader-f16; q4f32_1 runs everywhere, larger)
      --id ID               model id in the registry and the folder name (letters, digits, . _ -)

Options:
      --from-meta FILE      the released RadReportX checkpoint (torchtune/Meta format, meta_model_0.pt, bf16): converted
                            to HF format first with training/python/convert_meta_to_hf.py (torchtune's converters)
      --base-dir DIR        the base model's HF download (config.json, tokenizer); required with --from-meta
      --base MODEL          ${BASE_IDS.join(' | ')} (default: recognised from config.json)
      --compile             compile the model library instead of using the prebuilt one
      --prebuilt-lib FILE   the prebuilt library file (default: public/models/lib/<name> when already there)
      --prompt-profile P    ${MODEL_PROFILES.join(' | ')} (default: the one the run's dataset used, else json)
      --name TEXT           name shown in the app (default "RadReportX <size> (<Q>)")
      --work-dir DIR        intermediate files (default runs/build/<ID>)
      --site-dir DIR        the site to install into (default: this repository)
      --registry FILE       registry to update (default <site-dir>/src/lib/models/registry.json)
      --no-install          build and check only
      --python EXE          Python for --from-meta (default python3)

Example:
  radreportx build-model --hf-dir runs/rrx-8b/epoch_0 -q q4f16_1 --id RadReportX-8B-custom-q4f16_1 \\
    --prebuilt-lib ~/Downloads/Llama-3_1-8B-Instruct-q4f16_1_cs1k-webgpu.wasm
`;

const ID_SHAPE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/;

async function readJsonIfThere(path: string): Promise<Record<string, unknown> | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function echo(ctx: RunContext) {
  return (line: string) => {
    if (line.trim()) ctx.err(`  ${line}\n`);
  };
}

export async function runBuildModel(argv: string[], ctx: RunContext): Promise<number> {
  const { values: v } = parseCommandArgs(argv, OPTIONS);
  const q = oneOf(required(v.quantization, 'quantization'), 'quantization', QUANTIZATIONS, 'q4f16_1' as Quantization);
  const id = required(v.id, 'id');
  if (!ID_SHAPE.test(id)) throw new UsageError(`--id "${id}" must be letters, digits, ".", "_" or "-" (it names a folder and a URL).`);
  const at = (p: string) => resolve(ctx.cwd, p);
  const siteDir = at(v['site-dir'] ?? REPO_ROOT);
  const publicDir = join(siteDir, 'public');
  const registryPath = at(v.registry ?? join(siteDir, 'src', 'lib', 'models', 'registry.json'));
  const workDir = at(v['work-dir'] ?? join('runs', 'build', id));
  const fromMeta = v['from-meta'] ? at(v['from-meta']) : undefined;
  const install = !v['no-install'];

  // Inputs first: every check that can fail fast happens before hours of conversion.
  let hfDir: string;
  let configSource: string;
  if (fromMeta) {
    if (!(await exists(fromMeta))) throw new UsageError(`The checkpoint "${fromMeta}" does not exist.`);
    const baseDir = v['base-dir'] ? at(v['base-dir']) : undefined;
    if (!baseDir) throw new UsageError('--from-meta needs --base-dir: the base model\'s HF download, for config.json and the tokenizer.', `Get it with: ${downloadCommand(BASES['llama3.1-8b'], 'runs/base/Llama-3.1-8B-Instruct')}`);
    if (!(await exists(join(baseDir, 'config.json')))) throw new UsageError(`"${baseDir}" has no config.json; it is not a Hugging Face model download.`, `Get it with: ${downloadCommand(BASES['llama3.1-8b'], baseDir)}`);
    hfDir = join(workDir, 'hf');
    configSource = baseDir;
  } else {
    hfDir = at(required(v['hf-dir'], 'hf-dir'));
    if (!(await isDirectory(hfDir))) throw new UsageError(`--hf-dir "${hfDir}" is not a folder.`);
    if (!(await exists(join(hfDir, 'config.json')))) throw new UsageError(`"${hfDir}" has no config.json; pass the epoch folder torchtune wrote (runs/NAME/epoch_N).`);
    configSource = hfDir;
  }
  const hfConfig = (await readJsonIfThere(join(configSource, 'config.json'))) ?? {};
  let base: BaseModel | undefined = v.base ? BASES[oneOf(v.base, 'base', BASE_IDS, 'llama3.1-8b' as BaseId)] : baseFromHfConfig(hfConfig);
  if (!base) {
    throw new UsageError(`${join(configSource, 'config.json')} does not describe one of the supported bases (${BASE_IDS.join(', ')}).`, 'Name it with --base if the shape was changed on purpose.');
  }
  const detected = baseFromHfConfig(hfConfig);
  if (v.base && detected && detected.id !== base.id) ctx.err(`warning: config.json looks like ${detected.id}, but --base says ${base.id}.\n`);

  // The dataset the run was trained on says which prompt profile the model answers.
  const run = fromMeta ? undefined : await readJsonIfThere(join(dirname(hfDir), 'radreportx-run.json'));
  const runProfile = (run?.dataset as { promptProfile?: string } | undefined)?.promptProfile;
  let profile: PromptProfileId = runProfile && isPromptProfile(runProfile) ? runProfile : fromMeta ? 'release' : 'json';
  if (v['prompt-profile'] !== undefined) {
    const asked = oneOf(v['prompt-profile'], 'prompt-profile', MODEL_PROFILES, 'json' as PromptProfileId);
    if (runProfile && asked !== runProfile) ctx.err(`warning: the run was trained with prompt profile "${runProfile}", but --prompt-profile says "${asked}"; the app will send "${asked}" prompts.\n`);
    profile = asked;
  }

  const expectedLib = base.libraries[q].file;
  let libraryName = expectedLib;
  let librarySource: string | undefined;
  if (v.compile) {
    if (!(await hasTool(ctx, 'emcc'))) throw new ToolError('emcc', '--compile needs emscripten, and "emcc" is not on PATH.', `${INSTALL_HINTS.emcc} Or leave out --compile to use the prebuilt library ${expectedLib}.`, null, []);
    // The app's registry checks that a library is built for the entry's quantization by its name.
    libraryName = id.includes(q) ? `${id}-webgpu.wasm` : `${id}-${q}-webgpu.wasm`;
  } else if (v['prebuilt-lib']) {
    librarySource = at(v['prebuilt-lib']);
    if (!(await isWasm(librarySource))) throw new UsageError(`--prebuilt-lib "${librarySource}" is not a WebAssembly file.`);
    if (basename(librarySource) !== expectedLib) ctx.err(`warning: the prebuilt library for ${base.id} ${q} is ${expectedLib}; "${basename(librarySource)}" was given. It is installed as ${expectedLib}.\n`);
  } else if (install && (await isWasm(join(publicDir, 'models', 'lib', expectedLib)))) {
    librarySource = join(publicDir, 'models', 'lib', expectedLib);
  } else {
    throw new UsageError(
      `The prebuilt model library ${expectedLib} is needed (WebLLM's library for ${base.id} ${q}, v0_2_86).`,
      `Download it from ${PREBUILT_LIBRARY_BASE}${expectedLib} and pass --prebuilt-lib FILE (or put it in ${join(publicDir, 'models', 'lib')}), or build one with --compile.`,
    );
  }

  const mlcDir = join(workDir, 'mlc');
  const logFile = join(workDir, 'build.log');
  await rm(mlcDir, { recursive: true, force: true });
  await rm(join(workDir, 'lib'), { recursive: true, force: true });
  await mkdir(mlcDir, { recursive: true });
  ctx.err(`Building ${id} from ${fromMeta ?? hfDir} (${base.id}, ${q}, prompt profile ${profile}). Log: ${logFile}\n`);

  if (fromMeta) {
    const python = v.python ?? 'python3';
    ctx.err(`Converting the Meta-format checkpoint to Hugging Face format (${relative(ctx.cwd, hfDir) || hfDir}) ...\n`);
    await rm(hfDir, { recursive: true, force: true });
    await runTool(ctx, python, [CONVERTER, '--checkpoint', fromMeta, '--base-dir', configSource, '--out', hfDir], { logFile, what: 'Meta → HF conversion', onLine: echo(ctx) });
  }

  ctx.err(`mlc_llm convert_weight (${q}) ...\n`);
  await runTool(ctx, 'mlc_llm', convertWeightArgs(hfDir, q, mlcDir), { logFile, what: 'weight conversion', onLine: echo(ctx) });
  ctx.err('mlc_llm gen_config ...\n');
  await runTool(ctx, 'mlc_llm', genConfigArgs(hfDir, q, mlcDir), { logFile, what: 'config generation', onLine: echo(ctx) });
  if (await normaliseTensorCacheName(mlcDir)) ctx.err('note: this mlc_llm wrote ndarray-cache.json; copied it to tensor-cache.json, the name web-llm 0.2.86 reads.\n');

  const verified = await verifyMlcOutput(mlcDir, { quantization: q, contextWindow: CONTEXT_WINDOW, prefillChunk: PREFILL_CHUNK });
  if (verified.problems.length) {
    throw new RadReportXError('ExternalTool', `The MLC output in ${mlcDir} is not usable:\n${verified.problems.map((p) => `  - ${p}`).join('\n')}`, `Nothing was installed. Check ${logFile} (a full disk truncates shards), then run build-model again.`);
  }
  ctx.err(`Checked ${verified.files.length} files (${(verified.shardBytes / 1e6).toFixed(1)} MB of weight shards).\n`);

  if (v.compile) {
    librarySource = join(workDir, 'lib', libraryName);
    ctx.err('mlc_llm compile --device webgpu ...\n');
    await runTool(ctx, 'mlc_llm', compileArgs(mlcDir, librarySource), { logFile, what: 'model library compilation', onLine: echo(ctx) });
    if (!(await isWasm(librarySource))) throw new RadReportXError('ExternalTool', `mlc_llm compile did not write a WebAssembly library at ${librarySource}.`, `See ${logFile}.`);
  }

  if (!install) {
    ctx.err(`Built and checked ${mlcDir} (--no-install: nothing installed).\n`);
    ctx.out(`${mlcDir}\n`);
    return 0;
  }

  const library = await installLibrary(librarySource!, publicDir, libraryName);
  const chat = verified.chatConfig ?? {};
  const createdAt = new Date().toISOString();
  const manifest = (files: ModelManifest['files']): ModelManifest => ({
    kind: 'radreportx-model',
    id,
    createdAt,
    base: base.id,
    quantization: q,
    promptProfile: profile,
    promptVersion: PROMPT_VERSION[profile],
    contextWindow: Number(chat.context_window_size ?? CONTEXT_WINDOW),
    prefillChunkSize: Number(chat.prefill_chunk_size ?? PREFILL_CHUNK),
    convTemplate: CONV_TEMPLATE,
    source: {
      ...(fromMeta ? { metaCheckpoint: fromMeta, baseDir: configSource } : { hfDir }),
      ...(run ? { run: { base: run.base, createdAt: run.createdAt, finishedAt: run.finishedAt, finalLoss: run.finalLoss, dataset: run.dataset } } : {}),
    },
    library: { path: `models/lib/${libraryName}`, bytes: library.bytes, sha256: library.sha256, sri: library.sri, prebuilt: !v.compile, libraryVersion: 'v0_2_86' },
    files,
    totalBytes: files.reduce((s, f) => s + f.bytes, 0),
  });
  const installed = await installWeights(mlcDir, verified.files, publicDir, id, manifest, verified.md5);
  const totalBytes = installed.files.reduce((s, f) => s + f.bytes, 0);

  const entry: RegistryEntry = {
    id,
    name: v.name ?? `RadReportX ${base.size} (${q}${q === 'q4f16_1' ? ', needs shader-f16' : ''})`,
    base: base.id,
    weights: `models/${id}/resolve/main/`,
    library: `models/lib/${libraryName}`,
    quantization: q,
    requiredFeatures: q === 'q4f16_1' ? ['shader-f16'] : [],
    downloadMB: Math.ceil(totalBytes / 1e6),
    vramMB: base.libraries[q].vramMB,
    contextWindow: Number(chat.context_window_size ?? CONTEXT_WINDOW),
    promptProfile: profile,
  };
  const { replaced } = await upsertRegistryEntry(registryPath, entry);
  ctx.err(`Installed ${installed.dir} (${(totalBytes / 1e6).toFixed(1)} MB, ${installed.files.length} files, manifest ${MANIFEST_NAME}) and ${library.path}.\n` +
    `${replaced ? 'Replaced' : 'Added'} "${id}" in ${registryPath}. Start the site with: npm start\n`);
  ctx.out(`${join(installed.dir, MANIFEST_NAME)}\n`);
  return 0;
}

export const buildModel: Command = {
  name: 'build-model',
  summary: 'convert merged weights to MLC WebGPU artifacts, check them, install them in the site and registry',
  help,
  run: (argv) => runBuildModel(argv, processContext()),
};
