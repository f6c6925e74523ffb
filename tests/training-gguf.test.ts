/**
 * build-model --format gguf against stand-ins of llama.cpp's converter (convert_hf_to_gguf.py, run through the
 * python stand-in) and quantizer (llama-quantize), both as strict as the real tools (tests/stand-ins/gguf-tools.mjs).
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseRegistry } from '../src/lib/llm/registry.ts';
import { runBuildModel } from '../training/commands/build-model.ts';
import { runDoctor } from '../training/commands/doctor.ts';
import { ggufProblems, readGgufFileHeader } from '../training/pipeline/gguf.ts';
import { makeBench } from './stand-ins/harness.ts';

const REAL_REGISTRY = join(import.meta.dirname, '..', 'src', 'lib', 'models', 'registry.json');

async function setup() {
  const bench = await makeBench(['python', 'python3', 'llama-quantize', 'tune']);
  const hf = join(bench.root, 'hf');
  await promisify(execFile)(join(import.meta.dirname, 'stand-ins', 'tune'), ['download', 'meta-llama/Llama-3.1-8B-Instruct', '--output-dir', hf], { env: { PATH: `${bench.bin}:${process.env.PATH}` } });
  const llamaCpp = join(bench.root, 'llama.cpp');
  await mkdir(llamaCpp);
  await writeFile(join(llamaCpp, 'convert_hf_to_gguf.py'), '# llama.cpp checkout (the python stand-in runs it)\n');
  const site = join(bench.root, 'site');
  await mkdir(join(site, 'src', 'lib', 'models'), { recursive: true });
  const registry = join(site, 'src', 'lib', 'models', 'registry.json');
  await copyFile(REAL_REGISTRY, registry);
  const args = (id: string, ...more: string[]) => ['--format', 'gguf', '--llama-cpp', llamaCpp, '--python', 'python', '--id', id, '--site-dir', site, '--work-dir', join(bench.root, 'work', id), ...more];
  return { ...bench, hf, llamaCpp, site, registry, args };
}

describe('build-model --format gguf (stand-in llama.cpp tools)', () => {
  it('converts to F16, quantizes to Q4_K_M, checks the header, installs the file and a gguf registry entry', async () => {
    const s = await setup();
    const c = s.context();
    expect(await runBuildModel(s.args('RadReportX-8B-Q4_K_M', '--hf-dir', s.hf), c)).toBe(0);
    const calls = await s.calls();
    const convert = calls.find((x) => x.tool === 'convert_hf_to_gguf')!;
    expect(convert.args).toEqual([s.hf, '--outfile', join(s.root, 'work', 'RadReportX-8B-Q4_K_M', 'RadReportX-8B-Q4_K_M-F16.gguf'), '--outtype', 'f16']);
    const quantize = calls.find((x) => x.tool === 'llama-quantize' && x.args[0] !== '--help')!;
    expect(quantize.args.slice(2)).toEqual(['Q4_K_M']);
    const installed = join(s.site, 'public', 'models', 'RadReportX-8B-Q4_K_M', 'RadReportX-8B-Q4_K_M.gguf');
    expect(c.output.out.trim()).toBe(installed);
    const header = await readGgufFileHeader(installed);
    expect(header.meta['general.file_type']).toBe(15);
    expect(header.meta['llama.block_count']).toBe(32);
    const registry = parseRegistry(JSON.parse(await readFile(s.registry, 'utf8')));
    expect(registry.models.length).toBeGreaterThan(0);
    expect(registry.gguf).toEqual([
      expect.objectContaining({ kind: 'gguf', id: 'RadReportX-8B-Q4_K_M', file: 'models/RadReportX-8B-Q4_K_M/RadReportX-8B-Q4_K_M.gguf', quantization: 'Q4_K_M', promptProfile: 'json', contextWindow: 4096 }),
    ]);
    expect(registry.gguf![0].ramMB).toBeGreaterThan(registry.gguf![0].downloadMB);
    const manifest = JSON.parse(await readFile(join(s.site, 'public', 'models', 'RadReportX-8B-Q4_K_M', 'radreportx-manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ kind: 'radreportx-gguf', quantization: 'Q4_K_M', promptProfile: 'json' });
    expect(manifest.files[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    // Built again: the entry is replaced, not duplicated.
    expect(await runBuildModel(s.args('RadReportX-8B-Q4_K_M', '--hf-dir', s.hf), s.context())).toBe(0);
    expect(parseRegistry(JSON.parse(await readFile(s.registry, 'utf8'))).gguf).toHaveLength(1);
  });

  it('from the released Meta checkpoint: Llama-3 architecture, rope_scaling dropped, release profile', async () => {
    const s = await setup();
    const base = join(s.root, 'base');
    await promisify(execFile)(join(import.meta.dirname, 'stand-ins', 'tune'), ['download', 'meta-llama/Llama-3.1-8B-Instruct', '--output-dir', base], { env: { PATH: `${s.bin}:${process.env.PATH}` } });
    const cfg = JSON.parse(await readFile(join(base, 'config.json'), 'utf8'));
    await writeFile(join(base, 'config.json'), JSON.stringify({ ...cfg, rope_scaling: { factor: 8.0, rope_type: 'llama3', low_freq_factor: 1.0, high_freq_factor: 4.0, original_max_position_embeddings: 8192 } }));
    const checkpoint = join(s.root, 'meta_model_0.pt');
    await writeFile(checkpoint, 'stand-in checkpoint');
    const c = s.context();
    expect(await runBuildModel(s.args('RadReportX-released', '--from-meta', checkpoint, '--base-dir', base, '-q', 'Q8_0'), c)).toBe(0);
    expect(c.output.err).toMatch(/removed rope_scaling/);
    const header = await readGgufFileHeader(c.output.out.trim());
    expect(header.tensors).not.toContain('rope_freqs.weight');
    expect(header.meta['general.file_type']).toBe(7);
    expect(parseRegistry(JSON.parse(await readFile(s.registry, 'utf8'))).gguf![0]).toMatchObject({ promptProfile: 'release', base: 'llama3-8b', quantization: 'Q8_0' });
    // A fine-tune made on Llama-3.1 keeps its rope scaling, and the check accepts it.
    const hf31 = join(s.root, 'hf31');
    await promisify(execFile)(join(import.meta.dirname, 'stand-ins', 'tune'), ['download', 'meta-llama/Llama-3.1-8B-Instruct', '--output-dir', hf31], { env: { PATH: `${s.bin}:${process.env.PATH}` } });
    await writeFile(join(hf31, 'config.json'), JSON.stringify({ ...cfg, rope_scaling: { rope_type: 'llama3', factor: 8.0 } }));
    const c31 = s.context();
    expect(await runBuildModel(s.args('rrx-31', '--hf-dir', hf31, '--no-install'), c31)).toBe(0);
    expect((await readGgufFileHeader(c31.output.out.trim())).tensors).toContain('rope_freqs.weight');
  });

  it('refuses what llama.cpp refuses, before or while running it, naming the way out', async () => {
    const s = await setup();
    await expect(runBuildModel(['--format', 'gguf', '--id', 'x', '--hf-dir', s.hf], s.context({ LLAMA_CPP_DIR: '' }))).rejects.toThrow(/needs llama.cpp's converter/);
    await expect(runBuildModel(s.args('x', '--hf-dir', s.hf, '-q', 'IQ2_XXS'), s.context())).rejects.toThrow(/--quantization/);
    await expect(runBuildModel(s.args('x', '--hf-dir', s.hf, '--quantizer', 'no-such-quantize'), s.context())).rejects.toThrow(/quantizer "no-such-quantize" is not on PATH/);
    // The converter refuses an architecture it has no class for.
    const cfg = JSON.parse(await readFile(join(s.hf, 'config.json'), 'utf8'));
    const mistral = join(s.root, 'mistral');
    await mkdir(mistral);
    for (const f of ['tokenizer.json', 'model-00001-of-00004.safetensors']) await copyFile(join(s.hf, f), join(mistral, f));
    await writeFile(join(mistral, 'config.json'), JSON.stringify({ ...cfg, architectures: ['MistralForCausalLM'] }));
    await expect(runBuildModel(s.args('m', '--hf-dir', mistral), s.context())).rejects.toThrow(/RadReportX is LlamaForCausalLM/);
    // A folder without the tokenizer: the real converter fails, and build-model shows its last log lines.
    const noTok = join(s.root, 'notok');
    await mkdir(noTok);
    await copyFile(join(s.hf, 'config.json'), join(noTok, 'config.json'));
    await copyFile(join(s.hf, 'model-00001-of-00004.safetensors'), join(noTok, 'model-00001-of-00004.safetensors'));
    await expect(runBuildModel(s.args('t', '--hf-dir', noTok), s.context())).rejects.toThrow(/GGUF conversion step failed[\s\S]*tokenizer\.json/);
    // The quantizer failing (out of memory) stops the build; nothing is installed and the registry is unchanged.
    const before = await readFile(s.registry, 'utf8');
    await expect(runBuildModel(s.args('q', '--hf-dir', s.hf), s.context({ STANDIN_FAIL: 'llama-quantize' }))).rejects.toThrow(/quantization step failed[\s\S]*failed to quantize/);
    expect(await readFile(s.registry, 'utf8')).toBe(before);
  });

  it('the quantizer stand-in refuses what llama-quantize refuses', async () => {
    const s = await setup();
    const run = (...a: string[]) => promisify(execFile)(join(s.bin, 'llama-quantize'), a, { env: s.env }).then(() => 0, (e: { code: number; stderr: string }) => e);
    const c = s.context();
    await runBuildModel(s.args('a', '--hf-dir', s.hf, '--no-install', '-q', 'F16'), c);
    const f16 = c.output.out.trim();
    expect(await run(f16, join(s.root, 'o.gguf'), 'Q4_K_M')).toBe(0);
    expect(((await run(f16, join(s.root, 'o.gguf'), 'Q4_X')) as { stderr: string }).stderr).toMatch(/invalid ftype 'Q4_X'/);
    expect(((await run(f16, f16, 'Q8_0')) as { stderr: string }).stderr).toMatch(/input and output files are the same/);
    expect(((await run(join(s.root, 'o.gguf'), join(s.root, 'o2.gguf'), 'Q8_0')) as { stderr: string }).stderr).toMatch(/requantizing from type 15 is disabled/);
    expect(((await run(f16, join(s.root, 'o3.gguf'), 'IQ2_XXS')) as { stderr: string }).stderr).toMatch(/without an importance matrix/);
    expect(((await run(join(s.hf, 'config.json'), join(s.root, 'o4.gguf'), 'Q8_0')) as { stderr: string }).stderr).toMatch(/invalid magic/);
  });

  it('doctor --gguf checks the converter starts, llama-quantize, and node-llama-cpp CUDA (not required)', async () => {
    const s = await setup();
    const c = s.context();
    await runDoctor(['--gguf', '--llama-cpp', s.llamaCpp, '--min-free-gb', '0', '--json'], c);
    const checks = (JSON.parse(c.output.out) as { checks: { name: string; status: string; required: boolean }[] }).checks;
    const by = Object.fromEntries(checks.map((x) => [x.name, x]));
    expect(by.convert_hf_to_gguf).toMatchObject({ status: 'ok', required: true });
    expect(by['llama-quantize']).toMatchObject({ status: 'ok', required: true });
    // No GPU here: a warning, not a failure (the CPU binary is what label uses by default).
    expect(by['node-llama-cpp CUDA']).toMatchObject({ status: 'warn', required: false });
    const none = s.context({ LLAMA_CPP_DIR: '' });
    await runDoctor(['--gguf', '--min-free-gb', '0', '--json'], none);
    const missing = (JSON.parse(none.output.out) as { checks: { name: string; status: string; fix?: string }[] }).checks.find((x) => x.name === 'convert_hf_to_gguf');
    expect(missing).toMatchObject({ status: 'missing', fix: expect.stringMatching(/git clone https:\/\/github.com\/ggml-org\/llama.cpp/) });
  });

  it('the header check names every problem', () => {
    const meta = { 'general.architecture': 'llama', 'llama.block_count': 32, 'general.file_type': 15, 'tokenizer.ggml.model': 'gpt2', 'tokenizer.ggml.add_bos_token': true };
    expect(ggufProblems({ version: 3, tensorCount: 1, meta, highByteTokens: [], tensors: [] }, { layers: 32, fileType: 15, llama3Rope: false })).toEqual([]);
    const bad = ggufProblems({ version: 3, tensorCount: 1, meta: { ...meta, 'tokenizer.ggml.add_bos_token': false, 'llama.block_count': 16 }, highByteTokens: [], tensors: ['rope_freqs.weight'] }, { layers: 32, fileType: 7, llama3Rope: false });
    expect(bad.join('\n')).toMatch(/block_count is 16[\s\S]*file_type is 15, expected 7[\s\S]*add_bos_token[\s\S]*rope_freqs/);
  });
});
