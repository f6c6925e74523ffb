/**
 * `evaluate`'s join rule and inputs from the command line: by id when both files have one (a sorted gold file
 * against unsorted predictions scores right), a row-order join that warns on stderr and exits 2 with --strict,
 * id transforms, a binary file and a reports CSV refused in one line, the confusion table and seeded
 * intervals, and the metrics / disagreement exports.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from './fixtures/run-cli.ts';

const dir = tempDir('radreportx-evaljoin-');
const write = (name: string, content: string | Buffer) => {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
};
const label = (k: number) => (k % 3 === 0 ? 'Cardiomegaly' : k % 3 === 1 ? 'Normal' : 'Pleural Effusion');
const ids = Array.from({ length: 40 }, (_, i) => i + 1);
const truth = write('truth.csv', ['uid,findings', ...ids.map((k) => `${k},${label(k)}`)].join('\n'));
// Unsorted predictions, right for every report but the last ten.
const predictions = write('pred.csv', ['uid,findings', ...[...ids].reverse().map((k) => `${k},${k > 30 ? 'Edema' : label(k)}`)].join('\n'));

describe('evaluate: join rule', () => {
  it('joins by the id columns both files have, without being told', async () => {
    const r = await runCli(['evaluate', '-p', predictions, '--truth', truth]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Scored 40 rows \(joined on uid;/);
    expect(r.stderr).toBe('');
  });

  it('warns on a row-order join whose ids differ, and exits 2 with --strict', async () => {
    const r = await runCli(['evaluate', '-p', predictions, '--truth', truth, '--join', 'order']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: Rows were joined by row order, but the ids differ on 40 of 40 rows \(first at row 1: "40" in the predictions, "1" in the reference\).*--join uid/);
    const strict = await runCli(['evaluate', '-p', predictions, '--truth', truth, '--join', 'order', '--strict']);
    expect(strict.code).toBe(2);
  });

  it('warns when rows can only be joined by order', async () => {
    const t = write('t-noid.csv', ['findings', 'Cardiomegaly', 'Normal'].join('\n'));
    const p = write('p-noid.csv', ['findings', 'Cardiomegaly', 'Normal'].join('\n'));
    const r = await runCli(['evaluate', '-p', p, '--truth', t]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: Rows were joined by row order: nothing checks/);
  });

  it('matches ids through a transform (CXR00012 ↔ 12)', async () => {
    const prefixed = write('prefixed.csv', ['accession,findings', ...ids.map((k) => `CXR${String(k).padStart(5, '0')},${label(k)}`)].join('\n'));
    const plain = await runCli(['evaluate', '-p', predictions, '--truth', prefixed, '--join', 'uid=accession']);
    expect(plain.stdout).toMatch(/Scored 0 rows/);
    const r = await runCli(['evaluate', '-p', predictions, '--truth', prefixed, '--join', 'uid=accession', '--id-strip-prefix', 'CXR', '--id-pad', '5']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Scored 40 rows/);
  });
});

describe('evaluate: inputs', () => {
  it('refuses a binary file with a one-line reason', async () => {
    const r = await runCli(['evaluate', '-p', write('x.xlsx', Buffer.from([0x50, 0x4b, 3, 4, 0, 0, 1, 2])), '--truth', truth]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')[0]).toMatch(/is not a CSV file: it is a ZIP archive/);
  });

  it('refuses a reports CSV given as predictions without printing its text', async () => {
    const reports = write('reports.csv', 'uid,findings,impression\n1,"The heart is moderately enlarged with a small left effusion.",Cardiomegaly.\n');
    const r = await runCli(['evaluate', '-p', reports, '--truth', truth]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/holds report text in column "findings", not finding labels: it looks like a reports file/);
    expect(r.stderr).not.toContain('enlarged');
  });
});

describe('evaluate: what the results show', () => {
  it('prints the confusion table and seeded intervals, and exports metrics and disagreements', async () => {
    const metrics = join(dir, 'm.csv');
    const dis = join(dir, 'd.csv');
    const json = join(dir, 'm.json');
    const args = ['evaluate', '-p', predictions, '--truth', truth, '--seed', '3', '--bootstrap', '200', '--metrics-csv', metrics, '--disagreements', dis, '--json', json];
    const a = await runCli(args);
    expect(a.code).toBe(0);
    expect(a.stdout).toMatch(/Confusion per finding and 95% bootstrap interval of F1 \(200 resamples, seed 3\)/);
    expect(a.stdout).toMatch(/^Edema\s+0\s+10\s+0\s+30\s+0\.000/m);
    expect(a.stdout).toMatch(/^micro\s+\d+\s+10\s+\d+\s+\d+\s+0\.\d{3}\s+0\.\d{3}–0\.\d{3}$/m);
    const b = await runCli(args);
    expect(b.stdout).toBe(a.stdout); // seeded: the same intervals
    const m = readFileSync(metrics, 'utf8').trimEnd().split('\n');
    expect(m[0]).toBe('finding,tp,fp,fn,tn,support,predicted,precision,recall,f1,f1_ci_low,f1_ci_high');
    expect(m.find((l) => l.startsWith('Edema,'))).toMatch(/^Edema,0,10,0,30,0,10,0,0,0,0,0$/);
    const d = readFileSync(dis, 'utf8').trimEnd().split('\n');
    expect(d).toHaveLength(11);
    expect(d[0]).toBe('key,reference_row,prediction_row,expected,predicted,missed,extra');
    const e = JSON.parse(readFileSync(json, 'utf8'));
    expect(e.ci).toMatchObject({ resamples: 200, seed: 3, level: 0.95 });
    expect(e.joinRule).toMatchObject({ kind: 'id', reference: 'uid' });
  });
});
