/**
 * Progress on stderr: rows done, rows/s and ETA (from bytes read against the file size, since the row count is
 * unknown until the end). Redrawn in place on a terminal; when forced with --progress into a log or pipe it
 * prints a line every few seconds instead. Never prints report text.
 */

export type ProgressMode = 'auto' | 'on' | 'off';

export interface ProgressOptions {
  mode: ProgressMode;
  /** Total bytes to read, for the ETA; 0 when unknown. */
  totalBytes: number;
  unit?: string;
  stream?: NodeJS.WriteStream;
  now?: () => number;
}

export class Progress {
  readonly #enabled: boolean;
  readonly #tty: boolean;
  readonly #stream: NodeJS.WriteStream;
  readonly #totalBytes: number;
  readonly #unit: string;
  readonly #now: () => number;
  readonly #start: number;
  #last = 0;
  #rows = 0;
  #bytes = 0;
  #drawn = false;

  constructor(options: ProgressOptions) {
    this.#stream = options.stream ?? process.stderr;
    this.#tty = Boolean(this.#stream.isTTY);
    this.#enabled = options.mode === 'on' || (options.mode === 'auto' && this.#tty);
    this.#totalBytes = options.totalBytes;
    this.#unit = options.unit ?? 'rows';
    this.#now = options.now ?? (() => performance.now());
    this.#start = this.#now();
  }

  bytes(n: number): void {
    this.#bytes = n;
  }

  /** Counts rows; redraws at most 4 times a second (every 2 s when not a terminal). */
  tick(rows = 1): void {
    const before = this.#rows;
    this.#rows += rows;
    // Reading the clock on every row would cost more than labeling a short report: once per 256 rows.
    if (!this.#enabled || before >> 8 === this.#rows >> 8) return;
    const t = this.#now();
    if (t - this.#last < (this.#tty ? 250 : 2000)) return;
    this.#last = t;
    this.#draw(t);
  }

  get rows(): number {
    return this.#rows;
  }

  /** Seconds since the start. */
  elapsed(): number {
    return (this.#now() - this.#start) / 1000;
  }

  /** Clears the progress line so the summary starts on a clean line. */
  done(): void {
    if (this.#enabled && this.#drawn && this.#tty) this.#stream.write('\r\x1b[K');
  }

  #draw(t: number): void {
    const seconds = (t - this.#start) / 1000;
    const rate = seconds > 0 ? this.#rows / seconds : 0;
    const fraction = this.#totalBytes > 0 ? Math.min(this.#bytes / this.#totalBytes, 1) : 0;
    const eta = fraction > 0.001 ? seconds * (1 / fraction - 1) : NaN;
    const parts = [
      `${this.#rows.toLocaleString('en-US')} ${this.#unit}`,
      `${Math.round(rate).toLocaleString('en-US')} ${this.#unit}/s`,
      fraction > 0 ? `${(fraction * 100).toFixed(0)}%` : '',
      Number.isFinite(eta) ? `ETA ${formatDuration(eta)}` : '',
    ].filter(Boolean);
    this.#stream.write(this.#tty ? `\r\x1b[K${parts.join('  ')}` : `${parts.join('  ')}\n`);
    this.#drawn = true;
  }
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
