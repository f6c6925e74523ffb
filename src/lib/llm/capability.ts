/**
 * Can this browser run a model? A pure decision over a plain description of the GPU (gathered in the browser by
 * src/state/gpu-probe.ts), made before anything is downloaded. Each failed check carries a plain-language message and a
 * next step: another browser or flag, the f32 variant, or the rule engine.
 */
import type { RegistryEntry } from './registry.ts';

/** What the browser told us. Every field is plain data so the decision can be tested in Node. */
export interface GpuDescription {
  /** `navigator.gpu` exists. */
  webgpu: boolean;
  /** False on plain http from another host: WebGPU needs https or localhost. */
  secureContext: boolean;
  adapter: AdapterDescription | null;
  /** Why requestAdapter failed, when it threw. */
  adapterError?: string;
  /** `navigator.deviceMemory` in GB (Chromium caps it at 8), when exposed. */
  deviceMemoryGB?: number;
  /** `navigator.storage.estimate()`, bytes. */
  storage?: { quota: number; usage: number };
  userAgent?: string;
}

export interface AdapterDescription {
  /** `adapter.info`: vendor, architecture, device, description. */
  info: { vendor: string; architecture: string; device: string; description: string };
  features: string[];
  limits: {
    maxBufferSize: number;
    maxStorageBufferBindingSize: number;
    maxComputeWorkgroupStorageSize: number;
    maxStorageBuffersPerShaderStage: number;
    maxComputeInvocationsPerWorkgroup: number;
  };
  isFallbackAdapter: boolean;
}

/**
 * WebLLM 0.2.86's floor (detectGPUDevice): it asks for 1 GB buffers and falls back to these minimums, below which
 * it refuses to start; the workgroup limits are fixed requirements of its kernels.
 */
export const WEBLLM_MINIMUM = {
  maxBufferSize: 256 * 2 ** 20,
  maxStorageBufferBindingSize: 128 * 2 ** 20,
  maxComputeWorkgroupStorageSize: 32 * 1024,
  maxStorageBuffersPerShaderStage: 10,
  maxComputeInvocationsPerWorkgroup: 256,
} as const;

/** The size WebLLM asks for first; below it, an 8B model's large tensors load in smaller pieces and run slower. */
const PREFERRED_BINDING = 2 ** 30;

export type CheckId = 'secure-context' | 'webgpu' | 'adapter' | 'software' | 'features' | 'limits' | 'memory' | 'storage';

export interface Check {
  id: CheckId;
  /** `fail` blocks the model; `warn` lets the person try. */
  level: 'pass' | 'warn' | 'fail';
  message: string;
  /** What to do next, for `warn` and `fail`. */
  hint?: string;
}

export interface ModelVerdict {
  modelId: string;
  canRun: boolean;
  checks: Check[];
}

export interface CapabilityReport {
  /** One line naming the GPU, from adapter.info. */
  gpu: string;
  /** Checks that do not depend on the model. */
  checks: Check[];
  models: ModelVerdict[];
  /** The model to offer first, or undefined when none can run (use the rule engine). */
  recommended?: string;
  summary: string;
}

const MB = 2 ** 20;
const fmtMB = (bytes: number) => `${Math.round(bytes / MB).toLocaleString('en-US')} MB`;

const NEXT_BROWSER =
  'Use a recent Chrome or Edge (version 113 or later) on Windows, macOS or ChromeOS, or Chrome on Linux with chrome://flags/#enable-unsafe-webgpu and #enable-vulkan turned on. Meanwhile the rule engine works everywhere.';

export function describeGpu(d: GpuDescription): string {
  if (!d.adapter) return d.webgpu ? 'No WebGPU adapter' : 'No WebGPU';
  const { vendor, architecture, device, description } = d.adapter.info;
  const parts = [description || [vendor, architecture].filter(Boolean).join(' ') || 'Unknown GPU'];
  if (device && !parts[0].includes(device)) parts.push(`(${device})`);
  if (d.adapter.isFallbackAdapter) parts.push('[software]');
  return parts.join(' ');
}

