/**
 * Counts for one run and the progress line on stderr: done/failed, rows per second, ETA, tokens, estimated cost.
 * Never prints report text or server messages.
 */
import type { RowStatus } from '../../src/lib/result.ts';
import { formatDuration, type ProgressMode } from '../lib/progress.ts';
import { costOf, formatCost, type Price } from './pricing.ts';

export class RunStats {
  readonly status: Record<RowStatus, number> = { ok: 0, empty: 0, error: 0, unparsed: 0 };
  promptTokens = 0;
  completionTokens = 0;
  retries = 0;
  /** Rows this run means to finish. */
  total: number;
  readonly #start = performance.now();
  readonly #price?: Price;
  readonly #batch: boolean;

  constructor(total: number, price: Price | undefined, batch = false) {
    this.total = total;
    this.#price = price;
    this.#batch = batch;
  }

  get done(): number {
    return this.status.ok + this.status.empty + this.status.error + this.status.unparsed;
  }

  add(status: RowStatus, usage?: { promptTokens: number; completionTokens: number }): void {
    this.status[status]++;
    if (usage) {
      this.promptTokens += usage.promptTokens;
      this.completionTokens += usage.completionTokens;
    }
  }

  get cost(): number | undefined {
    return costOf(this.#price, this.promptTokens, this.completionTokens, this.#batch);
  }

  seconds(): number {
    return (performance.now() - this.#start) / 1000;
  }

  line(): string {
    const n = (x: number) => x.toLocaleString('en-US');
    const s = this.seconds();
    const rate = s > 0 ? this.done / s : 0;
    const left = this.total - this.done;
    const parts = [
      `${n(this.done)}/${n(this.total)} rows`,
      `${n(this.status.error)} failed`,
      `${n(this.status.unparsed)} unparsed`,
      `${rate.toFixed(rate < 10 ? 1 : 0)} rows/s`,
      rate > 0 && left > 0 ? `ETA ${formatDuration(left / rate)}` : '',
      `${n(this.promptTokens + this.completionTokens)} tokens`,
      this.#price ? formatCost(this.cost) : '',
      this.retries ? `${n(this.retries)} retries` : '',
    ];
    return parts.filter(Boolean).join(' · ');
  }
}

/** Redraws the progress line: in place on a terminal, a line every few seconds when forced into a log. */
export class ProgressLine {
  readonly #timer?: ReturnType<typeof setInterval>;
  readonly #tty: boolean;
  #drawn = false;

  constructor(stats: RunStats, mode: ProgressMode, quiet: boolean, stream: NodeJS.WriteStream = process.stderr) {
    this.#tty = Boolean(stream.isTTY);
    const on = !quiet && (mode === 'on' || (mode === 'auto' && this.#tty));
    if (!on) return;
    this.#timer = setInterval(() => {
      stream.write(this.#tty ? `\r\x1b[K${stats.line()}` : `${stats.line()}\n`);
      this.#drawn = true;
    }, this.#tty ? 500 : 5000);
    this.#timer.unref();
    this.stream = stream;
  }

  stream?: NodeJS.WriteStream;

  /** Clears the line so a message or the summary starts clean. */
  clear(): void {
    if (this.#tty && this.#drawn) this.stream?.write('\r\x1b[K');
    this.#drawn = false;
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.clear();
  }
}
