/**
 * The MLC LLM steps that turn merged HF weights into WebGPU artifacts, and the check of what they wrote. The
 * settings match WebLLM's prebuilt Llama libraries (`<model>-<q>_cs1k-webgpu.wasm`, web-llm 0.2.86): prefill chunk
 * 1024, context window 4096 (the prebuilt config's override), the base's conversation template (llama-3_1, or
 * llama-3 for the paper's Llama-3 network).
 */
import { existsSync } from 'node:fs';
import { copyFile, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Quantization } from './bases.ts';
import { exists, writeJsonAtomic } from './files.ts';

/** The project's default conversation template (Llama 3.1 and 3.2 bases). */
export const CONV_TEMPLATE = 'llama-3_1';
export const CONTEXT_WINDOW = 4096;
export const PREFILL_CHUNK = 1024;
/** web-llm 0.2.86 reads `tensor-cache.json`; mlc_llm releases before the TVM FFI change wrote `ndarray-cache.json`. */
export const TENSOR_CACHE = 'tensor-cache.json';
export const LEGACY_TENSOR_CACHE = 'ndarray-cache.json';
export const CHAT_CONFIG = 'mlc-chat-config.json';

export function convertWeightArgs(hfDir: string, q: Quantization, out: string): string[] {
  return ['convert_weight', hfDir, '--quantization', q, '-o', out];
}

export function genConfigArgs(hfDir: string, q: Quantization, out: string, convTemplate = CONV_TEMPLATE): string[] {
  return ['gen_config', hfDir, '--quantization', q, '--conv-template', convTemplate, '--context-window-size', String(CONTEXT_WINDOW), '--prefill-chunk-size', String(PREFILL_CHUNK), '-o', out];
}

/**
 * gen_config copies the template's default system message ("You are a helpful, respectful and honest assistant.",
 * mlc-llm python/mlc_llm/conversation_template/llama.py:40, 70) into mlc-chat-config.json, and WebLLM 0.2.86 adds
 * it to every chat request (Conversation.getSystemPrompt) unless the message is "" and
 * `render_empty_system_message` is false. Every build sets both, so chat requests carry only our messages.
 */
export async function finishChatConfig(dir: string): Promise<void> {
  const path = join(dir, CHAT_CONFIG);
  const chat = (await readJson(path)) as Record<string, unknown>;
  const template = (typeof chat.conv_template === 'string' ? { name: chat.conv_template } : chat.conv_template && typeof chat.conv_template === 'object' ? chat.conv_template : {}) as Record<string, unknown>;
  chat.conv_template = { ...template, system_message: '', render_empty_system_message: false };
  await writeJsonAtomic(path, chat);
}

/**
 * What `mlc_llm compile --device webgpu` needs besides emcc (mlc-llm docs/install/emcc.rst): mlc_wasm_runtime.bc in
 * ./web/dist/wasm or $MLC_LLM_SOURCE_DIR/web/dist/wasm (python/mlc_llm/support/auto_target.py:257-270), and TVM's
 * wasm_runtime.bc, tvmjs_support.bc and webgpu_runtime.bc under $TVM_SOURCE_DIR/web/dist/wasm (linked by
 * tvm/contrib/emcc.py). Empty when everything is there.
 */
export function webCompileProblems(env: NodeJS.ProcessEnv, cwd: string): string[] {
  const problems: string[] = [];
  const mlcBc = ['web/dist/wasm/mlc_wasm_runtime.bc', ...(env.MLC_LLM_SOURCE_DIR ? [join(env.MLC_LLM_SOURCE_DIR, 'web', 'dist', 'wasm', 'mlc_wasm_runtime.bc')] : [])];
  if (!mlcBc.some((p) => existsSync(resolve(cwd, p)))) {
    problems.push(env.MLC_LLM_SOURCE_DIR ? `${mlcBc[1]} is missing (run ./web/prep_emcc_deps.sh in the mlc-llm checkout)` : 'MLC_LLM_SOURCE_DIR is not set (export MLC_LLM_SOURCE_DIR=/path/to/mlc-llm, after ./web/prep_emcc_deps.sh there)');
  }
  if (!env.TVM_SOURCE_DIR) problems.push('TVM_SOURCE_DIR is not set (export TVM_SOURCE_DIR=/path/to/mlc-llm/3rdparty/tvm)');
  else {
    for (const f of ['wasm_runtime.bc', 'tvmjs_support.bc', 'webgpu_runtime.bc']) {
      const p = join(env.TVM_SOURCE_DIR, 'web', 'dist', 'wasm', f);
      if (!existsSync(p)) problems.push(`${p} is missing (run ./web/prep_emcc_deps.sh in the mlc-llm checkout)`);
    }
  }
  return problems;
}

