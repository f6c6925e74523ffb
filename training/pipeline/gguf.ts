/**
 * `radreportx build-model --format gguf`: merged HF weights (or the released Meta-format checkpoint) → llama.cpp's
 * own converter (convert_hf_to_gguf.py, F16) → llama.cpp's quantizer (llama-quantize) → checked → installed under
 * public/models/<id>/ with a manifest → a registry entry of kind `gguf`. The released RadReportX is a Llama-3 model
 * (torchtune's llama3_8b: RoPE without Llama-3.1's rope_scaling), so a build from the Meta checkpoint drops
 * `rope_scaling` from the config it converts, and the check refuses a GGUF that carries Llama-3.1's rope_freqs.
 */
import { mkdir, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RadReportXError, UsageError } from '../../src/lib/errors.ts';
import { ggufMemoryBytes } from '../../src/lib/llm/gguf-capability.ts';
import { NeedMoreBytes, readGgufHeader, type GgufHeader } from '../../src/lib/llm/gguf-file.ts';
import { GGUF_QUANTIZATIONS, type GgufEntry, type GgufQuantization } from '../../src/lib/llm/gguf-registry.ts';
import { MODEL_PROFILES, PROMPT_VERSION, type PromptProfileId } from '../../src/lib/prompts/profiles.ts';
import { oneOf } from '../lib/args.ts';
import { copyWithHash, exists, isDirectory, writeFileAtomic, writeJsonAtomic } from './files.ts';
import { parseRegistry } from '../../src/lib/llm/registry.ts';
import { formatJson, readRegistry } from './registry.ts';
import { hasTool, runTool, type RunContext } from './tool.ts';

