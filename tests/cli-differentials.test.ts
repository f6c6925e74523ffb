// `label --differentials`: the one option that decides how the diagnoses of a differential count, named in the
// --help of label and evaluate; bad values are usage errors (exit 2).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { csvRecords, runCli, tempDir } from './fixtures/run-cli.ts';

describe('label --differentials', () => {
  const dir = tempDir();
  const input = join(dir, 'reports.csv');
  writeFileSync(input, 'id,text\n1,Left basilar atelectasis or scarring. No effusion.\n2,Atelectasis versus pneumonia at the right base.\n');

  it('labels differentials uncertain by default and positive when asked', async () => {
    const byDefault = join(dir, 'default.csv');
    const positive = join(dir, 'positive.csv');
    expect((await runCli(['label', '-i', input, '-t', 'text', '--id-column', 'id', '-o', byDefault, '-q'])).code).toBe(0);
    expect((await runCli(['label', '-i', input, '-t', 'text', '--id-column', 'id', '-o', positive, '-q', '--differentials', 'positive'])).code).toBe(0);
    const a = csvRecords(readFileSync(byDefault, 'utf8'));
    const b = csvRecords(readFileSync(positive, 'utf8'));
    expect(a.map((r) => [r.Atelectasis, r.Pneumonia])).toEqual([['-1', ''], ['-1', '-1']]);
    expect(b.map((r) => r.findings)).toEqual(['Atelectasis; Lung Opacity', 'Atelectasis; Pneumonia']);
    expect(b[0]['Pleural Effusion']).toBe('0');
  });

  it('rejects an unknown value as bad usage and names the option in both --help texts', async () => {
    const bad = await runCli(['label', '-i', input, '-t', 'text', '-o', join(dir, 'x.csv'), '--differentials', 'maybe']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/differentials/);
    expect((await runCli(['label', '--help'])).stdout).toMatch(/--differentials HOW\s+uncertain \(default\) \| positive/);
    expect((await runCli(['evaluate', '--help'])).stdout).toMatch(/--differentials positive/);
  });
});
