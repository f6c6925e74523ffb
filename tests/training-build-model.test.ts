import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { buildModel as buildModelCommand, runBuildModel } from '../training/commands/build-model.ts';
import { runCli } from '../training/lib/runner.ts';
import { BASES, baseFromHfConfig, PREBUILT_LIBRARY_BASE } from '../training/pipeline/bases.ts';
import { verifyMlcOutput } from '../training/pipeline/mlc.ts';
import { formatJson, readRegistry, upsertRegistryEntry } from '../training/pipeline/registry.ts';
import { ToolError } from '../training/pipeline/tool.ts';
import { makeBench, type Bench } from './stand-ins/harness.ts';

const REAL_REGISTRY = join(import.meta.dirname, '..', 'src', 'lib', 'models', 'registry.json');
const LIB = 'Llama-3_1-8B-Instruct-q4f16_1_cs1k-webgpu.wasm';

interface Site extends Bench {
  hf: string;
  site: string;
  registry: string;
  prebuilt: string;
  registryBefore: string;
}

/** A temporary site (copy of the real registry), an HF weights folder and a prebuilt library file. */
async function setup(tools?: readonly string[]): Promise<Site> {
  const bench = await makeBench(tools);
  const hf = join(bench.root, 'runs', 'rrx', 'epoch_0');
  await promisify(execFile)(join(import.meta.dirname, 'stand-ins', 'tune'), ['download', 'meta-llama/Llama-3.1-8B-Instruct', '--output-dir', hf], {
    env: { PATH: `${bench.bin}:${process.env.PATH}` },
  });
  await writeFile(join(bench.root, 'runs', 'rrx', 'radreportx-run.json'), JSON.stringify({ kind: 'radreportx-run', base: 'llama3.1-8b', finalLoss: 0.41, dataset: { promptProfile: 'json', promptVersion: 'json-1', task: 'findings' } }));
  const site = join(bench.root, 'site');
  await mkdir(join(site, 'src', 'lib', 'models'), { recursive: true });
  await mkdir(join(site, 'public'), { recursive: true });
  const registry = join(site, 'src', 'lib', 'models', 'registry.json');
  await copyFile(REAL_REGISTRY, registry);
  const prebuilt = join(bench.root, LIB);
  await writeFile(prebuilt, Buffer.concat([Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]), Buffer.alloc(1000, 9)]));
  return { ...bench, hf, site, registry, prebuilt, registryBefore: await readFile(registry, 'utf8') };
}

const args = (s: Site, id: string, ...more: string[]) => ['--hf-dir', s.hf, '-q', 'q4f16_1', '--id', id, '--site-dir', s.site, '--work-dir', join(s.root, 'work'), ...more];
/** The error a command rejects with; fails the test when the command succeeds. */
async function failure<E = Error & { hint?: string }>(run: Promise<unknown>): Promise<E> {
  try {
    await run;
  } catch (e) {
    return e as E;
  }
  throw new Error('expected the command to fail');
}

const sha = async (path: string) => createHash('sha256').update(await readFile(path)).digest('hex');

/** A fake mlc-llm checkout with the web runtime files that ./web/prep_emcc_deps.sh builds. */
async function webRuntime(root: string): Promise<NodeJS.ProcessEnv> {
  const mlc = join(root, 'mlc-llm');
  const tvm = join(mlc, '3rdparty', 'tvm');
  await mkdir(join(mlc, 'web', 'dist', 'wasm'), { recursive: true });
  await mkdir(join(tvm, 'web', 'dist', 'wasm'), { recursive: true });
  await writeFile(join(mlc, 'web', 'dist', 'wasm', 'mlc_wasm_runtime.bc'), 'bc');
  for (const f of ['wasm_runtime.bc', 'tvmjs_support.bc', 'webgpu_runtime.bc']) await writeFile(join(tvm, 'web', 'dist', 'wasm', f), 'bc');
  return { MLC_LLM_SOURCE_DIR: mlc, TVM_SOURCE_DIR: tvm };
}

