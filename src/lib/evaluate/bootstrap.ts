/**
 * 95% bootstrap confidence intervals for micro-F1 and each finding's F1: the scored rows are resampled with
 * replacement, `resamples` times, from a seeded PRNG (mulberry32, src/lib/synthetic.ts), and the 2.5th and
 * 97.5th percentiles taken. Same rows in the same order and the same seed give the same numbers, in the page
 * and in the CLI.
 *
 * Each row is kept as three bit masks over the scored findings (true positives, false positives, false
 * negatives). Rows with the same masks are grouped, so a resample costs one random draw per row plus one count
 * per distinct pattern and finding, not 13 counts per row.
 */
import type { Finding } from '../findings.ts';
import { ratio } from '../metrics.ts';
import { seededRandom } from '../synthetic.ts';

export interface BootstrapOptions {
  /** Resamples (default 1000; 0 turns the intervals off). */
  resamples?: number;
  /** PRNG seed (default 1). */
  seed?: number;
}

export interface Interval {
  low: number;
  high: number;
}

export interface BootstrapResult {
  resamples: number;
  seed: number;
  /** 0.95. */
  level: number;
  micro: Interval;
  findings: Partial<Record<Finding, Interval>>;
}

export const DEFAULT_RESAMPLES = 1000;
export const DEFAULT_SEED = 1;

/** Per-row masks, collected while scoring. Bit i is `scored[i]`. */
export class BootstrapSamples {
  readonly #patterns = new Map<string, number>();
  readonly #rows: number[] = [];
  readonly #keys: [number, number, number][] = [];

  add(tp: number, fp: number, fn: number): void {
    const key = `${tp},${fp},${fn}`;
    let id = this.#patterns.get(key);
    if (id === undefined) {
      id = this.#keys.length;
      this.#patterns.set(key, id);
      this.#keys.push([tp, fp, fn]);
    }
    this.#rows.push(id);
  }

  get size(): number {
    return this.#rows.length;
  }

  intervals(scored: readonly Finding[], options: BootstrapOptions = {}): BootstrapResult | undefined {
    const resamples = options.resamples ?? DEFAULT_RESAMPLES;
    const seed = options.seed ?? DEFAULT_SEED;
    const n = this.#rows.length;
    if (resamples <= 0 || n === 0) return undefined;
    const random = seededRandom(seed);
    const rows = Int32Array.from(this.#rows);
    const weights = new Int32Array(this.#keys.length);
    const micro: number[] = [];
    const per: number[][] = scored.map(() => []);
    for (let b = 0; b < resamples; b++) {
      weights.fill(0);
      for (let i = 0; i < n; i++) weights[rows[Math.floor(random() * n)]]++;
      let tpAll = 0;
      let fpAll = 0;
      let fnAll = 0;
      scored.forEach((_, f) => {
        const bit = 1 << f;
        let tp = 0;
        let fp = 0;
        let fn = 0;
        for (let k = 0; k < this.#keys.length; k++) {
          const w = weights[k];
          if (w === 0) continue;
          const [t, p, m] = this.#keys[k];
          if (t & bit) tp += w;
          if (p & bit) fp += w;
          if (m & bit) fn += w;
        }
        per[f].push(f1(tp, fp, fn));
        tpAll += tp;
        fpAll += fp;
        fnAll += fn;
      });
      micro.push(f1(tpAll, fpAll, fnAll));
    }
    return {
      resamples,
      seed,
      level: 0.95,
      micro: percentiles(micro),
      findings: Object.fromEntries(scored.map((finding, f) => [finding, percentiles(per[f])])),
    };
  }
}

function f1(tp: number, fp: number, fn: number): number {
  const p = ratio(tp, tp + fp);
  const r = ratio(tp, tp + fn);
  return ratio(2 * p * r, p + r);
}

/** The 2.5th and 97.5th percentiles (nearest rank). */
function percentiles(values: number[]): Interval {
  const sorted = Float64Array.from(values).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
  return { low: at(0.025), high: at(0.975) };
}
