/**
 * A deterministic train/validation split, stratified so every finding keeps about the same share in both parts.
 * Reports carry several findings at once, so each report is placed in the stratum of its rarest positive finding
 * (Normal when it has none): rare findings are the ones a random split would starve the validation set of.
 */
import { FINDINGS, NORMAL, type Finding } from '../../../src/lib/findings.ts';
import type { LabelResult } from '../../../src/lib/result.ts';
import { seededRandom as coreSeededRandom } from '../../../src/lib/synthetic.ts';

/**
 * The core's seeded generator (mulberry32), for a seed that may be text (hashed with FNV-1a): the split must be
 * identical on every machine for a given seed.
 */
export function seededRandom(seed: string | number): () => number {
  let h = 2166136261;
  for (const c of String(seed)) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  return coreSeededRandom(h >>> 0);
}

export function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/** The stratum of each result: its rarest positive finding by count over all results, or Normal. */
export function strata(results: readonly LabelResult[]): string[] {
  const count = new Map<Finding, number>(FINDINGS.map((f) => [f, 0]));
  for (const r of results) for (const f of FINDINGS) if (r.findings[f] === 'positive') count.set(f, count.get(f)! + 1);
  return results.map((r) => {
    let best: Finding | undefined;
    for (const f of FINDINGS) {
      if (r.findings[f] !== 'positive') continue;
      if (best === undefined || count.get(f)! < count.get(best)!) best = f;
    }
    return best ?? NORMAL;
  });
}

/**
 * Indices of the validation items. The total is round(n × fraction) (at least 1 when fraction > 0 and n ≥ 2);
 * it is shared out over the strata by largest remainder, then each stratum's items are drawn at random.
 */
export function stratifiedSplit(keys: readonly string[], fraction: number, seed: string | number): Set<number> {
  const n = keys.length;
  const validation = new Set<number>();
  if (fraction <= 0 || n < 2) return validation;
  const total = Math.min(n - 1, Math.max(1, Math.round(n * fraction)));
  const groups = new Map<string, number[]>();
  keys.forEach((k, i) => {
    const g = groups.get(k);
    if (g) g.push(i);
    else groups.set(k, [i]);
  });
  // Sorted names so the allocation does not depend on the input order of the strata.
  const names = [...groups.keys()].sort();
  const quota = names.map((name) => {
    const exact = (groups.get(name)!.length * total) / n;
    return { name, take: Math.floor(exact), remainder: exact - Math.floor(exact) };
  });
  let left = total - quota.reduce((s, q) => s + q.take, 0);
  for (const q of [...quota].sort((a, b) => b.remainder - a.remainder || a.name.localeCompare(b.name))) {
    if (left <= 0) break;
    q.take++;
    left--;
  }
  const random = seededRandom(seed);
  for (const q of quota) {
    const members = shuffle([...groups.get(q.name)!], random);
    for (const i of members.slice(0, q.take)) validation.add(i);
  }
  return validation;
}
