/**
 * Gathers the plain GPU description that src/lib/llm/capability.ts decides on, in the page (as describeCpu in
 * gguf.svelte.ts does for the CPU engine): it reads navigator only and asks for an adapter only (no device), so
 * probing costs nothing and changes nothing. The Model tab shows the verdict before the worker loads anything.
 */
import type { AdapterDescription, GpuDescription } from '../lib/llm/capability.ts';

const LIMITS = [
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxComputeWorkgroupStorageSize',
  'maxStorageBuffersPerShaderStage',
  'maxComputeInvocationsPerWorkgroup',
] as const;

interface NavigatorLike {
  gpu?: GPU;
  deviceMemory?: number;
  storage?: StorageManager;
  userAgent?: string;
}

export async function probeGpu(nav: NavigatorLike = navigator as NavigatorLike): Promise<GpuDescription> {
  const d: GpuDescription = {
    webgpu: !!nav.gpu,
    secureContext: globalThis.isSecureContext !== false,
    adapter: null,
    userAgent: nav.userAgent,
  };
  if (typeof nav.deviceMemory === 'number') d.deviceMemoryGB = nav.deviceMemory;
  try {
    const est = await nav.storage?.estimate();
    if (est?.quota !== undefined) d.storage = { quota: est.quota, usage: est.usage ?? 0 };
  } catch {
    /* storage estimate is optional */
  }
  if (!nav.gpu) return d;
  try {
    // The same preference WebLLM uses, so we describe the adapter it will get.
    const adapter = await nav.gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (adapter) d.adapter = describeAdapter(adapter);
  } catch (e) {
    d.adapterError = e instanceof Error ? e.message : String(e);
  }
  return d;
}

function describeAdapter(adapter: GPUAdapter): AdapterDescription {
  const info = adapter.info ?? ({} as GPUAdapterInfo);
  const limits = Object.fromEntries(LIMITS.map((k) => [k, Number(adapter.limits[k] ?? 0)])) as AdapterDescription['limits'];
  return {
    info: { vendor: info.vendor ?? '', architecture: info.architecture ?? '', device: info.device ?? '', description: info.description ?? '' },
    features: [...adapter.features].sort(),
    limits,
    // Chromium reports a software adapter through info.isFallbackAdapter (newer) or adapter.isFallbackAdapter.
    isFallbackAdapter: !!((info as { isFallbackAdapter?: boolean }).isFallbackAdapter ?? (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter),
  };
}
