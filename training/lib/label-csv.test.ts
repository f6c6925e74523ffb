import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emptyFindings } from '../../src/lib/findings.ts';
import type { LabelResult } from '../../src/lib/result.ts';
import type { LabelRun, RowLabeler } from '../engines.ts';
import { formatSummary, labelCsv } from './label-csv.ts';

const info = { name: 'fake', version: '0' };

/** A labeler that calls everything with "effusion" positive and throws on "boom" (with report text in the error). */
const fake: RowLabeler = {
  info,
  label(text) {
    if (text.includes('boom')) throw new TypeError(`cannot label "${text}"`);
    const findings = emptyFindings();
    if (text.includes('effusion')) findings['Pleural Effusion'] = 'positive';
    return { status: 'ok', findings, normal: findings['Pleural Effusion'] !== 'positive', evidence: [], engine: info } satisfies LabelResult;
  },
};

function run(dir: string, content: string, output: string): LabelRun {
  const input = join(dir, 'in.csv');
  writeFileSync(input, content);
  return {
    engine: 'fake', input, textColumn: 'text', idColumns: ['id'], output, format: output.endsWith('.jsonl') ? 'jsonl' : 'csv',
    task: 'findings', delimiter: ',', encoding: 'utf-8', progress: 'off', quiet: true,
  };
}

describe('labelCsv', () => {
  it('turns an engine failure into an error row, logs no report text and goes on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'radreportx-lc-'));
    const log: string[] = [];
    const out = join(dir, 'out.jsonl');
    const summary = await labelCsv(run(dir, 'id,text\na,small effusion\nb,secret boom text\nc,clear\n', out), fake, (l) => log.push(l));
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.status)).toEqual(['ok', 'error', 'ok']);
    expect(lines[1].message).toMatch(/The fake engine failed on this report/);
    expect(log).toEqual(['warning: row 2: the fake engine failed (TypeError); recorded as an error row.']);
    expect(log.join('\n')).not.toContain('secret');
    expect(summary).toMatchObject({ rows: 3, status: { ok: 2, error: 1, empty: 0 }, normal: 1, duplicates: 0, engine: info });
    expect(formatSummary(summary, out)).toMatch(/^Labeled 3 rows in [\d.]+ s \([\d,]+ rows\/s\): 2 ok, 1 error \(1 Normal\)\. Output: /);
  });

  it('caps row warnings at ten and counts the rest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'radreportx-lc-'));
    const log: string[] = [];
    const bad = Array.from({ length: 14 }, (_, i) => `${i},x,extra\n`).join('');
    const summary = await labelCsv(run(dir, `id,text\n${bad}`, join(dir, 'out.csv')), fake, (l) => log.push(l));
    expect(summary.status.error).toBe(14);
    expect(log).toHaveLength(11);
    expect(log[10]).toBe('warning: ... and 4 more rows with problems (status "error").');
  });
});