/** A software rasteriser (SwiftShader, llvmpipe, WARP) runs WebGPU on the CPU: correct but minutes per report. */
function isSoftware(a: AdapterDescription): boolean {
  const text = `${a.info.vendor} ${a.info.architecture} ${a.info.description} ${a.info.device}`.toLowerCase();
  return a.isFallbackAdapter || /swiftshader|llvmpipe|lavapipe|softpipe|microsoft basic render|warp/.test(text);
}

function deviceChecks(d: GpuDescription): Check[] {
  const checks: Check[] = [];
  if (!d.secureContext) {
    checks.push({
      id: 'secure-context',
      level: 'fail',
      message: 'This page was opened over plain http from another computer, and browsers allow WebGPU only on https or on this computer (localhost).',
      hint: 'Open the site over https, or run it on this computer with `npm start`.',
    });
  }
  if (!d.webgpu) {
    checks.push({ id: 'webgpu', level: 'fail', message: 'This browser has no WebGPU, which the in-browser model needs.', hint: NEXT_BROWSER });
    return checks;
  }
  checks.push({ id: 'webgpu', level: 'pass', message: 'WebGPU is available.' });
  if (!d.adapter) {
    checks.push({
      id: 'adapter',
      level: 'fail',
      message: `The browser has WebGPU but found no usable graphics adapter${d.adapterError ? ` (${d.adapterError})` : ''}: the GPU may be blocklisted or its driver too old.`,
      hint: `Update the graphics driver, check chrome://gpu for "WebGPU: Hardware accelerated", or try another browser. ${NEXT_BROWSER}`,
    });
    return checks;
  }
  checks.push({ id: 'adapter', level: 'pass', message: `Graphics adapter: ${describeGpu(d)}.` });
  if (isSoftware(d.adapter)) {
    checks.push({
      id: 'software',
      level: 'warn',
      message: 'The adapter is a software renderer that runs on the processor, not a GPU: an 8B model would take minutes per report, if it loads at all.',
      hint: 'Turn on hardware acceleration in the browser settings, or use the rule engine.',
    });
  }
  const l = d.adapter.limits;
  const low = (Object.keys(WEBLLM_MINIMUM) as (keyof typeof WEBLLM_MINIMUM)[]).filter((k) => l[k] < WEBLLM_MINIMUM[k]);
  if (low.length) {
    checks.push({
      id: 'limits',
      level: 'fail',
      message: `The GPU's WebGPU limits are below what WebLLM needs: ${low.map((k) => `${k} ${k.includes('Size') ? fmtMB(l[k]) : l[k]} (needs ${k.includes('Size') && WEBLLM_MINIMUM[k] >= MB ? fmtMB(WEBLLM_MINIMUM[k]) : WEBLLM_MINIMUM[k]})`).join(', ')}.`,
      hint: `Update the browser and graphics driver, or use the rule engine.`,
    });
  } else if (l.maxStorageBufferBindingSize < PREFERRED_BINDING) {
    checks.push({
      id: 'limits',
      level: 'warn',
      message: `Buffer limits are small (maxBufferSize ${fmtMB(l.maxBufferSize)}, maxStorageBufferBindingSize ${fmtMB(l.maxStorageBufferBindingSize)}; WebLLM prefers 1,024 MB): the model may load but run slowly.`,
      hint: 'A newer browser or driver often raises these limits.',
    });
  } else {
    checks.push({ id: 'limits', level: 'pass', message: `Buffer limits are large enough (maxStorageBufferBindingSize ${fmtMB(l.maxStorageBufferBindingSize)}).` });
  }
  return checks;
}

