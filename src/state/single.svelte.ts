/** The single-report screen: the text being typed and the result for it, labeled in the worker as it changes. */
import { plainMessage } from './messages.ts';
import type { LabelResult } from '../lib/result.ts';
import { engines } from './engines.svelte.ts';
import { labeler } from './labeler.ts';

const DEBOUNCE_MS = 150;

class SingleReport {
  #text = $state('');
  /** The result and the exact text it was computed for (evidence offsets point into that text). */
  #result = $state.raw<LabelResult | undefined>();
  #labeledText = $state('');
  #busy = $state(false);
  #error = $state<string | undefined>();

  get text(): string {
    return this.#text;
  }
  get result(): LabelResult | undefined {
    return this.#result;
  }
  get labeledText(): string {
    return this.#labeledText;
  }
  get busy(): boolean {
    return this.#busy;
  }
  get error(): string | undefined {
    return this.#error;
  }
  /** The engine picked needs a model and none is loaded: the view says so once, with a link to the Model tab. */
  #needsModel = $state(false);
  get needsModel(): boolean {
    return this.#needsModel;
  }
  #seq = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** Labels after a short pause in typing. */
  setText(text: string): void {
    this.#text = text;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.labelNow(), DEBOUNCE_MS);
  }

  /** True when `engine` runs a model and none is loaded in the worker (WebLLM on the GPU, wllama on the CPU). */
  async #modelMissing(engine: string): Promise<boolean> {
    if (engine === 'webllm') return !(await labeler().loadedModel());
    if (engine === 'wllama') return !(await labeler().ggufLoaded());
    return false;
  }

  async labelNow(): Promise<void> {
    clearTimeout(this.#timer);
    const id = ++this.#seq;
    const text = this.#text;
    this.#busy = true;
    try {
      const engine = engines.selected;
      // An LLM engine without its model labels nothing: one message instead of an "error" row for every keystroke.
      if (await this.#modelMissing(engine)) {
        if (id !== this.#seq) return;
        this.#needsModel = true;
        this.#result = undefined;
        this.#error = undefined;
        return;
      }
      const result = await labeler().label({ text, engine, task: 'both' });
      // A newer request was sent while this one ran: its answer is the one to show.
      if (id !== this.#seq) return;
      this.#needsModel = result.status === 'error' && /no (?:[\w-]+ )?model is loaded/i.test(result.message ?? '');
      this.#result = this.#needsModel ? undefined : result;
      this.#labeledText = text;
      this.#error = undefined;
    } catch (e) {
      if (id === this.#seq) {
        this.#error = plainMessage(e);
        this.#result = undefined;
      }
    } finally {
      if (id === this.#seq) this.#busy = false;
    }
  }
}

export const single = new SingleReport();
