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
import { GGUF_HELP, GGUF_OPTIONS, runBuildGguf } from '../pipeline/gguf.ts';
import { installLibrary, installWeights, MANIFEST_NAME, type ModelManifest } from '../pipeline/install.ts';
import { CHAT_CONFIG, compileArgs, CONTEXT_WINDOW, CONV_TEMPLATE, convertWeightArgs, finishChatConfig, genConfigArgs, isWasm, normaliseTensorCacheName, PREFILL_CHUNK, verifyMlcOutput, webCompileProblems, type Verified } from '../pipeline/mlc.ts';
import { EMSDK_VERSION } from '../pipeline/doctor-checks.ts';
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
  format: { type: 'string' },
  ...GGUF_OPTIONS,
} as const;

const help = `Usage: radreportx build-model --hf-dir runs/NAME/epoch_0 --quantization q4f16_1 --id ID [options]

Turns merged Hugging Face weights into a model the site serves:
  1. mlc_llm convert_weight <hf-dir> --quantization Q -o <work>/mlc
  2. mlc_llm gen_config <hf-dir> --quantization Q --conv-template ${CONV_TEMPLATE} --context-window-size ${CONTEXT_WINDOW} --prefill-chunk-size ${PREFILL_CHUNK} -o <work>/mlc
     (the settings of WebLLM 0.2.86's prebuilt Llama libraries, <model>-<Q>_cs1k-webgpu.wasm; llama-3 for the
     Llama-3 base), then sets the chat config's system message to "" with render_empty_system_message false
  3. with --compile: mlc_llm compile <work>/mlc/${CHAT_CONFIG} --device webgpu -o <work>/lib/<ID>[-<Q>]-webgpu.wasm (needs
     emcc ${EMSDK_VERSION}, MLC_LLM_SOURCE_DIR and TVM_SOURCE_DIR with their web/dist/wasm/*.bc);
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
      --from-meta FILE      the released RadReportX checkpoint (torchtune/Meta format, meta_model_0.pt, bf16), or a
                            --recipe paper run's epoch_0/model-00001-of-00001.pt: converted to HF format first with
                            training/python/convert_meta_to_hf.py, and built on the Llama-3 base (llama3-8b: no
                            rope_scaling, WebLLM's Llama-3-8B-Instruct-<Q>_cs1k library) as the paper trained it
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
      --format F            mlc (default: WebLLM weights + library) | gguf (llama.cpp, for the CPU engine; below)

${GGUF_HELP}

Example:
  radreportx build-model --hf-dir runs/rrx-8b/epoch_0 -q q4f16_1 --id RadReportX-8B-custom-q4f16_1 \\
    --prebuilt-lib ~/Downloads/Llama-3_1-8B-Instruct-q4f16_1_cs1k-webgpu.wasm
`;

const ID_SHAPE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/;

/** The released RadReportX checkpoint: its base and the prompts it was trained on. */
const RELEASED_BASE: BaseId = 'llama3-8b';
const RELEASED_PROFILE: PromptProfileId = 'release';

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

type Values = ReturnType<typeof parseCommandArgs<typeof OPTIONS>>['values'];

interface BuildPlan {
  id: string;
  q: Quantization;
  base: BaseModel;
  profile: PromptProfileId;
  /** Merged HF weights: --hf-dir, or <work>/hf converted from --from-meta. */
  hfDir: string;
  /** Where config.json and the tokenizer come from (the base download with --from-meta). */
  configSource: string;
  fromMeta: string | undefined;
  workDir: string;
  mlcDir: string;
  logFile: string;
  publicDir: string;
  registryPath: string;
  install: boolean;
  compile: boolean;
  libraryName: string;
  /** The library to install (the prebuilt one; the compiled one is set after compiling). */
  librarySource: string | undefined;
  run: Record<string, unknown> | undefined;
}

