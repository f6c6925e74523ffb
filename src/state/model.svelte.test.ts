import { describe, expect, it } from 'vitest';
import type { ImportFile, ModelCacheStatus } from '../lib/llm/protocol.ts';
import type { RegistryEntry } from '../lib/llm/registry.ts';
import { ModelState, type ModelWorker } from './model.svelte.ts';

const entry = { id: 'tiny', name: 'Tiny' } as RegistryEntry;
const status = (complete: boolean): ModelCacheStatus => ({ modelId: 'tiny', complete } as unknown as ModelCacheStatus);

function worker(over: Partial<Record<keyof ModelWorker, unknown>> = {}) {
  let cached = false;
  const api = {
    loadedModel: async () => undefined,
    modelCacheStatus: async () => ({ ok: true, value: status(cached) }),
    deleteModel: async () => ({ ok: true, value: status(false) }),
    importModelFolder: async () => {
      cached = true;
      return { ok: true, value: { modelId: 'tiny', files: 3, bytes: 10, libraryImported: false } };
    },
    ...over,
  } as unknown as ModelWorker;
  return api;
}

describe('ModelState', () => {
  it('reads the cache status of each model and updates it after an import', async () => {
    const api = worker();
    const model = new ModelState([entry], [], () => api);
    await model.refresh();
    expect(model.cacheOf('tiny')).toMatchObject({ complete: false });
    await model.importFiles('tiny', [] as ImportFile[]);
    expect(model.notice).toMatch(/Imported 3 files/);
    expect(model.busyId).toBeUndefined();
    expect(model.cacheOf('tiny')).toMatchObject({ complete: true });
  });

  it('a failed import becomes a problem with its hint, and the model is no longer busy', async () => {
    const model = new ModelState([entry], [], () =>
      worker({ importModelFolder: async () => ({ ok: false, code: 'ModelNotAvailable', message: 'ModelNotAvailable: The folder has no tokenizer.', hint: 'Copy tokenizer.json too.' }) }),
    );
    await model.importFiles('tiny', []);
    expect(model.problemOf('tiny')).toEqual({ message: 'The folder has no tokenizer.', hint: 'Copy tokenizer.json too.' });
    expect(model.problemOf('other')).toBeUndefined();
    expect(model.busyId).toBeUndefined();
  });

  it('remembers the weight source the user picked', () => {
    const model = new ModelState([entry], ['https://mirror.example'], () => worker());
    expect(model.source).toBe('site');
    model.source = 'https://mirror.example';
    expect(model.source).toBe('https://mirror.example');
  });
});
