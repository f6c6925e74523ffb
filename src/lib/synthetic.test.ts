import { describe, expect, it } from 'vitest';
import { generateReports, reportStream, seededRandom } from './synthetic.ts';

describe('generateReports', () => {
  it('is deterministic per seed and differs across seeds', () => {
    expect(generateReports(50, 3)).toEqual(generateReports(50, 3));
    expect(generateReports(50, 3)).not.toEqual(generateReports(50, 4));
  });

  it('streams the same reports it returns', () => {
    const stream = reportStream(9);
    expect(Array.from({ length: 20 }, () => stream.next().value)).toEqual(generateReports(20, 9));
  });

  it('writes ~600-character reports with findings and impression sections, some normal, some not', () => {
    const reports = generateReports(500, 1);
    const mean = reports.reduce((s, r) => s + r.length, 0) / reports.length;
    expect(mean).toBeGreaterThan(550);
    expect(mean).toBeLessThan(700);
    for (const r of reports) expect(r).toMatch(/^EXAMINATION: .*\nINDICATION: .*\nCOMPARISON: .*\nFINDINGS: .+\nIMPRESSION: .+$/);
    const normal = reports.filter((r) => /IMPRESSION: (No acute|Normal|No active)/.test(r)).length;
    expect(normal / reports.length).toBeGreaterThan(0.25);
    expect(normal / reports.length).toBeLessThan(0.6);
    expect(new Set(reports).size).toBe(reports.length);
  });

  it('draws uniform-looking numbers in [0, 1)', () => {
    const rng = seededRandom(42);
    const xs = Array.from({ length: 10_000 }, rng);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(xs.reduce((a, b) => a + b) / xs.length).toBeCloseTo(0.5, 1);
  });
});
