/**
 * WebLLM's failures in our named errors. They reach us as Error objects, as strings (across a worker, WebLLM
 * sends `String(err)`, i.e. "Name: message"), or as bare messages, so the match is on the name prefix first and
 * on well-known message text second.
 */
import { RadReportXError } from '../errors.ts';

export function webLlmErrorName(e: unknown): string {
  if (e && typeof e === 'object' && typeof (e as { name?: unknown }).name === 'string' && (e as { name: string }).name !== 'Error') {
    return (e as { name: string }).name;
  }
  const text = e instanceof Error ? e.message : String(e);
  const m = /^([A-Z][A-Za-z0-9]*(?:Error|Exception))\b/.exec(text.trim());
  return m ? m[1] : '';
}

function textOf(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}

/**
 * True when the error is a cancellation: an AbortError, or the reason WebLLM gives when unload() stops a reload.
 * Not any text with "abort" in it: a crashing WebAssembly runtime reports "Aborted(...)", which is a failure.
 */
export function isAbort(e: unknown): boolean {
  return webLlmErrorName(e) === 'AbortError' || /Engine\.unload\(\) is called/.test(textOf(e));
}

/** Our named error for anything WebLLM (or the browser under it) threw while loading or generating. */
export function mapWebLlmError(e: unknown, context: { modelName?: string; libraryUrl?: string } = {}): RadReportXError {
  if (e instanceof RadReportXError) return e;
  const name = webLlmErrorName(e);
  const text = textOf(e);
  const model = context.modelName ? `"${context.modelName}"` : 'the model';
  switch (name) {
    case 'WebGPUNotAvailableError':
    case 'WebGPUNotFoundError':
      return new RadReportXError('WebGpuUnavailable', 'This browser has no WebGPU, which the in-browser model needs.', 'Use a recent Chrome or Edge, or the rule engine.');
    case 'ShaderF16SupportError':
      return new RadReportXError('WebGpuUnavailable', `${model} needs 16-bit float shaders (shader-f16), which this GPU or browser does not offer.`, 'Choose the q4f32_1 variant of the model.');
    case 'FeatureSupportError':
      return new RadReportXError('WebGpuUnavailable', `${model} needs a WebGPU feature this GPU does not offer.`, 'Choose the q4f32_1 variant of the model, or use the rule engine.');
    case 'DeviceLostError':
      return new RadReportXError('ModelLoadFailed', 'The GPU gave up while loading the model, most often because it ran out of memory.', 'Close other tabs and programs that use the GPU, then load again; or use the rule engine.');
    case 'ModelNotFoundError':
    case 'MissingModelError':
    case 'SpecifiedModelNotFoundError':
      return new RadReportXError('ModelNotAvailable', `${model} is not configured in this site.`, 'Reload the page; if it persists, the site\'s model registry is wrong.');
    case 'IntegrityError':
      return new RadReportXError('ModelLoadFailed', `A file of ${model} does not match its expected checksum: it is damaged or was replaced.`, 'Delete the model from this browser\'s cache and download it again.');
    case 'QuotaExceededError':
      return new RadReportXError('StorageFull', 'The browser ran out of storage space for the model files.', 'Free disk space or delete other cached models, then try again.');
    case 'ContextWindowSizeExceededError':
      return new RadReportXError('ModelLoadFailed', 'The report is too long for the model\'s context window.', 'Label this report with the rule engine, or shorten it.');
    case 'ModelNotLoadedError':
    case 'EngineNotLoadedError':
    case 'WorkerEngineModelNotLoadedError':
      return new RadReportXError('ModelNotAvailable', 'The model is not loaded.', 'Load it on the Model tab first.');
    default:
      break;
  }
  // Messages without a useful name: WebAssembly and fetch failures, tvmjs runtime errors.
  if (/CompileError|LinkError|WebAssembly\.(instantiate|compile|Module)|expected magic word/.test(text)) {
    return new RadReportXError(
      'ModelNotAvailable',
      `The model library${context.libraryUrl ? ` (${context.libraryUrl.split('/').pop()})` : ''} is missing or is not a WebLLM model library.`,
      'Put the prebuilt WebLLM v0_2_86 library for this model under public/models/lib/ (see public/models/README.md), or import a model folder that contains it.',
    );
  }
  if (/Failed to fetch|NetworkError|Cannot fetch|Network response was not ok|status (4|5)\d\d|\b404\b/i.test(text)) {
    return new RadReportXError('ModelNotAvailable', `The files of ${model} could not be downloaded.`, 'Check the connection, or import the model from a folder on this computer.');
  }
  if (/maxBufferSize|maxStorageBufferBindingSize|maxComputeWorkgroupStorageSize|maxStorageBuffersPerShaderStage|compatible GPU/i.test(text)) {
    return new RadReportXError('WebGpuUnavailable', 'The GPU does not meet WebLLM\'s requirements.', 'Update the browser and graphics driver, or use the rule engine.');
  }
  if (/out of memory|OOM|device (was )?lost/i.test(text)) {
    return new RadReportXError('ModelLoadFailed', 'The GPU ran out of memory.', 'Close other tabs and programs that use the GPU, then try again.');
  }
  return new RadReportXError('ModelLoadFailed', `The model failed: ${text.slice(0, 300)}`, 'Reload the page and try again; if it persists, use the rule engine.');
}