export function compileArgs(mlcDir: string, lib: string): string[] {
  return ['compile', join(mlcDir, CHAT_CONFIG), '--device', 'webgpu', '-o', lib];
}

/** Gives an older mlc_llm's `ndarray-cache.json` the name web-llm 0.2.86 asks for (same format). True if it did. */
export async function normaliseTensorCacheName(dir: string): Promise<boolean> {
  if (await exists(join(dir, TENSOR_CACHE))) return false;
  if (!(await exists(join(dir, LEGACY_TENSOR_CACHE)))) return false;
  await copyFile(join(dir, LEGACY_TENSOR_CACHE), join(dir, TENSOR_CACHE));
  return true;
}

interface ShardRecord {
  dataPath: string;
  nbytes: number;
  md5sum?: string;
  records?: { name?: string; nbytes?: number; byteOffset?: number }[];
}

export interface Verified {
  problems: string[];
  /** Files that make up the model folder (relative names), when the check passed. */
  files: string[];
  shardBytes: number;
  chatConfig: Record<string, unknown> | undefined;
  /** md5 per shard as tensor-cache.json records it, checked while the files are copied into the site. */
  md5: Map<string, string>;
}

async function readJson(path: string): Promise<unknown> {
  return JSON.parse(await readFile(path, 'utf8'));
}

/**
 * Checks an MLC model folder: every shard listed in tensor-cache.json is there with the listed size (a missing or
 * truncated shard only shows as garbage output in the browser, much later), the tensors fit in their shards, and
 * mlc-chat-config.json has the settings the model library was built for and lists tokenizer files that exist.
 */
export interface MlcExpectation {
  quantization: Quantization;
  contextWindow?: number;
  prefillChunk?: number;
  /** Default llama-3_1. */
  convTemplate?: string;
  /** false: model_config must have no rope_scaling (a Llama-3 build); true: it must have one; undefined: either. */
  ropeScaling?: boolean;
}