const CONVERTER = fileURLToPath(new URL('../python/convert_meta_to_hf.py', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Options only the gguf format reads (the rest are build-model's own). */
export const GGUF_OPTIONS = {
  'llama-cpp': { type: 'string' },
  quantizer: { type: 'string' },
} as const;

export const GGUF_HELP = `GGUF (--format gguf: for the CPU engine, wllama in the browser and label --engine llama-cpp):
      --llama-cpp DIR       a llama.cpp checkout (default $LLAMA_CPP_DIR): its convert_hf_to_gguf.py converts
                            (pip install -r DIR/requirements/requirements-convert_hf_to_gguf.txt)
      --quantizer EXE       llama.cpp's llama-quantize (default: on PATH, else DIR/build/bin/llama-quantize)
  -q, --quantization Q      ${GGUF_QUANTIZATIONS.join(' | ')} (default Q4_K_M, ~4.9 GB for 8B)
  With --from-meta the config is Llama-3 (rope_scaling removed), as the released model was trained.
  Installs public/models/<ID>/<ID>.gguf and a "gguf" entry in the registry.`;

/** llama_ftype (llama.h) of each quantization, as general.file_type records it. */
const FILE_TYPE: Record<GgufQuantization, number> = { Q4_K_M: 15, Q5_K_M: 17, Q6_K: 18, Q8_0: 7, F16: 1 };

type Values = Record<string, string | boolean | undefined>;

/** The header of a GGUF file on disk, read in growing slices. */
export async function readGgufFileHeader(path: string): Promise<GgufHeader> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    for (let n = 1 << 22; ; n *= 4) {
      const buf = Buffer.alloc(Math.min(n, size));
      await fh.read(buf, 0, buf.length, 0);
      try {
        return readGgufHeader(buf, { tensors: true });
      } catch (e) {
        if (!(e instanceof NeedMoreBytes) || buf.length >= size) throw e instanceof NeedMoreBytes ? new RadReportXError('ExternalTool', `${path} is cut short: its GGUF header does not end.`) : e;
      }
    }
  } finally {
    await fh.close();
  }
}

/** What is wrong with a built GGUF for the app (empty when nothing). */
export function ggufProblems(h: GgufHeader, expect: { layers?: number; fileType: number; llama3Rope: boolean }): string[] {
  const p: string[] = [];
  if (h.meta['general.architecture'] !== 'llama') p.push(`general.architecture is "${h.meta['general.architecture']}", not "llama"`);
  if (expect.layers !== undefined && h.meta['llama.block_count'] !== expect.layers) p.push(`llama.block_count is ${h.meta['llama.block_count']}, config.json says ${expect.layers}`);
  if (h.meta['general.file_type'] !== expect.fileType) p.push(`general.file_type is ${h.meta['general.file_type']}, expected ${expect.fileType}`);
  if (h.meta['tokenizer.ggml.model'] !== 'gpt2') p.push(`tokenizer.ggml.model is "${h.meta['tokenizer.ggml.model']}", not Llama 3's byte-level BPE ("gpt2")`);
  // The app sends prompts without BOS and relies on llama.cpp adding it, as the authors' tokenizer.encode did.
  if (h.meta['tokenizer.ggml.add_bos_token'] !== true) p.push('tokenizer.ggml.add_bos_token is not true: llama.cpp would not add <|begin_of_text|>');
  const rope = h.tensors?.includes('rope_freqs.weight') || Object.keys(h.meta).some((k) => k.startsWith('llama.rope.scaling'));
  if (!expect.llama3Rope && rope) p.push('the file carries Llama-3.1 rope scaling (rope_freqs.weight), but the model was trained as Llama-3 without it');
  return p;
}

export async function runBuildGguf(v: Values, ctx: RunContext): Promise<number> {
  const at = (p: string) => resolve(ctx.cwd, p);
  const id = v.id as string | undefined;
  if (!id) throw new UsageError('Missing --id.');
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/.test(id)) throw new UsageError(`--id "${id}" must be letters, digits, ".", "_" or "-" (it names a folder and a URL).`);
  const q = oneOf(v.quantization as string | undefined, 'quantization', GGUF_QUANTIZATIONS, 'Q4_K_M' as GgufQuantization);
  const siteDir = at((v['site-dir'] as string) ?? REPO_ROOT);
  const publicDir = join(siteDir, 'public');
  const registryPath = at((v.registry as string) ?? join(siteDir, 'src', 'lib', 'models', 'registry.json'));
  const workDir = at((v['work-dir'] as string) ?? join('runs', 'build', `${id}-gguf`));
  const python = (v.python as string) ?? 'python3';
  const fromMeta = v['from-meta'] ? at(v['from-meta'] as string) : undefined;
  const install = !v['no-install'];

  // Every check that can fail fast, before an hour of conversion.
  const llamaCpp = (v['llama-cpp'] as string | undefined) ?? ctx.env.LLAMA_CPP_DIR;
  if (!llamaCpp) throw new UsageError('--format gguf needs llama.cpp\'s converter: pass --llama-cpp DIR (a llama.cpp checkout) or set LLAMA_CPP_DIR.', 'git clone https://github.com/ggml-org/llama.cpp && pip install -r llama.cpp/requirements/requirements-convert_hf_to_gguf.txt');
  const script = join(at(llamaCpp), 'convert_hf_to_gguf.py');
  if (!(await exists(script))) throw new UsageError(`${script} does not exist: --llama-cpp must be a llama.cpp checkout.`);
  let quantizer = (v.quantizer as string | undefined) ?? 'llama-quantize';
  if (q !== 'F16' && !(await hasTool(ctx, quantizer, ['--help']))) {
    const built = join(at(llamaCpp), 'build', 'bin', 'llama-quantize');
    if (v.quantizer === undefined && (await exists(built))) quantizer = built;
    else throw new UsageError(`llama.cpp's quantizer "${quantizer}" is not on PATH.`, `Build it: cmake -B build && cmake --build build --target llama-quantize (in ${llamaCpp}), or pass --quantizer EXE.`);
  }
  let hfDir: string;
  if (fromMeta) {
    if (!(await exists(fromMeta))) throw new UsageError(`The checkpoint "${fromMeta}" does not exist.`);
    const baseDir = v['base-dir'] ? at(v['base-dir'] as string) : undefined;
    if (!baseDir || !(await exists(join(baseDir, 'config.json')))) throw new UsageError('--from-meta needs --base-dir: the base model\'s HF download (config.json and the tokenizer).');
    hfDir = join(workDir, 'hf');
  } else {
    hfDir = at((v['hf-dir'] as string) ?? '');
    if (!v['hf-dir'] || !(await isDirectory(hfDir))) throw new UsageError('--format gguf needs --hf-dir DIR (merged HF weights) or --from-meta FILE with --base-dir DIR.');
    if (!(await exists(join(hfDir, 'config.json')))) throw new UsageError(`"${hfDir}" has no config.json; pass the epoch folder torchtune wrote (runs/NAME/epoch_N).`);
  }
  const profile = oneOf(v['prompt-profile'] as string | undefined, 'prompt-profile', MODEL_PROFILES, (fromMeta ? 'release' : 'json') as PromptProfileId);

  await mkdir(workDir, { recursive: true });
  const logFile = join(workDir, 'build.log');
  const echo = (line: string) => line.trim() && ctx.err(`  ${line}\n`);
  if (fromMeta) {
    ctx.err('Converting the Meta-format checkpoint to Hugging Face format ...\n');
    await rm(hfDir, { recursive: true, force: true });
    await runTool(ctx, python, [CONVERTER, '--checkpoint', fromMeta, '--base-dir', at(v['base-dir'] as string), '--out', hfDir], { logFile, what: 'Meta → HF conversion', onLine: echo });
  }
  const configPath = join(hfDir, 'config.json');
  const config = JSON.parse(await readFile(configPath, 'utf8')) as Record<string, unknown>;
  if ((config.architectures as string[] | undefined)?.[0] !== 'LlamaForCausalLM') {
    throw new UsageError(`${configPath} describes ${(config.architectures as string[] | undefined)?.[0] ?? 'an unknown architecture'}; RadReportX is LlamaForCausalLM.`);
  }
  // The released model is torchtune's llama3_8b: no rope_scaling. Its HF folder here is ours (the work dir), so fix it.
  if (fromMeta && config.rope_scaling) {
    delete config.rope_scaling;
    await writeFile(configPath, `${JSON.stringify(config, null, 2)}\n`);
    ctx.err('note: removed rope_scaling from the converted config.json: the released RadReportX is a Llama-3 model (RoPE without Llama-3.1 scaling).\n');
  }
  const llama3Rope = (config.rope_scaling as { rope_type?: string } | undefined)?.rope_type === 'llama3';
  if (llama3Rope) ctx.err('note: config.json has Llama-3.1 rope_scaling; the GGUF keeps it (the model was fine-tuned with it).\n');

  const f16 = join(workDir, `${id}-F16.gguf`);
  const out = q === 'F16' ? f16 : join(workDir, `${id}-${q}.gguf`);
  ctx.err(`Building ${id} (GGUF ${q}, prompt profile ${profile}) from ${fromMeta ?? hfDir}. Log: ${logFile}\n`);
  ctx.err('convert_hf_to_gguf.py --outtype f16 ...\n');
  await runTool(ctx, python, [script, hfDir, '--outfile', f16, '--outtype', 'f16'], { logFile, what: 'GGUF conversion', onLine: echo });
  if (q !== 'F16') {
    ctx.err(`llama-quantize ${q} ...\n`);
    await runTool(ctx, quantizer, [f16, out, q], { logFile, what: 'quantization', onLine: echo });
  }
  if (!(await exists(out))) throw new RadReportXError('ExternalTool', `llama.cpp wrote no ${out}.`, `See ${logFile}.`);
  const header = await readGgufFileHeader(out);
  const problems = ggufProblems(header, { layers: config.num_hidden_layers as number | undefined, fileType: FILE_TYPE[q], llama3Rope });
  if (problems.length) {
    throw new RadReportXError('ExternalTool', `The GGUF file ${out} is not usable:\n${problems.map((p) => `  - ${p}`).join('\n')}`, 'Nothing was installed. Check the llama.cpp version and the config.json given.');
  }
  const { size: bytes } = await stat(out);
  ctx.err(`Checked ${basename(out)}: llama, ${header.meta['llama.block_count']} layers, ${header.tensorCount} tensors, ${(bytes / 1e9).toFixed(2)} GB.\n`);
  if (!install) {
    ctx.out(`${out}\n`);
    return 0;
  }

  const dir = join(publicDir, 'models', id);
  await mkdir(dir, { recursive: true });
  const file = `${id}.gguf`;
  const hashed = await copyWithHash(out, join(dir, file));
  const contextWindow = 4096;
  await writeJsonAtomic(join(dir, 'radreportx-manifest.json'), {
    kind: 'radreportx-gguf',
    id,
    createdAt: new Date().toISOString(),
    quantization: q,
    promptProfile: profile,
    promptVersion: PROMPT_VERSION[profile],
    contextWindow,
    source: fromMeta ? { metaCheckpoint: fromMeta, baseDir: v['base-dir'] } : { hfDir },
    files: [{ path: file, bytes: hashed.bytes, sha256: hashed.sha256 }],
  });
  const entry: GgufEntry = {
    kind: 'gguf',
    id,
    name: (v.name as string | undefined) ?? `RadReportX (GGUF ${q}, CPU)`,
    base: fromMeta ? 'llama3-8b' : String(config._name_or_path ?? 'llama'),
    file: `models/${id}/${file}`,
    quantization: q,
    downloadMB: Math.ceil(hashed.bytes / 1e6),
    ramMB: Math.ceil(ggufMemoryBytes(header, hashed.bytes, contextWindow) / 1e6),
    contextWindow,
    promptProfile: profile,
  };
  const { doc } = await readRegistry(registryPath);
  const list = Array.isArray(doc.gguf) ? (doc.gguf as GgufEntry[]) : [];
  const i = list.findIndex((e) => e.id === id);
  if (i >= 0) list[i] = entry;
  else list.push(entry);
  doc.gguf = list;
  parseRegistry(doc);
  await writeFileAtomic(registryPath, `${formatJson(doc)}\n`);
  ctx.err(`Installed ${join(dir, file)} and ${i >= 0 ? 'replaced' : 'added'} the gguf entry "${id}" in ${registryPath}.\nLabel with it: radreportx label --engine llama-cpp --model ${join(dir, file)} --prompt-profile ${profile} ...\n`);
  ctx.out(`${join(dir, file)}\n`);
  return 0;
}
