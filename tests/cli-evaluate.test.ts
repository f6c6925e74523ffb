/** `radreportx evaluate` against numbers worked out by hand. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FINDINGS, type Finding } from '../src/lib/findings.ts';
import { runCli, tempDir } from './fixtures/run-cli.ts';

/** A prediction row in label's CSV format: study_id, findings, status, 13 coded columns. */
function predRow(id: string, status: string, codes: Partial<Record<Finding, string>>): string {
  const names = FINDINGS.filter((f) => codes[f] === '1');
  const findings = status !== 'ok' ? '' : names.length ? `"${names.join('; ')}"` : 'Normal';
  return [id, findings, status, ...FINDINGS.map((f) => codes[f] ?? '')].join(',');
}

// s1..s6 scored; s5 was not labeled; s7 has no truth row; s8 no prediction.
const PREDICTIONS = [
  ['study_id', 'findings', 'status', ...FINDINGS].join(','),
  predRow('s1', 'ok', { Atelectasis: '1' }),
  predRow('s2', 'ok', { Cardiomegaly: '1', 'Pleural Effusion': '1' }),
  predRow('s3', 'ok', { Pneumothorax: '0' }),
  predRow('s4', 'ok', { Atelectasis: '1' }),
  predRow('s5', 'empty', {}),
  predRow('s6', 'ok', { Edema: '-1' }),
  predRow('s7', 'ok', { Fracture: '1' }),
].join('\n');

// Messy names on purpose: misspelling, plural, lower case, blank, Normal.
const TRUTH_NAMES = [
  'study_id,human_label1',
  's1,"Atelectasis; cardiomegally"',
  's2,Cardiomegaly',
  's3,Normal',
  's4,pleural effusions',
  's5,',
  's6,Edema',
  's8,Pneumonia',
].join('\r\n');

// Hand-computed, uncertain as negative, 5 scored rows (s1 s2 s3 s4 s6):
//  Atelectasis  tp1 (s1) fp1 (s4)        P .5  R 1   F1 2/3  support 1
//  Cardiomegaly tp1 (s2) fn1 (s1)        P 1   R .5  F1 2/3  support 2
//  Effusion     fp1 (s2) fn1 (s4)        P 0   R 0   F1 0    support 1
//  Edema        fn1 (s6; -1 is negative) P 0   R 0   F1 0    support 1
//  micro tp2 fp2 fn3: P .5 R .4 F1 4/9; macro over the 4 with support: P .375 R .375 F1 1/3
//  Normal: truth s3; predicted s3, s6 → P .5 R 1; exact match: s3 only → .2
// Uncertain as positive: Edema tp → P R F1 1; micro tp3 fp2 fn2 → .6; macro P .625 R .625 F1 7/12
function setup() {
  const dir = tempDir();
  const predictions = join(dir, 'pred.csv');
  const truth = join(dir, 'truth.csv');
  writeFileSync(predictions, PREDICTIONS);
  writeFileSync(truth, `\uFEFF${TRUTH_NAMES}\r\n`);
  return { dir, predictions, truth };
}

const finding = (report: { findings: { finding: string }[] }, f: Finding) => report.findings.find((x) => x.finding === f)!;