export async function verifyMlcOutput(dir: string, expect: MlcExpectation): Promise<Verified> {
  const problems: string[] = [];
  const files: string[] = [];
  let shardBytes = 0;
  let chatConfig: Record<string, unknown> | undefined;
  const md5 = new Map<string, string>();

  let cache: { records?: ShardRecord[] } | undefined;
  try {
    cache = (await readJson(join(dir, TENSOR_CACHE))) as { records?: ShardRecord[] };
    files.push(TENSOR_CACHE);
  } catch (e) {
    problems.push((e as NodeJS.ErrnoException).code === 'ENOENT' ? `${TENSOR_CACHE} is missing` : `${TENSOR_CACHE} is not valid JSON`);
  }
  if (cache) {
    const records = Array.isArray(cache.records) ? cache.records : [];
    if (!records.length) problems.push(`${TENSOR_CACHE} lists no weight shards`);
    for (const r of records) {
      if (typeof r.dataPath !== 'string' || !/^[A-Za-z0-9._-]+$/.test(r.dataPath) || typeof r.nbytes !== 'number') {
        problems.push(`${TENSOR_CACHE} has a malformed shard record ${JSON.stringify(r).slice(0, 80)}`);
        continue;
      }
      let size: number;
      try {
        size = (await stat(join(dir, r.dataPath))).size;
      } catch {
        problems.push(`shard ${r.dataPath} is missing`);
        continue;
      }
      if (size !== r.nbytes) problems.push(`shard ${r.dataPath} has ${size} bytes, ${TENSOR_CACHE} says ${r.nbytes} (truncated or stale)`);
      for (const t of r.records ?? []) {
        if ((t.byteOffset ?? 0) + (t.nbytes ?? 0) > r.nbytes) problems.push(`tensor ${t.name ?? '?'} runs past the end of ${r.dataPath}`);
      }
      files.push(r.dataPath);
      if (typeof r.md5sum === 'string' && /^[0-9a-f]{32}$/.test(r.md5sum)) md5.set(r.dataPath, r.md5sum);
      shardBytes += size;
    }
  }

  try {
    chatConfig = (await readJson(join(dir, CHAT_CONFIG))) as Record<string, unknown>;
    files.push(CHAT_CONFIG);
  } catch (e) {
    problems.push((e as NodeJS.ErrnoException).code === 'ENOENT' ? `${CHAT_CONFIG} is missing` : `${CHAT_CONFIG} is not valid JSON`);
  }
  if (chatConfig) {
    if (chatConfig.quantization !== expect.quantization) problems.push(`${CHAT_CONFIG} says quantization ${JSON.stringify(chatConfig.quantization)}, expected ${expect.quantization}`);
    const conv = (typeof chatConfig.conv_template === 'object' && chatConfig.conv_template ? chatConfig.conv_template : {}) as Record<string, unknown>;
    const template = typeof chatConfig.conv_template === 'string' ? chatConfig.conv_template : conv.name;
    const wantTemplate = expect.convTemplate ?? CONV_TEMPLATE;
    if (template !== wantTemplate) problems.push(`${CHAT_CONFIG} uses conversation template ${JSON.stringify(template)}, expected ${wantTemplate}`);
    if (conv.system_message !== '' || conv.render_empty_system_message !== false) problems.push(`${CHAT_CONFIG} has system message ${JSON.stringify(conv.system_message)} with render_empty_system_message ${JSON.stringify(conv.render_empty_system_message)}, expected "" and false (WebLLM would add a system prompt to every chat request)`);
    const rope = (chatConfig.model_config as { rope_scaling?: unknown } | undefined)?.rope_scaling;
    if (expect.ropeScaling === false && rope) problems.push(`${CHAT_CONFIG} has model_config.rope_scaling ${JSON.stringify(rope)}, expected none (the Llama-3 network)`);
    if (expect.ropeScaling === true && !rope) problems.push(`${CHAT_CONFIG} has no model_config.rope_scaling, expected Llama-3.1's`);
    if (expect.contextWindow !== undefined && chatConfig.context_window_size !== expect.contextWindow) problems.push(`${CHAT_CONFIG} has context_window_size ${JSON.stringify(chatConfig.context_window_size)}, expected ${expect.contextWindow}`);
    if (expect.prefillChunk !== undefined && chatConfig.prefill_chunk_size !== expect.prefillChunk) problems.push(`${CHAT_CONFIG} has prefill_chunk_size ${JSON.stringify(chatConfig.prefill_chunk_size)}, expected ${expect.prefillChunk} (the model library is built for it)`);
    const tokenizerFiles = Array.isArray(chatConfig.tokenizer_files) ? (chatConfig.tokenizer_files as string[]) : [];
    if (!tokenizerFiles.some((f) => f === 'tokenizer.json' || f === 'tokenizer.model')) problems.push(`${CHAT_CONFIG} lists no tokenizer.json or tokenizer.model`);
    for (const f of tokenizerFiles) {
      if (await exists(join(dir, f))) files.push(f);
      else problems.push(`tokenizer file ${f} is listed in ${CHAT_CONFIG} but missing`);
    }
  }
  return { problems, files: [...new Set(files)], shardBytes, chatConfig, md5 };
}

/** True when the file starts with the WebAssembly magic number. */
export async function isWasm(path: string): Promise<boolean> {
  try {
    const head = (await readFile(path)).subarray(0, 4);
    return head.length === 4 && head[0] === 0x00 && head[1] === 0x61 && head[2] === 0x73 && head[3] === 0x6d;
  } catch {
    return false;
  }
}