/** The weights to build from, and the base they are: every check that can fail fast, before hours of conversion. */
async function resolveSource(v: Values, at: (p: string) => string, workDir: string, warn: (m: string) => void): Promise<Pick<BuildPlan, 'hfDir' | 'configSource' | 'fromMeta' | 'base'>> {
  const fromMeta = v['from-meta'] ? at(v['from-meta']) : undefined;
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
  const detected = baseFromHfConfig(hfConfig);
  // The released checkpoint is the Llama-3 network on Llama-3.1 weights (reference README, "Training"), so
  // --from-meta builds on llama3-8b; the 3.1 download's config.json is rewritten without rope_scaling.
  const named = v.base ? oneOf(v.base, 'base', BASE_IDS, 'llama3.1-8b' as BaseId) : fromMeta ? RELEASED_BASE : undefined;
  const base = named ? BASES[named] : detected;
  if (!base) {
    throw new UsageError(`${join(configSource, 'config.json')} does not describe one of the supported bases (${BASE_IDS.join(', ')}).`, 'Name it with --base if the shape was changed on purpose.');
  }
  if (fromMeta) {
    // A converted Meta checkpoint gets its RoPE from the base (the config is rewritten), so only the shape must match.
    if (!Object.entries(base.shape).every(([k, n]) => hfConfig[k] === n)) {
      throw new UsageError(`${join(configSource, 'config.json')} does not have the shape of ${base.id}.`, 'Is --base-dir the base this checkpoint was trained from? Name another base with --base.');
    }
  } else if (v.base && detected && detected.id !== base.id) {
    warn(`config.json looks like ${detected.id}, but --base says ${base.id}.`);
  }
  return { hfDir, configSource, fromMeta, base };
}

/** The dataset the run was trained on says which prompt profile the model answers; the released model answers the authors' prompts. */
function resolveProfile(v: Values, ctx: RunContext, run: Record<string, unknown> | undefined, fromMeta: string | undefined): PromptProfileId {
  const runProfile = (run?.dataset as { promptProfile?: string } | undefined)?.promptProfile;
  let profile: PromptProfileId = runProfile && isPromptProfile(runProfile) ? runProfile : fromMeta ? RELEASED_PROFILE : 'json';
  if (v['prompt-profile'] !== undefined) {
    const asked = oneOf(v['prompt-profile'], 'prompt-profile', MODEL_PROFILES, 'json' as PromptProfileId);
    if (runProfile && asked !== runProfile) ctx.err(`warning: the run was trained with prompt profile "${runProfile}", but --prompt-profile says "${asked}"; the app will send "${asked}" prompts.\n`);
    profile = asked;
  }
  return profile;
}

/** The model library: compiled here (--compile, checked for emcc and the web runtime first) or WebLLM's prebuilt one. */
async function resolveLibrary(v: Values, ctx: RunContext, at: (p: string) => string, p: Pick<BuildPlan, 'base' | 'q' | 'id' | 'publicDir' | 'install' | 'workDir'>): Promise<Pick<BuildPlan, 'libraryName' | 'librarySource'>> {
  const expectedLib = p.base.libraries[p.q].file;
  if (v.compile) {
    if (!(await hasTool(ctx, 'emcc'))) throw new ToolError('emcc', '--compile needs emscripten, and "emcc" is not on PATH.', `${INSTALL_HINTS.emcc} Or leave out --compile to use the prebuilt library ${expectedLib}.`, null, []);
    const missing = webCompileProblems(ctx.env, ctx.cwd);
    if (missing.length) throw new ToolError('mlc_llm', `--compile needs MLC's and TVM's prebuilt web runtime:\n${missing.map((m) => `  - ${m}`).join('\n')}`, `See https://llm.mlc.ai/docs/install/emcc.html (emscripten ${EMSDK_VERSION}). Or leave out --compile to use the prebuilt library ${expectedLib}.`, null, []);
    // The app's registry checks that a library is built for the entry's quantization by its name.
    return { libraryName: p.id.includes(p.q) ? `${p.id}-webgpu.wasm` : `${p.id}-${p.q}-webgpu.wasm`, librarySource: undefined };
  }
  if (v['prebuilt-lib']) {
    const librarySource = at(v['prebuilt-lib']);
    if (!(await isWasm(librarySource))) throw new UsageError(`--prebuilt-lib "${librarySource}" is not a WebAssembly file.`);
    if (basename(librarySource) !== expectedLib) ctx.err(`warning: the prebuilt library for ${p.base.id} ${p.q} is ${expectedLib}; "${basename(librarySource)}" was given. It is installed as ${expectedLib}.\n`);
    return { libraryName: expectedLib, librarySource };
  }
  const inSite = join(p.publicDir, 'models', 'lib', expectedLib);
  if (p.install && (await isWasm(inSite))) return { libraryName: expectedLib, librarySource: inSite };
  throw new UsageError(
    `The prebuilt model library ${expectedLib} is needed (WebLLM's library for ${p.base.id} ${p.q}, v0_2_86).`,
    `Download it from ${PREBUILT_LIBRARY_BASE}${expectedLib} and pass --prebuilt-lib FILE (or put it in ${join(p.publicDir, 'models', 'lib')}), or build one with --compile.`,
  );
}

