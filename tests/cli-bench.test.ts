/** `radreportx bench` on small corpora: the figures are produced and consistent (not their size). */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from './fixtures/run-cli.ts';

describe('bench', { timeout: 180_000 }, () => {
  it('measures the engine on generated reports', async () => {
    const dir = tempDir();
    const json = join(dir, 'bench.json');
    const r = await runCli(['bench', '--rows', '400', '--seed', '3', '--json', json]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Rule engine \(task findings\) on generated reports \(seed 3\): 400 reports/);
    expect(r.stdout).toMatch(/[\d,]+ reports\/s, [\d.]+ MB\/s/);
    const b = JSON.parse(readFileSync(json, 'utf8'));
    expect(b).toMatchObject({ mode: 'engine', reports: 400, status: { ok: 400, empty: 0, error: 0 } });
    expect(b.megabytes).toBeGreaterThan(0.2); // ~600 characters each
    expect(b.reportsPerSecond).toBeCloseTo(b.reports / b.seconds, 6);
    expect(b.reportsPerCpuSecond).toBeCloseTo(b.reports / b.cpuSeconds, 6);
    expect(b.cpuSeconds).toBeGreaterThan(0);
    expect(b.target.met).toBe(b.reportsPerCpuSecond >= 10_000);
    expect(b.peakRssMb).toBeGreaterThan(10);
  });

  it('measures findings + ICD-10 with --task both, which the findings target does not judge', async () => {
    const dir = tempDir();
    const json = join(dir, 'both.json');
    const r = await runCli(['bench', '--rows', '300', '--task', 'both', '--json', json]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Rule engine \(task both\)/);
    expect(r.stdout).toContain('the speed target is for the findings task');
    expect(JSON.parse(readFileSync(json, 'utf8'))).toMatchObject({ task: 'both', reports: 300, status: { ok: 300 }, target: { met: true } });
    expect((await runCli(['bench', '--rows', '10', '--task', 'everything'])).code).toBe(2);
  });

  it('measures the engine on a given CSV', async () => {
    const dir = tempDir();
    const input = join(dir, 'in.csv');
    writeFileSync(input, 'id,findings,impression\n1,Clear lungs.,Normal.\n2,,Small effusion.\n3,"a","b",extra\n4,,\n');
    const r = await runCli(['bench', '-i', input, '-t', 'findings,impression', '--json', join(dir, 'b.json')]);
    expect(r.code).toBe(0);
    const b = JSON.parse(readFileSync(join(dir, 'b.json'), 'utf8'));
    // The malformed row is skipped; the blank one is labeled as empty.
    expect(b).toMatchObject({ reports: 3, status: { ok: 2, empty: 1 } });
  });

  it('runs the real label path on a generated CSV and reports its peak memory', async () => {
    const dir = tempDir();
    const json = join(dir, 'label.json');
    const r = await runCli(['bench', '--label-path', '--rows', '3000', '--json', json]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/label --engine rules on a generated CSV: 3,000 rows/);
    const b = JSON.parse(readFileSync(json, 'utf8'));
    expect(b).toMatchObject({ mode: 'label-path', rows: 3000 });
    expect(b.csvMegabytes).toBeGreaterThan(1.5);
    expect(b.peakRssMb).toBeGreaterThan(10);
    expect(b.target.met).toBe(b.peakRssMb < 300);
    expect(b.rowsPerCpuSecond).toBeGreaterThan(0);
  });
});
