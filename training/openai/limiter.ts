/**
 * Client-side rate limits, so a long run stays under the account's requests-per-minute and tokens-per-minute
 * quotas instead of living on 429s. Both are token buckets refilled continuously; requests wait their turn in
 * order. The requests bucket holds one request, which spaces starts evenly (60000/rpm ms apart) rather than
 * sending a minute's worth in a burst. Token costs are estimated before sending and corrected from `usage`.
 */

export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realClock: Clock = {
  now: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (ms <= 0 || signal?.aborted) return resolve();
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    }),
};

export class TokenBucket {
  readonly #rate: number;
  readonly capacity: number;
  #level: number;
  #at: number;

  /** `perMinute` units refill per minute; at most `capacity` are saved up. */
  constructor(perMinute: number, capacity: number, now: number) {
    this.#rate = perMinute / 60_000;
    this.capacity = capacity;
    this.#level = capacity;
    this.#at = now;
  }

  #refill(now: number): void {
    this.#level = Math.min(this.capacity, this.#level + (now - this.#at) * this.#rate);
    this.#at = now;
  }

  /** Milliseconds until `amount` can be taken (a request larger than the bucket waits for a full bucket). */
  waitFor(amount: number, now: number): number {
    this.#refill(now);
    const need = Math.min(amount, this.capacity) - this.#level;
    return need <= 0 ? 0 : Math.ceil(need / this.#rate);
  }

  take(amount: number, now: number): void {
    this.#refill(now);
    this.#level -= amount;
  }

  /** Gives back (or charges) the difference between an estimate and what was used. */
  adjust(amount: number, now: number): void {
    this.#refill(now);
    this.#level = Math.min(this.capacity, this.#level + amount);
  }
}

export interface LimiterOptions {
  rpm?: number;
  tpm?: number;
  clock?: Clock;
}

export class RateLimiter {
  readonly #clock: Clock;
  readonly #requests?: TokenBucket;
  readonly #tokens?: TokenBucket;
  #queue: Promise<void> = Promise.resolve();
  #pausedUntil = 0;

  constructor(options: LimiterOptions = {}) {
    this.#clock = options.clock ?? realClock;
    const now = this.#clock.now();
    if (options.rpm) this.#requests = new TokenBucket(options.rpm, 1, now);
    // Ten seconds of tokens may be spent at once: enough for the largest single request, small enough that a
    // fresh run does not start with a burst the server would refuse.
    if (options.tpm) this.#tokens = new TokenBucket(options.tpm, Math.max(1, options.tpm / 6), now);
  }

  /** Waits until one request of about `tokens` tokens may start. Callers are served in order. */
  acquire(tokens: number, signal?: AbortSignal): Promise<void> {
    const turn = this.#queue.then(() => this.#take(tokens, signal));
    this.#queue = turn.catch(() => undefined);
    return turn;
  }

  async #take(tokens: number, signal?: AbortSignal): Promise<void> {
    for (;;) {
      if (signal?.aborted) return;
      const now = this.#clock.now();
      const wait = Math.max(this.#pausedUntil - now, this.#requests?.waitFor(1, now) ?? 0, this.#tokens?.waitFor(tokens, now) ?? 0);
      if (wait <= 0) break;
      await this.#clock.sleep(wait, signal);
    }
    const now = this.#clock.now();
    this.#requests?.take(1, now);
    this.#tokens?.take(tokens, now);
  }

  /** Corrects the token bucket once the server reported what a request used. */
  settle(estimated: number, used: number): void {
    this.#tokens?.adjust(estimated - used, this.#clock.now());
  }

  /** Holds every later request back for `ms` (a 429 with Retry-After applies to the whole account). */
  pause(ms: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, this.#clock.now() + ms);
  }
}