async function planBuild(argv: string[], ctx: RunContext): Promise<BuildPlan> {
  const { values: v } = parseCommandArgs(argv, OPTIONS);
  const q = oneOf(required(v.quantization, 'quantization'), 'quantization', QUANTIZATIONS, 'q4f16_1' as Quantization);
  const id = required(v.id, 'id');
  if (!ID_SHAPE.test(id)) throw new UsageError(`--id "${id}" must be letters, digits, ".", "_" or "-" (it names a folder and a URL).`);
  const at = (p: string) => resolve(ctx.cwd, p);
  const siteDir = at(v['site-dir'] ?? REPO_ROOT);
  const publicDir = join(siteDir, 'public');
  const workDir = at(v['work-dir'] ?? join('runs', 'build', id));
  const install = !v['no-install'];
  const source = await resolveSource(v, at, workDir, (m) => ctx.err(`warning: ${m}\n`));
  const run = source.fromMeta ? undefined : await readJsonIfThere(join(dirname(source.hfDir), 'radreportx-run.json'));
  const profile = resolveProfile(v, ctx, run, source.fromMeta);
  const library = await resolveLibrary(v, ctx, at, { base: source.base, q, id, publicDir, install, workDir });
  return {
    id,
    q,
    ...source,
    profile,
    workDir,
    mlcDir: join(workDir, 'mlc'),
    logFile: join(workDir, 'build.log'),
    publicDir,
    registryPath: at(v.registry ?? join(siteDir, 'src', 'lib', 'models', 'registry.json')),
    install,
    compile: Boolean(v.compile),
    ...library,
    run,
  };
}

/** Meta → HF (with --from-meta), convert_weight, gen_config, the chat config's system message, then the check. */
async function convertAndCheck(ctx: RunContext, p: BuildPlan, python: string): Promise<Verified> {
  await rm(p.mlcDir, { recursive: true, force: true });
  await rm(join(p.workDir, 'lib'), { recursive: true, force: true });
  await mkdir(p.mlcDir, { recursive: true });
  ctx.err(`Building ${p.id} from ${p.fromMeta ?? p.hfDir} (${p.base.id}, ${p.q}, prompt profile ${p.profile}). Log: ${p.logFile}\n`);
  const run = (what: string, tool: string, args: string[]) => runTool(ctx, tool, args, { logFile: p.logFile, what, onLine: echo(ctx) });
  if (p.fromMeta) {
    ctx.err(`Converting the Meta-format checkpoint to Hugging Face format (${relative(ctx.cwd, p.hfDir) || p.hfDir}) ...\n`);
    await rm(p.hfDir, { recursive: true, force: true });
    await run('Meta → HF conversion', python, [CONVERTER, '--checkpoint', p.fromMeta, '--base-dir', p.configSource, '--out', p.hfDir, ...(p.base.ropeScaling ? [] : ['--no-rope-scaling'])]);
  }
  ctx.err(`mlc_llm convert_weight (${p.q}) ...\n`);
  await run('weight conversion', 'mlc_llm', convertWeightArgs(p.hfDir, p.q, p.mlcDir));
  ctx.err('mlc_llm gen_config ...\n');
  await run('config generation', 'mlc_llm', genConfigArgs(p.hfDir, p.q, p.mlcDir, p.base.convTemplate));
  if (await normaliseTensorCacheName(p.mlcDir)) ctx.err('note: this mlc_llm wrote ndarray-cache.json; copied it to tensor-cache.json, the name web-llm 0.2.86 reads.\n');
  if (await exists(join(p.mlcDir, CHAT_CONFIG))) await finishChatConfig(p.mlcDir);
  const verified = await verifyMlcOutput(p.mlcDir, { quantization: p.q, contextWindow: CONTEXT_WINDOW, prefillChunk: PREFILL_CHUNK, convTemplate: p.base.convTemplate, ropeScaling: p.base.ropeScaling });
  if (verified.problems.length) {
    throw new RadReportXError('ExternalTool', `The MLC output in ${p.mlcDir} is not usable:\n${verified.problems.map((x) => `  - ${x}`).join('\n')}`, `Nothing was installed. Check ${p.logFile} (a full disk truncates shards), then run build-model again.`);
  }
  ctx.err(`Checked ${verified.files.length} files (${(verified.shardBytes / 1e6).toFixed(1)} MB of weight shards).\n`);
  return verified;
}