/** Runs a stand-in directly; resolves with its exit code and stderr. */
async function standIn(s: Bench, tool: string, argv: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stderr: string }> {
  return promisify(execFile)(join(s.bin, tool), argv, { env: { ...s.env, ...env }, cwd: s.root }).then(
    (r) => ({ code: 0, stderr: r.stderr }),
    (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
  );
}

describe('build-model (stand-in mlc_llm)', () => {
  it('converts, checks, installs with a manifest and adds a registry entry', async () => {
    const s = await setup();
    const c = s.context();
    expect(await runBuildModel(args(s, 'RadReportX-8B-test', '--prebuilt-lib', s.prebuilt), c)).toBe(0);
    const mlcDir = join(s.root, 'work', 'mlc');
    expect((await s.calls('mlc_llm')).map((x) => x.args)).toEqual([
      ['convert_weight', s.hf, '--quantization', 'q4f16_1', '-o', mlcDir],
      ['gen_config', s.hf, '--quantization', 'q4f16_1', '--conv-template', 'llama-3_1', '--context-window-size', '4096', '--prefill-chunk-size', '1024', '-o', mlcDir],
    ]);
    const dir = join(s.site, 'public', 'models', 'RadReportX-8B-test', 'resolve', 'main');
    expect((await readdir(dir)).sort()).toEqual(['mlc-chat-config.json', 'params_shard_0.bin', 'params_shard_1.bin', 'params_shard_2.bin', 'radreportx-manifest.json', 'tensor-cache.json', 'tokenizer.json', 'tokenizer_config.json']);
    // Every build: no default system prompt in chat requests; a 3.1 base keeps its RoPE scaling.
    const chat = JSON.parse(await readFile(join(dir, 'mlc-chat-config.json'), 'utf8'));
    expect(chat.conv_template).toMatchObject({ name: 'llama-3_1', system_message: '', render_empty_system_message: false });
    expect(chat.model_config.rope_scaling).toMatchObject({ rope_type: 'llama3' });
    const manifest = JSON.parse(await readFile(join(dir, 'radreportx-manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ kind: 'radreportx-model', id: 'RadReportX-8B-test', base: 'llama3.1-8b', quantization: 'q4f16_1', promptProfile: 'json', promptVersion: 'json-1', contextWindow: 4096, prefillChunkSize: 1024, source: { hfDir: s.hf, run: { finalLoss: 0.41 } } });
    for (const f of manifest.files) {
      expect(f.sha256, f.path).toBe(await sha(join(dir, f.path)));
      expect(f.sri).toBe(`sha256-${Buffer.from(f.sha256, 'hex').toString('base64')}`);
    }
    expect(manifest.files.find((f: { path: string }) => f.path === 'params_shard_2.bin').bytes).toBe(12345);
    expect(manifest.library).toMatchObject({ path: `models/lib/${LIB}`, prebuilt: true, sha256: await sha(s.prebuilt) });
    expect(await sha(join(s.site, 'public', 'models', 'lib', LIB))).toBe(await sha(s.prebuilt));

    const { doc } = await readRegistry(s.registry);
    const before = JSON.parse(s.registryBefore);
    expect(doc.models.slice(0, before.models.length)).toEqual(before.models);
    expect(doc.$comment).toBe(before.$comment);
    expect(doc.models.at(-1)).toEqual({
      id: 'RadReportX-8B-test',
      name: 'RadReportX 8B (q4f16_1, needs shader-f16)',
      base: 'llama3.1-8b',
      weights: 'models/RadReportX-8B-test/resolve/main/',
      library: `models/lib/${LIB}`,
      quantization: 'q4f16_1',
      requiredFeatures: ['shader-f16'],
      downloadMB: Math.ceil(manifest.totalBytes / 1e6),
      vramMB: 5001,
      contextWindow: 4096,
      promptProfile: 'json',
    });
    // The real registry is untouched; the copy keeps its layout (the old part byte for byte).
    expect(await readFile(REAL_REGISTRY, 'utf8')).toBe(s.registryBefore);
    expect((await readFile(s.registry, 'utf8')).startsWith(s.registryBefore.slice(0, s.registryBefore.lastIndexOf('}\n  ]')))).toBe(true);
    expect(c.output.out).toBe(`${join(dir, 'radreportx-manifest.json')}\n`);

    // Building the same id again replaces the entry instead of adding a second one; the library found in the site is reused.
    const again = s.context();
    expect(await runBuildModel(args(s, 'RadReportX-8B-test', '--name', 'Second build'), again)).toBe(0);
    const after = await readRegistry(s.registry);
    expect(after.doc.models.filter((m) => m.id === 'RadReportX-8B-test').map((m) => m.name)).toEqual(['Second build']);
    expect(again.output.err).toMatch(/Replaced "RadReportX-8B-test"/);
  });

  it('catches a truncated or missing shard and installs nothing', async () => {
    for (const [knob, message] of [
      ['STANDIN_MLC_TRUNCATE', /shard params_shard_2.bin has 12245 bytes, tensor-cache.json says 12345 \(truncated or stale\)/],
      ['STANDIN_MLC_DROP_SHARD', /shard params_shard_1.bin is missing/],
    ] as const) {
      const s = await setup();
      const error = await failure<Error>(runBuildModel(args(s, 'Broken', '--prebuilt-lib', s.prebuilt), s.context({ [knob]: '1' })));
      expect(error).toMatchObject({ name: 'ExternalTool', message: expect.stringMatching(message) });
      expect((error as { hint?: string }).hint).toMatch(/Nothing was installed/);
      expect(await readdir(join(s.site, 'public'))).toEqual([]);
      expect(await readFile(s.registry, 'utf8')).toBe(s.registryBefore);
    }
  });

  it('stops the install when a shard does not match its recorded md5', async () => {
    const s = await setup();
    const error = await failure<Error & { hint: string }>(runBuildModel(args(s, 'Corrupt', '--prebuilt-lib', s.prebuilt), s.context({ STANDIN_MLC_CORRUPT: '1' })));
    expect(error.message).toMatch(/Shard params_shard_0.bin is corrupt: its md5 is [0-9a-f]{32}, tensor-cache.json says [0-9a-f]{32}/);
    expect(await readdir(join(s.site, 'public', 'models'))).toEqual(['lib']);
    expect(await readFile(s.registry, 'utf8')).toBe(s.registryBefore);
  });

  it('renames an older mlc_llm ndarray-cache.json to tensor-cache.json', async () => {
    const s = await setup();
    const c = s.context({ STANDIN_MLC_CACHE_NAME: 'ndarray-cache.json' });
    expect(await runBuildModel(args(s, 'Old-mlc', '--prebuilt-lib', s.prebuilt, '--no-install'), c)).toBe(0);
    expect(c.output.err).toMatch(/wrote ndarray-cache.json; copied it to tensor-cache.json/);
    expect(await readFile(join(s.root, 'work', 'mlc', 'tensor-cache.json'), 'utf8')).toBe(await readFile(join(s.root, 'work', 'mlc', 'ndarray-cache.json'), 'utf8'));
  });

  it('compiles the model library with --compile, and needs emscripten for it', async () => {
    const without = await setup(['mlc_llm', 'python3']);
    const error = await failure(runBuildModel(args(without, 'Compiled', '--compile'), without.context()));
    expect(error).toBeInstanceOf(ToolError);
    expect((error as ToolError).message).toMatch(/--compile needs emscripten/);
    expect(await without.calls('mlc_llm')).toEqual([]);

    const s = await setup();
    // Without MLC's and TVM's prebuilt web runtime, compile is refused before anything is converted.
    const noRuntime = await failure<ToolError>(runBuildModel(args(s, 'Compiled', '--compile', '-q', 'q4f32_1'), s.context()));
    expect(noRuntime.message).toMatch(/MLC_LLM_SOURCE_DIR is not set[\s\S]*TVM_SOURCE_DIR is not set/);
    expect(await s.calls('mlc_llm')).toEqual([]);
    const runtime = await webRuntime(s.root);
    expect(await runBuildModel(args(s, 'Compiled', '--compile', '-q', 'q4f32_1'), s.context(runtime))).toBe(0);
    const compile = (await s.calls('mlc_llm')).find((x) => x.args[0] === 'compile')!;
    expect(compile.args).toEqual(['compile', join(s.root, 'work', 'mlc', 'mlc-chat-config.json'), '--device', 'webgpu', '-o', join(s.root, 'work', 'lib', 'Compiled-q4f32_1-webgpu.wasm')]);
    const entry = (await readRegistry(s.registry)).doc.models.at(-1)!;
    expect(entry).toMatchObject({ id: 'Compiled', library: 'models/lib/Compiled-q4f32_1-webgpu.wasm', quantization: 'q4f32_1', requiredFeatures: [], vramMB: 6101 });
    const manifest = JSON.parse(await readFile(join(s.site, 'public', 'models', 'Compiled', 'resolve', 'main', 'radreportx-manifest.json'), 'utf8'));
    expect(manifest.library.prebuilt).toBe(false);
  });

  it('says where to get the prebuilt library when there is none, before converting anything', async () => {
    const s = await setup();
    const error = await failure<{ hint: string; message: string }>(runBuildModel(args(s, 'NoLib'), s.context()));
    expect(error.message).toMatch(new RegExp(`prebuilt model library ${LIB} is needed`));
    expect(error.hint).toContain(`${PREBUILT_LIBRARY_BASE}${LIB}`);
    expect(await s.calls('mlc_llm')).toEqual([]);
  });

  it('converts the released Meta-format checkpoint first with --from-meta', async () => {
    const s = await setup();
    const checkpoint = join(s.root, 'meta_model_0.pt');
    await writeFile(checkpoint, 'stand-in checkpoint');
    const c = s.context();
    expect(await runBuildModel(['--from-meta', checkpoint, '--base-dir', s.hf, '-q', 'q4f16_1', '--id', 'RadReportX-released', '--site-dir', s.site, '--work-dir', join(s.root, 'w2'), '--prebuilt-lib', s.prebuilt], c)).toBe(0);
    const [py] = await s.calls('python3');
    expect(py.args[0]).toMatch(/training\/python\/convert_meta_to_hf\.py$/);
    expect(py.args.slice(1)).toEqual(['--checkpoint', checkpoint, '--base-dir', s.hf, '--out', join(s.root, 'w2', 'hf'), '--no-rope-scaling']);
    const [convert, gen] = await s.calls('mlc_llm');
    expect(convert.args[1]).toBe(join(s.root, 'w2', 'hf'));
    expect(gen.args).toContain('llama-3');
    // The base download is Llama-3.1 (rope_scaling); the build is the Llama-3 network, as the paper trained it.
    expect(JSON.parse(await readFile(join(s.hf, 'config.json'), 'utf8')).rope_scaling).toMatchObject({ rope_type: 'llama3' });
    expect(JSON.parse(await readFile(join(s.root, 'w2', 'hf', 'config.json'), 'utf8'))).not.toHaveProperty('rope_scaling');
    const dir = join(s.site, 'public', 'models', 'RadReportX-released', 'resolve', 'main');
    const chat = JSON.parse(await readFile(join(dir, 'mlc-chat-config.json'), 'utf8'));
    expect(chat.model_config).not.toHaveProperty('rope_scaling');
    expect(chat.conv_template).toMatchObject({ name: 'llama-3', system_message: '', render_empty_system_message: false });
    const entry = (await readRegistry(s.registry)).doc.models.at(-1)!;
    expect(entry).toMatchObject({ base: 'llama3-8b', library: 'models/lib/Llama-3-8B-Instruct-q4f16_1_cs1k-webgpu.wasm', vramMB: 5001, contextWindow: 4096 });
    expect(c.output.err).toMatch(/the prebuilt library for llama3-8b q4f16_1 is Llama-3-8B-Instruct-q4f16_1_cs1k-webgpu.wasm/);
    // The released model answers the authors' own prompts.
    expect(entry.promptProfile).toBe('release');
    await expect(runBuildModel(['--from-meta', checkpoint, '-q', 'q4f16_1', '--id', 'X', '--site-dir', s.site], s.context())).rejects.toThrow(/--from-meta needs --base-dir/);
    // A base download of another shape is refused before anything runs (the released checkpoint is 8B).
    const small = join(s.root, 'base-1b');
    await promisify(execFile)(join(s.bin, 'tune'), ['download', 'meta-llama/Llama-3.2-1B-Instruct', '--output-dir', small], { env: { ...s.env, STANDIN_LOG: '' } });
    const calls = (await s.calls()).length;
    await expect(runBuildModel(['--from-meta', checkpoint, '--base-dir', small, '-q', 'q4f16_1', '--id', 'Z', '--site-dir', s.site, '--prebuilt-lib', s.prebuilt], s.context())).rejects.toThrow(/does not have the shape of llama3-8b/);
    expect((await s.calls()).length).toBe(calls);
    const failed = await failure<Error>(runBuildModel(['--from-meta', checkpoint, '--base-dir', s.hf, '-q', 'q4f16_1', '--id', 'Y', '--site-dir', s.site, '--work-dir', join(s.root, 'w3'), '--prebuilt-lib', s.prebuilt], s.context({ STANDIN_FAIL: 'python:convert_meta_to_hf' })));
    expect(failed.message).toMatch(/Meta → HF conversion step failed[\s\S]*KeyError: 'layers.0.attention.wq.weight'/);
  });

  it('shows the tool log when mlc_llm fails, and exits 2 on bad usage', async () => {
    const s = await setup();
    const error = await failure<ToolError>(runBuildModel(args(s, 'Fails', '--prebuilt-lib', s.prebuilt), s.context({ STANDIN_FAIL: 'mlc_llm:convert_weight' })));
    expect(error.message).toMatch(/The weight conversion step failed: "mlc_llm convert_weight" exited with code 1\.\nLast lines of its log:[\s\S]*tvm.error.InternalError/);
    expect(error.hint).toContain(join(s.root, 'work', 'build.log'));
    const io = { out: '', err: '' };
    const cli = (argv: string[]) => runCli(['build-model', ...argv], [buildModelCommand], { stdout: (x) => void (io.out += x), stderr: (x) => void (io.err += x) });
    expect(await cli(['--hf-dir', s.hf, '-q', 'q8f16_0', '--id', 'x'])).toBe(2);
    expect(io.err).toMatch(/--quantization must be one of q4f16_1, q4f32_1/);
    expect(await cli(['--hf-dir', s.hf, '-q', 'q4f16_1', '--id', '../escape'])).toBe(2);
    expect(await cli(['--hf-dir', join(s.root, 'none'), '-q', 'q4f16_1', '--id', 'x'])).toBe(2);
    expect(await cli(['--help'])).toBe(0);
    expect(io.out).toMatch(/mlc_llm convert_weight/);
  });
});

describe('MLC output check', () => {
  it('recognises the base from config.json', () => {
    const rope_scaling = { rope_type: 'llama3', factor: 8.0 };
    expect(baseFromHfConfig({ hidden_size: 4096, num_hidden_layers: 32, num_attention_heads: 32, num_key_value_heads: 8, rope_scaling })).toBe(BASES['llama3.1-8b']);
    expect(baseFromHfConfig({ hidden_size: 4096, num_hidden_layers: 32, num_attention_heads: 32, num_key_value_heads: 8 })).toBe(BASES['llama3-8b']);
    expect(baseFromHfConfig({ hidden_size: 2048, num_hidden_layers: 16, num_attention_heads: 32, num_key_value_heads: 8, rope_scaling })?.libraries.q4f16_1.file).toBe('Llama-3.2-1B-Instruct-q4f16_1_cs1k-webgpu.wasm');
    expect(baseFromHfConfig({ hidden_size: 5120, num_hidden_layers: 40 })).toBeUndefined();
  });

  it('names every problem: tensors past their shard, wrong settings, missing tokenizer', async () => {
    const b = await makeBench([]);
    const dir = join(b.root, 'mlc');
    await mkdir(dir);
    await writeFile(join(dir, 'params_shard_0.bin'), Buffer.alloc(100));
    await writeFile(join(dir, 'tensor-cache.json'), JSON.stringify({ records: [{ dataPath: 'params_shard_0.bin', nbytes: 100, records: [{ name: 'w', nbytes: 80, byteOffset: 40 }] }, { dataPath: '../escape.bin', nbytes: 1 }] }));
    await writeFile(join(dir, 'mlc-chat-config.json'), JSON.stringify({ quantization: 'q4f32_1', conv_template: { name: 'llama-3' }, context_window_size: 8192, prefill_chunk_size: 2048, tokenizer_files: ['tokenizer.json'] }));
    const v = await verifyMlcOutput(dir, { quantization: 'q4f16_1', contextWindow: 4096, prefillChunk: 1024 });
    expect(v.problems).toEqual([
      'tensor w runs past the end of params_shard_0.bin',
      'tensor-cache.json has a malformed shard record {"dataPath":"../escape.bin","nbytes":1}',
      'mlc-chat-config.json says quantization "q4f32_1", expected q4f16_1',
      'mlc-chat-config.json uses conversation template "llama-3", expected llama-3_1',
      'mlc-chat-config.json has system message undefined with render_empty_system_message undefined, expected "" and false (WebLLM would add a system prompt to every chat request)',
      'mlc-chat-config.json has context_window_size 8192, expected 4096',
      'mlc-chat-config.json has prefill_chunk_size 2048, expected 1024 (the model library is built for it)',
      'tokenizer file tokenizer.json is listed in mlc-chat-config.json but missing',
    ]);
    const empty = await verifyMlcOutput(join(b.root, 'nothing'), { quantization: 'q4f16_1' });
    expect(empty.problems).toEqual(['tensor-cache.json is missing', 'mlc-chat-config.json is missing']);
  });
});

describe('registry', () => {
  it('keeps its layout when rewritten and refuses entries the app would reject, writing nothing', async () => {
    const text = await readFile(REAL_REGISTRY, 'utf8');
    expect(`${formatJson(JSON.parse(text))}\n`).toBe(text);
    const copy = join(await mkdtemp(join(tmpdir(), 'rrx-registry-')), 'registry.json');
    await writeFile(copy, text);
    const good = JSON.parse(text).models[0];
    await expect(upsertRegistryEntry(copy, { ...good, extra: 1 })).rejects.toThrow(/unknown field "extra"/);
    const { vramMB: _, ...missing } = good;
    await expect(upsertRegistryEntry(copy, missing)).rejects.toThrow(/lacks the field "vramMB"/);
    await expect(upsertRegistryEntry(copy, { ...good, id: 'x-q4f16_1', library: 'models/lib/x-q4f32_1.wasm' })).rejects.toThrow(/not built for q4f16_1/);
    expect(await readFile(copy, 'utf8')).toBe(text);
    expect(await upsertRegistryEntry(copy, { ...good, name: 'Renamed' })).toEqual({ replaced: true });
    expect((await readRegistry(copy)).doc.models[0].name).toBe('Renamed');
  });
});

describe('stand-ins reject what the real tools reject', () => {
  it('mlc_llm compile: a missing output folder, a folder as output, no .wasm suffix, no web runtime', async () => {
    const s = await setup();
    const env = await webRuntime(s.root);
    const config = join(s.root, 'mlc-chat-config.json');
    await writeFile(config, '{}');
    const missing = await standIn(s, 'mlc_llm', ['compile', config, '--device', 'webgpu', '-o', join(s.root, 'nowhere', 'x.wasm')], env);
    expect(missing).toMatchObject({ code: 2, stderr: expect.stringContaining(`argument --output/-o: Directory does not exist: ${join(s.root, 'nowhere')}`) });
    expect(await standIn(s, 'mlc_llm', ['compile', config, '--device', 'webgpu', '-o', s.root], env)).toMatchObject({ code: 2, stderr: expect.stringContaining('Output cannot be a directory') });
    expect(await standIn(s, 'mlc_llm', ['compile', config, '--device', 'webgpu', '-o', join(s.root, 'x.so')], env)).toMatchObject({ code: 1, stderr: expect.stringContaining('AssertionError') });
    expect(await standIn(s, 'mlc_llm', ['compile', config, '--device', 'webgpu', '-o', join(s.root, 'x.wasm')])).toMatchObject({ code: 1, stderr: expect.stringContaining('Cannot find library: mlc_wasm_runtime.bc') });
    expect(await standIn(s, 'mlc_llm', ['compile', config, '--device', 'webgpu', '-o', join(s.root, 'x.wasm')], { MLC_LLM_SOURCE_DIR: env.MLC_LLM_SOURCE_DIR })).toMatchObject({ code: 1, stderr: expect.stringContaining('Cannot find libraries: wasm_runtime.bc') });
    expect(await standIn(s, 'mlc_llm', ['compile', config, '--device', 'webgpu', '-o', join(s.root, 'x.wasm')], env)).toMatchObject({ code: 0 });
  });

  it('mlc_llm gen_config and convert_weight: unknown flags, unknown quantizations and templates, missing required flags', async () => {
    const s = await setup();
    const out = join(s.root, 'o');
    const gen = (...more: string[]) => standIn(s, 'mlc_llm', ['gen_config', s.hf, '--quantization', 'q4f16_1', '--conv-template', 'llama-3_1', '-o', out, ...more]);
    expect(await gen('--system-message', '')).toMatchObject({ code: 2, stderr: expect.stringContaining('unrecognized arguments: --system-message') });
    expect(await gen('--context-window-size', 'big')).toMatchObject({ code: 2, stderr: expect.stringContaining("invalid int value: 'big'") });
    expect(await standIn(s, 'mlc_llm', ['gen_config', s.hf, '--quantization', 'q4f16_1', '--conv-template', 'llama3', '-o', out])).toMatchObject({ code: 2, stderr: expect.stringContaining("argument --conv-template: invalid choice: 'llama3'") });
    expect(await standIn(s, 'mlc_llm', ['gen_config', s.hf, '--quantization', 'q4f16_1', '-o', out])).toMatchObject({ code: 2, stderr: expect.stringContaining('the following arguments are required: --conv-template') });
    expect(await gen()).toMatchObject({ code: 0 });
    expect(await standIn(s, 'mlc_llm', ['convert_weight', s.hf, '--quantization', 'q4f16_3', '-o', out])).toMatchObject({ code: 2, stderr: expect.stringContaining("argument --quantization: invalid choice: 'q4f16_3'") });
    expect(await standIn(s, 'mlc_llm', ['convert_weight', s.hf, '-o', out])).toMatchObject({ code: 2, stderr: expect.stringContaining('required: --quantization') });
    expect(await standIn(s, 'mlc_llm', ['convert_weight', s.hf, '--quantization', 'q4f16_1', '--out', out])).toMatchObject({ code: 2, stderr: expect.stringContaining('unrecognized arguments: --out') });
    // The arguments build-model passes are all accepted (the build tests above run them).
  });
});
