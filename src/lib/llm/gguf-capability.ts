/**
 * Can this browser run a GGUF model on the CPU (wllama), how many threads will it get, and which engine should a
 * model run on: WebLLM when WebGPU can hold it, else the CPU engine, else the rule engine. Pure: the page describes
 * the browser, this decides and says why.
 */
import type { CapabilityReport, Check } from './capability.ts';
import type { GgufHeader } from './gguf-file.ts';

export interface CpuDescription {
  /** COOP + COEP served: SharedArrayBuffer, so wllama can run several threads. */
  crossOriginIsolated: boolean;
  hardwareConcurrency: number;
  /** `navigator.deviceMemory` in GB (Chromium rounds and caps it at 8), when the browser tells. */
  deviceMemoryGB?: number;
  /** WebAssembly memory64: wllama's build addresses more than 4 GB with it. */
  memory64: boolean;
}

/** Chromium's largest WebAssembly memory64 heap (16 GiB): a model and its cache must fit in it. */
export const WASM64_MAX_BYTES = 16 * 2 ** 30;

/**
 * Bytes the loaded model needs: the weights as stored, the KV cache at `contextSize` (f16 keys and values for every
 * layer), and ~10% plus 64 MiB for llama.cpp's compute buffers.
 */
export function ggufMemoryBytes(header: Pick<GgufHeader, 'meta'> | undefined, fileBytes: number, contextSize: number): number {
  const m = header?.meta ?? {};
  const arch = String(m['general.architecture'] ?? 'llama');
  const num = (k: string) => (typeof m[`${arch}.${k}`] === 'number' ? (m[`${arch}.${k}`] as number) : undefined);
  const layers = num('block_count');
  const embd = num('embedding_length');
  const heads = num('attention.head_count');
  const kvHeads = num('attention.head_count_kv') ?? heads;
  const kv = layers && embd && heads && kvHeads ? 2 * layers * contextSize * (embd / heads) * kvHeads * 2 : 0;
  return Math.round(fileBytes + kv + fileBytes * 0.1 + 64 * 2 ** 20);
}

export interface CpuVerdict {
  canRun: boolean;
  /** Threads wllama will use. */
  threads: number;
  checks: Check[];
}

const gib = (b: number) => `${(b / 2 ** 30).toFixed(b < 2 ** 30 ? 2 : 1)} GiB`;

export function evaluateCpu(d: CpuDescription, needBytes: number): CpuVerdict {
  const checks: Check[] = [];
  if (!d.memory64) {
    checks.push({ id: 'features', level: 'fail', message: 'This browser lacks WebAssembly memory64, which the CPU engine needs.', hint: 'Use a current Chrome, Edge or Firefox, or the rule engine.' });
  }
  // Half the cores, as wllama picks by default: the page and the labeling worker need the rest.
  const threads = d.crossOriginIsolated ? Math.max(1, Math.floor(d.hardwareConcurrency / 2)) : 1;
  if (d.crossOriginIsolated) {
    checks.push({ id: 'limits', level: 'pass', message: `Cross-origin isolated: ${threads} thread${threads === 1 ? '' : 's'} of ${d.hardwareConcurrency} cores.` });
  } else {
    checks.push({
      id: 'limits',
      level: 'warn',
      message: 'The page is not cross-origin isolated, so the CPU engine runs on one thread (slower).',
      hint: 'Serve the site with the headers in dist/_headers (Cross-Origin-Opener-Policy and -Embedder-Policy), as `npm start` does.',
    });
  }
  if (needBytes > WASM64_MAX_BYTES) {
    checks.push({ id: 'memory', level: 'fail', message: `The model needs about ${gib(needBytes)}, more than a browser's WebAssembly memory can hold (16 GiB).`, hint: 'Use a smaller quantization (q4_K_M), or the CLI: radreportx label --engine llama-cpp.' });
  } else if (d.deviceMemoryGB !== undefined && needBytes > d.deviceMemoryGB * 2 ** 30 * 0.75) {
    checks.push({ id: 'memory', level: 'warn', message: `The model needs about ${gib(needBytes)} of memory; this device reports ${d.deviceMemoryGB} GB${d.deviceMemoryGB >= 8 ? ' or more' : ''}.`, hint: 'Close other tabs and programs before loading.' });
  } else {
    checks.push({ id: 'memory', level: 'pass', message: `Needs about ${gib(needBytes)} of memory${d.deviceMemoryGB !== undefined ? `; this device reports ${d.deviceMemoryGB} GB${d.deviceMemoryGB >= 8 ? ' or more' : ''}` : ''}.` });
  }
  return { canRun: !checks.some((c) => c.level === 'fail'), threads, checks };
}

export interface EngineChoice {
  engine: 'webllm' | 'wllama' | 'rules';
  /** The WebLLM model to load, when the choice is webllm. */
  modelId?: string;
  reason: string;
}

/**
 * WebLLM when a WebGPU verdict says a model fits on a real GPU (a software adapter runs at seconds per token, slower
 * than the CPU engine); else the CPU engine when a GGUF model can run; else the rule engine.
 */
export function chooseEngine(gpu: Pick<CapabilityReport, 'checks' | 'models' | 'recommended'> | undefined, cpu: CpuVerdict | undefined): EngineChoice {
  const verdict = gpu?.models.find((v) => v.modelId === gpu.recommended && v.canRun);
  const software = gpu?.checks.some((c) => c.id === 'software' && c.level !== 'pass');
  const memoryWarn = verdict?.checks.some((c) => c.id === 'memory' && c.level !== 'pass');
  if (verdict && !software && !memoryWarn) return { engine: 'webllm', modelId: verdict.modelId, reason: `WebGPU can hold ${verdict.modelId}: the GPU engine (WebLLM) is much faster than the CPU.` };
  const why = !verdict ? 'WebGPU cannot run the model here' : software ? 'the only WebGPU adapter is a software one (seconds per token)' : 'the GPU may not have the memory for the model';
  if (cpu?.canRun) return { engine: 'wllama', reason: `CPU engine (wllama, ${cpu.threads} thread${cpu.threads === 1 ? '' : 's'}): ${why}.` };
  return { engine: 'rules', reason: `Rule engine: ${why}, and ${cpu ? 'the CPU engine cannot run the model either' : 'no GGUF model is imported for the CPU engine'}.` };
}