/** mlc_llm compile into <work>/lib/, a folder it needs to exist already (mlc-llm python/mlc_llm/cli/compile.py:34-36). */
async function compileLibrary(ctx: RunContext, p: BuildPlan): Promise<string> {
  const lib = join(p.workDir, 'lib', p.libraryName);
  await mkdir(dirname(lib), { recursive: true });
  ctx.err('mlc_llm compile --device webgpu ...\n');
  await runTool(ctx, 'mlc_llm', compileArgs(p.mlcDir, lib), { logFile: p.logFile, what: 'model library compilation', onLine: echo(ctx) });
  if (!(await isWasm(lib))) throw new RadReportXError('ExternalTool', `mlc_llm compile did not write a WebAssembly library at ${lib}.`, `See ${p.logFile}.`);
  return lib;
}

/** Weights, library and manifest into the site; the entry into the registry. Returns the manifest's path. */
async function installBuild(ctx: RunContext, p: BuildPlan, verified: Verified, librarySource: string, name: string | undefined): Promise<string> {
  const library = await installLibrary(librarySource, p.publicDir, p.libraryName);
  const chat = verified.chatConfig ?? {};
  const contextWindow = Number(chat.context_window_size ?? CONTEXT_WINDOW);
  const createdAt = new Date().toISOString();
  const run = p.run;
  const manifest = (files: ModelManifest['files']): ModelManifest => ({
    kind: 'radreportx-model',
    id: p.id,
    createdAt,
    base: p.base.id,
    quantization: p.q,
    promptProfile: p.profile,
    promptVersion: PROMPT_VERSION[p.profile],
    contextWindow,
    prefillChunkSize: Number(chat.prefill_chunk_size ?? PREFILL_CHUNK),
    convTemplate: p.base.convTemplate,
    source: {
      ...(p.fromMeta ? { metaCheckpoint: p.fromMeta, baseDir: p.configSource } : { hfDir: p.hfDir }),
      ...(run ? { run: { base: run.base, createdAt: run.createdAt, finishedAt: run.finishedAt, finalLoss: run.finalLoss, dataset: run.dataset } } : {}),
    },
    library: { path: `models/lib/${p.libraryName}`, bytes: library.bytes, sha256: library.sha256, sri: library.sri, prebuilt: !p.compile, libraryVersion: 'v0_2_86' },
    files,
    totalBytes: files.reduce((sum, f) => sum + f.bytes, 0),
  });
  const installed = await installWeights(p.mlcDir, verified.files, p.publicDir, p.id, manifest, verified.md5);
  const totalBytes = installed.files.reduce((sum, f) => sum + f.bytes, 0);
  const entry: RegistryEntry = {
    id: p.id,
    name: name ?? `RadReportX ${p.base.size} (${p.q}${p.q === 'q4f16_1' ? ', needs shader-f16' : ''})`,
    base: p.base.id,
    weights: `models/${p.id}/resolve/main/`,
    library: `models/lib/${p.libraryName}`,
    quantization: p.q,
    requiredFeatures: p.q === 'q4f16_1' ? ['shader-f16'] : [],
    downloadMB: Math.ceil(totalBytes / 1e6),
    vramMB: p.base.libraries[p.q].vramMB,
    contextWindow,
    promptProfile: p.profile,
  };
  const { replaced } = await upsertRegistryEntry(p.registryPath, entry);
  ctx.err(`Installed ${installed.dir} (${(totalBytes / 1e6).toFixed(1)} MB, ${installed.files.length} files, manifest ${MANIFEST_NAME}) and ${library.path}.\n` +
    `${replaced ? 'Replaced' : 'Added'} "${p.id}" in ${p.registryPath}. Start the site with: npm start\n`);
  return join(installed.dir, MANIFEST_NAME);
}

export async function runBuildModel(argv: string[], ctx: RunContext): Promise<number> {
  const { values: v } = parseCommandArgs(argv, OPTIONS);
  if (oneOf(v.format, 'format', ['mlc', 'gguf'] as const, 'mlc') === 'gguf') return runBuildGguf(v, ctx);
  const plan = await planBuild(argv, ctx);
  const verified = await convertAndCheck(ctx, plan, v.python ?? 'python3');
  const librarySource = plan.compile ? await compileLibrary(ctx, plan) : plan.librarySource!;
  if (!plan.install) {
    ctx.err(`Built and checked ${plan.mlcDir} (--no-install: nothing installed).\n`);
    ctx.out(`${plan.mlcDir}\n`);
    return 0;
  }
  ctx.out(`${await installBuild(ctx, plan, verified, librarySource, v.name)}\n`);
  return 0;
}

export const buildModel: Command = {
  name: 'build-model',
  summary: 'convert merged weights to MLC WebGPU artifacts, check them, install them in the site and registry',
  help,
  run: (argv) => runBuildModel(argv, processContext()),
};