describe('evaluate', { timeout: 180_000 }, () => {
  it('matches the hand-computed metrics and reports what was not scored or joined', async () => {
    const { dir, predictions, truth } = setup();
    const json = join(dir, 'report.json');
    const r = await runCli(['evaluate', '-p', predictions, '--truth', truth, '--truth-column', 'human_label1', '--join', 'study_id', '--json', json]);
    expect(r.code).toBe(0);
    const e = JSON.parse(readFileSync(json, 'utf8'));
    const rep = e.report;
    expect(rep.rows).toBe(5);
    expect(finding(rep, 'Atelectasis')).toMatchObject({ tp: 1, fp: 1, fn: 0, precision: 0.5, recall: 1, support: 1 });
    expect(finding(rep, 'Cardiomegaly')).toMatchObject({ tp: 1, fp: 0, fn: 1, precision: 1, recall: 0.5, support: 2 });
    expect(finding(rep, 'Pleural Effusion')).toMatchObject({ tp: 0, fp: 1, fn: 1, f1: 0, support: 1 });
    expect(finding(rep, 'Edema')).toMatchObject({ tp: 0, fp: 0, fn: 1, f1: 0, support: 1 });
    expect(finding(rep, 'Fracture')).toMatchObject({ tp: 0, fp: 0, fn: 0, support: 0 }); // s7 was not joined
    expect(rep.micro).toMatchObject({ tp: 2, fp: 2, fn: 3, precision: 0.5, recall: 0.4 });
    expect(rep.micro.f1).toBeCloseTo(4 / 9, 12);
    expect(rep.macro.findings).toEqual(['Atelectasis', 'Cardiomegaly', 'Edema', 'Pleural Effusion']);
    expect(rep.macro.precision).toBeCloseTo(0.375, 12);
    expect(rep.macro.recall).toBeCloseTo(0.375, 12);
    expect(rep.macro.f1).toBeCloseTo(1 / 3, 12);
    expect(rep.normal).toMatchObject({ tp: 1, fp: 1, fn: 0, precision: 0.5, recall: 1 });
    expect(rep.exactMatch).toBeCloseTo(0.2, 12);
    expect(e.notScored).toEqual({ empty: 1 });
    expect(e.unjoined).toMatchObject({ predictions: 1, truth: 1, predictionKeys: ['s7'], truthKeys: ['s8'] });

    // The printed table shows the same numbers.
    expect(r.stdout).toMatch(/Scored 5 rows \(joined on study_id; uncertain counted as negative\)/);
    expect(r.stdout).toMatch(/^Atelectasis\s+0\.500\s+1\.000\s+0\.667\s+1\s+2$/m);
    expect(r.stdout).toMatch(/^Cardiomegaly\s+1\.000\s+0\.500\s+0\.667\s+2\s+1$/m);
    expect(r.stdout).toMatch(/^micro average\s+0\.500\s+0\.400\s+0\.444\s+5\s+4$/m);
    expect(r.stdout).toMatch(/^macro average\s+0\.375\s+0\.375\s+0\.333\s*$/m);
    expect(r.stdout).toMatch(/Macro average over the 4 findings with support > 0; left out \(no reference positives\): Consolidation/);
    expect(r.stdout).toMatch(/Not scored \(not labeled\): 1 empty/);
    expect(r.stdout).toMatch(/Could not join: 1 prediction rows without a truth row \(s7\); 1 truth rows without a prediction \(s8\)/);
  });

  it('counts uncertain labels as present with --uncertain positive', async () => {
    const { dir, predictions, truth } = setup();
    const json = join(dir, 'report.json');
    const r = await runCli(['evaluate', '-p', predictions, '--truth', truth, '--truth-column', 'human_label1', '--join', 'study_id', '--uncertain', 'positive', '--json', json]);
    expect(r.code).toBe(0);
    const rep = JSON.parse(readFileSync(json, 'utf8')).report;
    expect(finding(rep, 'Edema')).toMatchObject({ tp: 1, fn: 0, precision: 1, recall: 1, f1: 1 });
    expect(rep.micro).toMatchObject({ tp: 3, fp: 2, fn: 2, precision: 0.6, recall: 0.6 });
    expect(rep.macro.precision).toBeCloseTo(0.625, 12);
    expect(rep.macro.f1).toBeCloseTo(7 / 12, 12);
    expect(rep.normal).toMatchObject({ tp: 1, fp: 0, fn: 0 });
  });

  it('reads truth as CheXpert-coded columns and scores only the findings it has', async () => {
    const { dir, predictions } = setup();
    const truth = join(dir, 'chexpert.csv');
    writeFileSync(truth, [
      'study_id,Atelectasis,Cardiomegaly,Pleural Effusion,Edema,No Finding',
      's1,1,1.0,,0,', 's2,,1,0,,', 's3,0,0,0,0,1', 's4,,,1,,', 's5,,,,,1', 's6,,,,1,', 's8,1,,,,',
    ].join('\n'));
    const json = join(dir, 'report.json');
    const r = await runCli(['evaluate', '-p', predictions, '--truth', truth, '--join', 'study_id', '--json', json]);
    expect(r.code).toBe(0);
    const e = JSON.parse(readFileSync(json, 'utf8'));
    expect(e.truthFormat).toMatch(/^4 finding columns/);
    expect(e.report.findings.map((f: { finding: string }) => f.finding)).toEqual(['Atelectasis', 'Cardiomegaly', 'Edema', 'Pleural Effusion']);
    expect(e.report.micro).toMatchObject({ tp: 2, fp: 2, fn: 3 });
    expect(r.stdout).toMatch(/Exact match \(all 4 findings right\): 0\.200/);
  });

  it('names unknown finding names in the truth and stops', async () => {
    const { dir, predictions } = setup();
    const truth = join(dir, 'bad.csv');
    writeFileSync(truth, 'study_id,labels\ns1,"Cardiomegaly; Emphysema"\ns2,Hernia\ns3,emphysema\n');
    const r = await runCli(['evaluate', '-p', predictions, '--truth', truth, '--truth-column', 'labels', '--join', 'study_id']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Column "labels" of the truth file');
    expect(r.stderr).toContain('"Emphysema", "Hernia", "emphysema"');
    expect(r.stdout).toBe('');
  });

  it('gives usage errors for a missing join column, a bad option value and missing options', async () => {
    const { predictions, truth } = setup();
    const join1 = await runCli(['evaluate', '-p', predictions, '--truth', truth, '--truth-column', 'human_label1', '--join', 'studyid']);
    expect(join1.code).toBe(2);
    expect(join1.stderr).toContain('The join (truth) column "studyid" is not in the file');
    expect(join1.stderr).toContain('Did you mean "study_id"?');
    const bad = await runCli(['evaluate', '-p', predictions, '--truth', truth, '--uncertain', 'maybe']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--uncertain must be one of negative, positive');
    const missing = await runCli(['evaluate', '--truth', truth]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('Missing required option --predictions');
  });

  it('reads append-only JSONL: the last line for a row wins; a bad status value stops the run', async () => {
    const dir = tempDir();
    const line = (row: number, id: string, status: string, findings: Record<string, string>) => JSON.stringify({ row, ids: { id }, status, findings });
    const predictions = join(dir, 'log.jsonl');
    writeFileSync(predictions, [
      line(1, 'a', 'ok', { Cardiomegaly: 'positive' }),
      line(2, 'b', 'error', {}),
      '',
      line(2, 'b', 'ok', { Edema: 'positive', Cardiomegaly: 'negative' }), // a retry that succeeded
    ].join('\n'));
    const truth = join(dir, 'truth.csv');
    writeFileSync(truth, 'id,labels\na,Cardiomegaly\nb,Edema\n');
    const json = join(dir, 'r.json');
    const r = await runCli(['evaluate', '-p', predictions, '--truth', truth, '--truth-column', 'labels', '--join', 'id', '--json', json]);
    expect(r.code).toBe(0);
    const e = JSON.parse(readFileSync(json, 'utf8'));
    expect(e.predictionFormat).toBe('label JSONL (1 earlier line for the same row ignored)');
    expect(e.report.rows).toBe(2);
    expect(e.report.micro).toMatchObject({ tp: 2, fp: 0, fn: 0 });
    expect(e.notScored).toEqual({});

    writeFileSync(predictions, line(1, 'a', 'ok', { Cardiomegaly: 'yes' }));
    const bad = await runCli(['evaluate', '-p', predictions, '--truth', truth, '--truth-column', 'labels', '--join', 'id']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('Line 1 of');
    expect(bad.stderr).toContain('gives Cardiomegaly the status "yes"');
  });

  it('scores label output end to end, CSV and JSONL alike, joined by id or by row order', async () => {
    const dir = tempDir();
    const input = join(dir, 'reports.csv');
    writeFileSync(input, [
      'id,report', '1,Large right pleural effusion.', '2,No pneumothorax. Lungs clear.', '3,Heart is enlarged.', '4,', '5,Left lower lobe atelectasis.',
    ].join('\n'));
    const truth = join(dir, 'truth.csv');
    writeFileSync(truth, 'id,labels\n1,Pleural Effusion\n2,Normal\n3,Cardiomegaly\n4,Normal\n5,Pneumonia\n');
    const reports: string[] = [];
    for (const out of ['labels.csv', 'labels.jsonl']) {
      const label = await runCli(['label', '-i', input, '-t', 'report', '--id-column', 'id', '-o', join(dir, out), '-q']);
      expect(label.code).toBe(0);
      const json = join(dir, `${out}.report.json`);
      const r = await runCli(['evaluate', '-p', join(dir, out), '--truth', truth, '--truth-column', 'labels', '--join', 'id', '--json', json]);
      expect(r.code).toBe(0);
      reports.push(JSON.stringify(JSON.parse(readFileSync(json, 'utf8')).report));
    }
    expect(reports[0]).toBe(reports[1]);
    const rep = JSON.parse(reports[0]);
    expect(rep.rows).toBe(4); // row 4 is empty: not scored
    expect(rep.micro).toMatchObject({ tp: 2, fp: 1, fn: 1 }); // atelectasis predicted, pneumonia missed

    // Without --join both files' "id" columns are found and used; --join order pairs rows by position, and
    // since the ids agree row by row nothing is warned.
    const auto = await runCli(['evaluate', '-p', join(dir, 'labels.csv'), '--truth', truth, '--truth-column', 'labels']);
    expect(auto.stdout).toMatch(/Scored 4 rows \(joined on id/);
    const byOrder = await runCli(['evaluate', '-p', join(dir, 'labels.csv'), '--truth', truth, '--truth-column', 'labels', '--join', 'order', '--strict']);
    expect(byOrder.code).toBe(0);
    expect(byOrder.stdout).toMatch(/Scored 4 rows \(joined by row order/);
    expect(byOrder.stderr).not.toMatch(/warning/);
    expect(byOrder.stdout).toMatch(/^micro average\s+0\.667\s+0\.667\s+0\.667\s+3\s+3$/m);
  });
});
