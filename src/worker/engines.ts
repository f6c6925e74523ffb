/**
 * The engines this worker can label with, by id. Each is loaded on first use, so a heavy engine (a model) costs
 * nothing until someone picks it. Another engine joins with `registerEngine` from its own module.
 */
import type { LabelEngine } from '../lib/engine.ts';
import { RadReportXError } from '../lib/errors.ts';
import type { EngineInfo } from '../lib/result.ts';
import { rulesEngine } from '../lib/rules/engine.ts';
import type { EngineDescriptor, EngineId } from './api.ts';

export interface EngineSlot {
  id: EngineId;
  /** Shown before the engine is loaded. */
  info: EngineInfo;
  load(): Promise<LabelEngine>;
}

const slots = new Map<EngineId, EngineSlot>();
const loading = new Map<EngineId, Promise<LabelEngine>>();
const ready = new Set<EngineId>();

export function registerEngine(slot: EngineSlot): void {
  slots.set(slot.id, slot);
}

export function describeEngines(): EngineDescriptor[] {
  return [...slots.values()].map((s) => ({ id: s.id, name: s.info.name, version: s.info.version, loaded: ready.has(s.id) }));
}

/** The engine with this id, loading it the first time; a failed load can be tried again. */
export function engineFor(id: EngineId): Promise<LabelEngine> {
  const slot = slots.get(id);
  if (!slot) {
    return Promise.reject(new RadReportXError('ModelNotAvailable', `There is no engine called "${id}" in this app.`, `Choose one of: ${[...slots.keys()].join(', ')}.`));
  }
  let p = loading.get(id);
  if (!p) {
    p = slot.load().then(
      (engine) => {
        ready.add(id);
        return engine;
      },
      (e: unknown) => {
        loading.delete(id);
        throw e;
      },
    );
    loading.set(id, p);
  }
  return p;
}

registerEngine({ id: 'rules', info: rulesEngine.info, load: async () => rulesEngine });
