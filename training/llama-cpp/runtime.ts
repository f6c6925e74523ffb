/**
 * node-llama-cpp as a CompletionRuntime: the CLI's thin adapter for the GGUF engine in src/lib/llm/gguf-engine.ts.
 * It loads the model once, keeps one context sequence (so consecutive reports reuse the cached system prompt), turns
 * a JSON schema into llama.cpp's grammar once per schema, and reports tokens and timings. CPU by default with the
 * prebuilt binary (`build: 'never'`: nothing is compiled or downloaded at run time); `gpu` picks CUDA, Vulkan or
 * Metal on a host that has one.
 */
import type { Llama, LlamaContext, LlamaGrammar, LlamaModel, Token } from 'node-llama-cpp';
import { RadReportXError } from '../../src/lib/errors.ts';
import type { CompletionRequest, CompletionResponse, CompletionRuntime } from '../../src/lib/llm/gguf-engine.ts';
import type { GpuChoice } from './gpu.ts';


export interface LlamaCppOptions {
  modelPath: string;
  /** CPU threads for generation (default: what node-llama-cpp picks, all cores). */
  threads?: number;
  gpu?: GpuChoice;
  /** Tokens of context: prompt plus answer (default 4096, or the model's own when smaller). */
  contextSize?: number;
}

export interface LoadedLlamaCpp {
  runtime: CompletionRuntime;
  /** What actually runs: `cpu`, `cuda`, ... */
  backend: string;
  threads: number;
  loadMs: number;
  contextSize: number;
  /** Bytes of the model in memory, as llama.cpp reports. */
  modelBytes: number;
  /** The BOS token id, and the tokens llama.cpp holds for the last completion (prompt + answer): BOS appears once. */
  bos: number | null;
  contextTokens(): readonly number[];
  dispose(): Promise<void>;
}

/** Ids of the byte-fallback tokens `<0x80>`..`<0xFF>` (a byte-level BPE vocabulary such as Llama 3's has none). */
function highByteTokens(model: LlamaModel): Token[] {
  if (model.vocabularyType !== 'spm' && model.vocabularyType !== 'ugm') return [];
  const pieces = (model.fileInfo.metadata as { tokenizer?: { ggml?: { tokens?: readonly string[] } } }).tokenizer?.ggml?.tokens ?? [];
  const out: Token[] = [];
  pieces.forEach((piece, id) => {
    const m = /^<0x([0-9A-F]{2})>$/i.exec(piece);
    if (m && parseInt(m[1], 16) >= 0x80) out.push(id as Token);
  });
  return out;
}

export async function loadLlamaCpp(options: LlamaCppOptions): Promise<LoadedLlamaCpp> {
  const t0 = performance.now();
  const { getLlama, LlamaCompletion, TokenBias } = await import('node-llama-cpp');
  const gpu = options.gpu ?? 'cpu';
  let llama: Llama;
  try {
    llama = await getLlama({ gpu: gpu === 'cpu' ? false : gpu, build: 'never', progressLogs: false, logLevel: 'error' as never });
  } catch (e) {
    throw new RadReportXError('ModelLoadFailed', `node-llama-cpp has no prebuilt ${gpu === 'cpu' ? 'CPU' : gpu} binary for this machine (${(e as Error).message}).`, gpu === 'cpu' ? 'Run "npm ci" again; the binary ships in the node-llama-cpp packages.' : 'Use --gpu cpu, or install the matching driver (CUDA 12 / Vulkan).');
  }
  let model: LlamaModel;
  try {
    model = await llama.loadModel({ modelPath: options.modelPath, gpuLayers: gpu === 'cpu' ? 0 : 'auto' });
  } catch (e) {
    await llama.dispose();
    throw new RadReportXError('ModelLoadFailed', `Could not load the GGUF model "${options.modelPath}": ${(e as Error).message}.`, 'Check that the file is a complete GGUF model (radreportx build-model --format gguf writes one).');
  }
  const contextSize = Math.min(options.contextSize ?? 4096, model.trainContextSize);
  let context: LlamaContext;
  try {
    context = await model.createContext({ contextSize, threads: options.threads, sequences: 1 });
  } catch (e) {
    await model.dispose();
    await llama.dispose();
    throw new RadReportXError('ModelLoadFailed', `Not enough memory for the model's context (${contextSize} tokens): ${(e as Error).message}.`, 'Close other programs, or use a smaller quantization.');
  }
  const sequence = context.getSequence();
  const completion = new LlamaCompletion({ contextSequence: sequence });
  const grammars = new Map<string, Promise<LlamaGrammar>>();
  const banned = highByteTokens(model);
  const bias = banned.length ? new TokenBias(model.tokenizer).set(banned, 'never') : undefined;
  const bos = model.tokens.bos;

  const runtime: CompletionRuntime = {
    async complete(request: CompletionRequest, signal?: AbortSignal): Promise<CompletionResponse> {
      let grammar: LlamaGrammar | undefined;
      if (request.jsonSchema) {
        const key = JSON.stringify(request.jsonSchema);
        let g = grammars.get(key);
        if (!g) grammars.set(key, (g = llama.createGrammarForJsonSchema(request.jsonSchema as never) as Promise<LlamaGrammar>));
        grammar = await g;
      }
      // Special-token text (<|eot_id|>) is parsed, as the model was trained; LlamaCompletion adds BOS itself.
      const tokens = model.tokenize(request.prompt, true);
      const promptTokens = tokens.length + (model.tokens.shouldPrependBosToken && tokens[0] !== bos ? 1 : 0);
      if (promptTokens + request.maxTokens > contextSize) {
        throw new RadReportXError('InvalidConfig', `The prompt (${promptTokens} tokens) and answer do not fit the ${contextSize}-token context: report too long.`);
      }
      let generated = 0;
      const t0 = performance.now();
      let tFirst: number | undefined;
      const { response, metadata } = await completion.generateCompletionWithMeta(tokens, {
        maxTokens: request.maxTokens,
        temperature: request.temperature,
        seed: request.seed,
        grammar,
        tokenBias: bias,
        customStopTriggers: request.stop,
        signal,
        onToken: (t) => {
          tFirst ??= performance.now();
          generated += t.length;
        },
      });
      const t1 = performance.now();
      return {
        text: response,
        promptTokens,
        completionTokens: generated,
        finishReason: metadata.stopReason === 'maxTokens' ? 'length' : 'stop',
        prefillMs: (tFirst ?? t1) - t0,
        decodeMs: t1 - (tFirst ?? t1),
      };
    },
  };
  return {
    runtime,
    backend: llama.gpu === false ? 'cpu' : String(llama.gpu),
    threads: context.currentThreads,
    loadMs: performance.now() - t0,
    contextSize,
    modelBytes: model.size,
    bos,
    contextTokens: () => sequence.contextTokens,
    async dispose() {
      await context.dispose();
      await model.dispose();
      await llama.dispose();
    },
  };
}
