import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateIcd10Rows, type Icd10FileRow } from '../training/commands/evaluate-icd10.ts';
import { runCli, tempDir } from './fixtures/run-cli.ts';

const jsonl = (rows: object[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

// Written for this test. Report a: codes J90 (hit), I51.7 (miss); report b: J18.9 predicted, J18.1 expected
// (same category); report c: a prediction line the labeler could not label; report d: no truth line.
const PREDICTIONS = [
  { ids: { uid: 'a' }, status: 'ok', icd10: [{ phrase: 'pleural effusion', code: 'J90', start: 10, end: 26 }] },
  { ids: { uid: 'b' }, status: 'ok', icd10: [{ phrase: 'pneumonia', code: 'J18.9', start: 5, end: 14 }] },
  { ids: { uid: 'c' }, status: 'empty' },
  { ids: { uid: 'd' }, status: 'ok', icd10: [] },
];
const TRUTH = [
  { uid: 'a', icd10: [{ phrase: 'effusion', code: 'J90', start: 18, end: 26 }, { phrase: 'cardiomegaly', code: 'I51.7' }] },
  { uid: 'b', icd10: [{ phrase: 'lobar pneumonia', code: 'j181', start: 0, end: 14 }] },
  { uid: 'c', icd10: [{ phrase: 'effusion', code: 'J90' }] },
];

function files() {
  const dir = tempDir('radreportx-icd10-');
  const p = join(dir, 'pred.jsonl');
  const t = join(dir, 'truth.jsonl');
  writeFileSync(p, jsonl(PREDICTIONS));
  writeFileSync(t, jsonl(TRUTH));
  return { dir, p, t };
}

describe('radreportx evaluate --task icd10 (real CLI)', () => {
  it('prints the metrics table and writes JSON', async () => {
    const { dir, p, t } = files();
    const out = join(dir, 'm.json');
    const r = await runCli(['evaluate', '--task', 'icd10', '-p', p, '--truth', t, '--join', 'uid', '--json', out]);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    // Scored: a and b. Codes: tp 1 (J90), fp 1 (J18.9), fn 2 (I51.7, J18.1) → P 0.5, R 0.333, F1 0.4.
    expect(r.stdout).toMatch(/^code\s+1\s+1\s+2\s+0\.500\s+0\.333\s+0\.400$/m);
    // Categories: J90 hit, J18 hit, I51 missed → tp 2, fp 0, fn 1.
    expect(r.stdout).toMatch(/^category\s+2\s+0\s+1\s+1\.000\s+0\.667\s+0\.800$/m);
    // Phrases: J90 spans overlap (tp); pneumonia J18.9 vs J18.1 (fp, fn); cardiomegaly (fn).
    expect(r.stdout).toMatch(/^phrase\s+1\s+1\s+2\s+/m);
    expect(r.stdout).toContain('Not scored (not labeled): 1 empty.');
    expect(r.stdout).toContain('1 prediction lines without a truth line; 0 truth lines');
    expect(existsSync(out)).toBe(true);
    const json = JSON.parse(readFileSync(out, 'utf8'));
    expect(json.metrics.code).toMatchObject({ tp: 1, fp: 1, fn: 2 });
    expect(json.metrics.reports).toBe(2);
  });

  it('--help shows the ICD-10 evaluator help', async () => {
    const r = await runCli(['evaluate', '--task', 'icd10', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--task icd10 --predictions p.jsonl');
  });

  it('bad usage exits 2 naming the problem', async () => {
    const { p, t } = files();
    const missing = await runCli(['evaluate', '--task', 'icd10', '-p', p]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--truth');
    const noJoin = await runCli(['evaluate', '--task', 'icd10', '-p', p, '--truth', t, '--join', 'study']);
    expect(noJoin.code).toBe(2);
    expect(noJoin.stderr).toMatch(/Line 1 of ".*pred\.jsonl" has no "study" id/);
  });

  it('a line that is not JSON is named by file and line', async () => {
    const { p, t } = files();
    writeFileSync(t, `${JSON.stringify(TRUTH[0])}\n{oops\n`);
    const r = await runCli(['evaluate', '--task', 'icd10', '-p', p, '--truth', t, '--join', 'uid']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Line 2 of ".*truth\.jsonl" is not valid JSON/);
  });
});

describe('evaluateIcd10Rows', () => {
  it('keeps the first of duplicated ids and counts the rest', () => {
    const pred: Icd10FileRow[] = [
      { key: '1', line: 1, items: [{ code: 'J90' }] },
      { key: '1', line: 2, items: [{ code: 'I51.7' }] },
    ];
    const truth: Icd10FileRow[] = [{ key: '1', line: 1, items: [{ code: 'J90' }] }];
    const e = evaluateIcd10Rows(pred, truth, 'id');
    expect(e.duplicates).toEqual({ predictions: 1, truth: 0 });
    expect(e.metrics.code).toMatchObject({ tp: 1, fp: 0, fn: 0, f1: 1 });
  });
});
