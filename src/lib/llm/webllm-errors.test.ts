import { describe, expect, it } from 'vitest';
import { errorCode } from '../errors.ts';
import { isAbort, mapWebLlmError, webLlmErrorName } from './webllm-errors.ts';

class Named extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

describe('mapWebLlmError', () => {
  it.each([
    [new Named('ShaderF16SupportError', 'This model requires WebGPU extension shader-f16'), 'WebGpuUnavailable', /q4f32_1/],
    ['ShaderF16SupportError: This model requires WebGPU extension shader-f16, which is not enabled', 'WebGpuUnavailable', /q4f32_1/],
    ['WebGPUNotAvailableError: WebGPU is not supported in your current environment', 'WebGpuUnavailable', /Chrome or Edge/],
    ['DeviceLostError: The WebGPU device was lost while loading the model.', 'ModelLoadFailed', /Close other tabs/],
    [new Named('QuotaExceededError', 'The quota has been exceeded.'), 'StorageFull', /Free disk space/],
    ['IntegrityError: Integrity verification failed for https://x/params_shard_0.bin', 'ModelLoadFailed', /Delete the model/],
    [new Error('WebAssembly.instantiate(): expected magic word 00 61 73 6d, found 3c 21 44 4f @+0'), 'ModelNotAvailable', /public\/models\/lib/],
    [new TypeError('Failed to fetch'), 'ModelNotAvailable', /import the model/],
    ['Error: Cannot fetch http://127.0.0.1/x err= TypeError: Failed to fetch', 'ModelNotAvailable', /import/],
    ['ModelNotLoadedError: Model not loaded before trying to complete', 'ModelNotAvailable', /Model tab/],
    ['Cannot initialize runtime because of requested maxStorageBuffersPerShaderStage exceeds limit. requested=10, limit=8.', 'WebGpuUnavailable', /driver/],
    ['something odd', 'ModelLoadFailed', /Reload the page/],
  ])('%s → %s', (thrown, code, hint) => {
    const e = mapWebLlmError(thrown, { libraryUrl: 'http://127.0.0.1/models/lib/x.wasm' });
    expect(e.code).toBe(code);
    expect(errorCode(e)).toBe(code);
    expect(e.hint).toMatch(hint);
  });

  it('names the model library file that failed to instantiate', () => {
    const e = mapWebLlmError(new Error('WebAssembly.instantiate(): CompileError'), { libraryUrl: 'http://127.0.0.1/models/lib/Llama-q4f32_1.wasm' });
    expect(e.message).toMatch(/Llama-q4f32_1\.wasm/);
  });

  it('reads the name from an Error, a "Name: message" string, or neither', () => {
    expect(webLlmErrorName(new Named('DeviceLostError', 'x'))).toBe('DeviceLostError');
    expect(webLlmErrorName('FeatureSupportError: needs subgroups')).toBe('FeatureSupportError');
    expect(webLlmErrorName(new Error('FeatureSupportError: wrapped'))).toBe('FeatureSupportError');
    expect(webLlmErrorName('plain')).toBe('');
  });

  it('recognises cancellation', () => {
    expect(isAbort(new DOMException('The user aborted a request.', 'AbortError'))).toBe(true);
    expect(isAbort('Engine.unload() is called.')).toBe(true);
    expect(isAbort(new Error('Failed to fetch'))).toBe(false);
    expect(isAbort(new Error('RuntimeError: Aborted(native code called abort())'))).toBe(false);
  });
});
