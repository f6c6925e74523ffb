/** Which engines the worker offers and which one the user picked (shared by single report and batch). */
import type { EngineDescriptor, EngineId } from '../worker/api.ts';
import { labeler } from './labeler.ts';

class Engines {
  #list = $state.raw<EngineDescriptor[]>([]);
  #selected = $state<EngineId>('rules');

  get list(): EngineDescriptor[] {
    return this.#list;
  }
  get selected(): EngineId {
    return this.#selected;
  }
  set selected(value: EngineId) {
    this.#selected = value;
  }

  async refresh(): Promise<void> {
    this.#list = await labeler().engines();
    if (!this.#list.some((e) => e.id === this.#selected) && this.#list[0]) this.#selected = this.#list[0].id;
  }

  get current(): EngineDescriptor | undefined {
    return this.#list.find((e) => e.id === this.#selected);
  }
}

export const engines = new Engines();