function modelChecks(d: GpuDescription, m: RegistryEntry, f32Alternative: RegistryEntry | undefined): Check[] {
  const checks: Check[] = [];
  const a = d.adapter;
  if (!a) return checks;
  const missing = m.requiredFeatures.filter((f) => !a.features.includes(f));
  if (missing.length) {
    const f16 = missing.includes('shader-f16');
    checks.push({
      id: 'features',
      level: 'fail',
      message: f16
        ? 'This GPU (or browser) does not offer 16-bit float shaders (shader-f16), which this model variant needs.'
        : `This model needs WebGPU features the GPU does not offer: ${missing.join(', ')}.`,
      hint: f16
        ? f32Alternative
          ? `Use "${f32Alternative.name}", the 32-bit variant made for such GPUs (a larger download, same answers). Chrome 121+ offers shader-f16 on most recent GPUs.`
          : 'Use a 32-bit (q4f32) variant of the model, or Chrome 121 or later.'
        : 'Try a newer browser, or the rule engine.',
    });
  } else if (m.requiredFeatures.length) {
    checks.push({ id: 'features', level: 'pass', message: `The GPU offers ${m.requiredFeatures.join(', ')}.` });
  }
  // Browsers do not report GPU memory. deviceMemory (system RAM, capped at 8 GB) bounds what an integrated GPU
  // can share; for a discrete GPU it says little, so a shortfall only warns.
  const needGB = m.vramMB / 1024;
  if (d.deviceMemoryGB !== undefined && d.deviceMemoryGB < needGB && d.deviceMemoryGB < 8) {
    checks.push({
      id: 'memory',
      level: 'warn',
      message: `The model needs about ${needGB.toFixed(1)} GB of GPU memory, and this device reports ${d.deviceMemoryGB} GB of memory in all: loading may fail with "device lost".`,
      hint: 'Close other tabs and programs before loading, or use the rule engine on this device.',
    });
  } else {
    checks.push({
      id: 'memory',
      level: 'pass',
      message: `The model needs about ${needGB.toFixed(1)} GB of GPU memory${d.deviceMemoryGB !== undefined ? ` (device memory: ${d.deviceMemoryGB}${d.deviceMemoryGB >= 8 ? '+' : ''} GB)` : ''}; browsers do not report GPU memory, so loading is the real test.`,
    });
  }
  if (d.storage) {
    const free = d.storage.quota - d.storage.usage;
    const need = m.downloadMB * MB;
    checks.push(
      free < need
        ? {
            id: 'storage',
            level: 'warn',
            message: `The browser lets this site store ${fmtMB(free)} more, and the model download is about ${fmtMB(need)}.`,
            hint: 'Free disk space, delete other cached models below, or allow persistent storage when asked.',
          }
        : { id: 'storage', level: 'pass', message: `Storage: ${fmtMB(free)} available for the ${fmtMB(need)} download.` },
    );
  }
  return checks;
}

/** The verdict for every model in the registry, and which one to offer. */
export function evaluateCapability(d: GpuDescription, models: readonly RegistryEntry[]): CapabilityReport {
  const checks = deviceChecks(d);
  const deviceFails = checks.some((c) => c.level === 'fail');
  const verdicts: ModelVerdict[] = models.map((m) => {
    const f32 = models.find((x) => x.base === m.base && x.id !== m.id && !x.requiredFeatures.includes('shader-f16'));
    const own = modelChecks(d, m, f32);
    return { modelId: m.id, canRun: !deviceFails && !own.some((c) => c.level === 'fail'), checks: own };
  });
  // Prefer RadReportX over stock models (general models asked zero-shot), then the smallest download that can run:
  // f16 where the GPU has it (smaller and faster), else f32.
  const runnable = models.filter((m, i) => verdicts[i].canRun).sort((a, b) => Number(!!a.stock) - Number(!!b.stock) || a.downloadMB - b.downloadMB);
  const recommended = runnable[0]?.id;
  const software = checks.some((c) => c.id === 'software');
  let summary: string;
  if (!recommended) {
    summary = deviceFails
      ? `The in-browser model cannot run here: ${checks.find((c) => c.level === 'fail')!.message} The rule engine works on every device.`
      : 'No model variant in this site fits this GPU. The rule engine works on every device.';
  } else {
    const m = models.find((x) => x.id === recommended)!;
    const skipped = models.filter((x, i) => !verdicts[i].canRun && x.requiredFeatures.includes('shader-f16'));
    summary = `Use "${m.name}" (about ${(m.downloadMB / 1024).toFixed(1)} GB to download once).`;
    if (skipped.length) summary += ' The 16-bit variant needs shader-f16, which this GPU lacks.';
    if (software) summary += ' Warning: the adapter is a software renderer, so the model would be very slow.';
  }
  return { gpu: describeGpu(d), checks, models: verdicts, recommended, summary };
}
