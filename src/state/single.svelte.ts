/** The single-report screen: the text being typed and the result for it, labeled in the worker as it changes. */
import { errorMessage } from '../lib/errors.ts';
import type { LabelResult } from '../lib/result.ts';
import { engines } from './engines.svelte.ts';
import { labeler } from './labeler.ts';

const DEBOUNCE_MS = 150;

class SingleReport {
  text = $state('');
  /** The result and the exact text it was computed for (evidence offsets point into that text). */
  result = $state.raw<LabelResult | undefined>();
  labeledText = $state('');
  busy = $state(false);
  error = $state<string | undefined>();
  #seq = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** Labels after a short pause in typing. */
  setText(text: string): void {
    this.text = text;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.labelNow(), DEBOUNCE_MS);
  }

  async labelNow(): Promise<void> {
    clearTimeout(this.#timer);
    const id = ++this.#seq;
    const text = this.text;
    this.busy = true;
    try {
      const result = await labeler().label({ text, engine: engines.selected, task: 'both' });
      // A newer request was sent while this one ran: its answer is the one to show.
      if (id !== this.#seq) return;
      this.result = result;
      this.labeledText = text;
      this.error = undefined;
    } catch (e) {
      if (id === this.#seq) this.error = errorMessage(e);
    } finally {
      if (id === this.#seq) this.busy = false;
    }
  }
}

export const single = new SingleReport();
