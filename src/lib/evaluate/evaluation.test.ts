/**
 * The one evaluator: the page worker's route (Blob slices → core reader → core evaluator) against the CLI's
 * `evaluate` on the same files — every count, score and interval must agree, awkward rows included — plus the
 * join rule, id transforms, input checks, bootstrap intervals and exports.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateFiles } from '../../../training/commands/evaluate.ts';
import { blobChunks, dataRows, inspectHead } from '../csv/reader.ts';
import type { UncertainPolicy } from '../metrics.ts';
import { CsvLabelReader, csvSide, evaluateSides, guessFormat, orderWarning, type LabelFormat } from './evaluation.ts';
import { disagreementsCsv, metricsCsv } from './export.ts';
import { chooseJoin, parseJoin, transformId, type IdTransform, type JoinRequest } from './join.ts';

const dir = mkdtempSync(join(tmpdir(), 'rrx-eval-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

const truthNames = file(
  'truth-names.csv',
  [
    'uid,findings',
    '1,Cardiomegaly; Pleural Effusion',
    '2,Normal',
    '3,Edema',
    '4,',
    '5,pneumothorax',
    '5,Atelectasis', // duplicate: the first is kept
    '6,"Support Devices, Fracture"',
    '7,Lung Opacity',
    '8,Cardiomegaly,extra', // malformed: three fields
  ].join('\n'),
);

const predictions = file(
  'pred.csv',
  [
    'uid,findings,status,Atelectasis,Cardiomegaly,Consolidation,Edema,Enlarged Cardiomediastinum,Fracture,Lung Lesion,Lung Opacity,Pleural Effusion,Pleural Other,Pneumonia,Pneumothorax,Support Devices',
    '1,Cardiomegaly,ok,,1,,,,,,,0,,,,',
    '2,Normal,ok,,,,,,,,,,,,0,',
    '3,,error,,,,,,,,,,,,,',
    '4,Edema,ok,,,,-1,,,,,,,,,',
    '5,Pneumothorax,ok,,,,,,,,,,,,1,',
    '5,Normal,ok,,,,,,,,,,,,,', // duplicate prediction: each is scored
    '6,Support Devices,ok,,,,,,,,,,,,,1',
    '9,Edema,ok,,,,1,,,,,,,,,', // joins nothing
  ].join('\n'),
);

const truthCoded = file(
  'truth-coded.csv',
  ['filename,Atelectasis,Cardiomegaly,Effusion,Edema,Mass,normal', 'a,0,1,1,0,0,0', 'b,0,0,0,0,1,0', 'c,1,0,0,-1,0,0', 'd,0,0,0,0,0,1'].join('\n'),
);
const predCoded = file(
  'pred-coded.csv',
  [
    'id,Atelectasis,Cardiomegaly,Pleural Effusion,Edema,Pneumonia',
    'a,0,1,,1,',
    'b,,,,,1',
    'c,1,,,-1,',
    'd,,,,,',
  ].join('\n'),
);

async function* rowsOf(path: string) {
  const bytes = new Uint8Array(readFileSync(path));
  const { settings } = inspectHead(bytes, bytes.length, { header: true });
  yield* dataRows(blobChunks(new Blob([bytes])), settings);
}

function headerOf(path: string): string[] {
  const bytes = new Uint8Array(readFileSync(path));
  return inspectHead(bytes, bytes.length, { header: true }).header;
}

/** The page worker's route: Blob slices through the core reader into the core evaluator. */
async function evaluateLikeTheApp(truthPath: string, predPath: string, truthFormat: LabelFormat | undefined, predFormat: LabelFormat | undefined, join: JoinRequest, uncertain: UncertainPolicy, transform?: IdTransform) {
  const rule = chooseJoin(join, headerOf(truthPath), headerOf(predPath));
  const truth = csvSide(headerOf(truthPath), rowsOf(truthPath), truthFormat, rule.kind === 'id' ? rule.reference : rule.referenceId, 'reference');
  const pred = csvSide(headerOf(predPath), rowsOf(predPath), predFormat, rule.kind === 'id' ? rule.predictions : rule.predictionsId, 'predictions');
  return evaluateSides(truth, pred, { uncertain, join: rule, transform });
}

describe('the page route matches radreportx evaluate', () => {
  it.each(['negative', 'positive'] as const)('on a names-list reference joined by id (uncertain %s)', async (uncertain) => {
    const cli = await evaluateFiles({ predictions, truth: truthNames, truthColumn: 'findings', join: 'uid', uncertain });
    const app = await evaluateLikeTheApp(truthNames, predictions, { kind: 'names', column: 'findings' }, undefined, { reference: 'uid', predictions: 'uid' }, uncertain);
    expect(app.metrics).toEqual(cli.report);
    expect(app.ci).toEqual(cli.ci);
    expect(app.notScored).toEqual(cli.notScored);
    expect(app.unjoined).toEqual(cli.unjoined);
    expect(app.duplicates).toEqual(cli.duplicates);
    // The awkward rows did happen, so the comparison covers them.
    expect(app.notScored).toEqual({ error: 1 });
    expect(app.duplicates).toEqual({ predictions: 1, truth: 1 });
    expect(app.unjoined).toMatchObject({ predictions: 1, truth: 1 });
    expect(app.referenceMalformed).toBe(1);
  });

  it('on partial CheXpert columns with differently named join columns', async () => {
    const cli = await evaluateFiles({ predictions: predCoded, truth: truthCoded, join: 'id=filename', uncertain: 'positive' });
    const app = await evaluateLikeTheApp(truthCoded, predCoded, undefined, undefined, { reference: 'filename', predictions: 'id' }, 'positive');
    expect(app.metrics).toEqual(cli.report);
    expect(app.scored).toEqual(['Atelectasis', 'Cardiomegaly', 'Edema', 'Pleural Effusion']);
  });

  it('by row order, asked for', async () => {
    const cli = await evaluateFiles({ predictions, truth: truthNames, truthColumn: 'findings', join: 'order', uncertain: 'negative' });
    const app = await evaluateLikeTheApp(truthNames, predictions, { kind: 'names', column: 'findings' }, undefined, 'order', 'negative');
    expect(app.metrics).toEqual(cli.report);
    expect(app.orderCheck).toEqual(cli.orderCheck);
    expect(app.orderCheck?.mismatches).toBeGreaterThan(0);
  });
});

describe('the join rule', () => {
  const sorted = file('sorted.csv', ['uid,findings', ...Array.from({ length: 30 }, (_, i) => `${i + 1},${i % 3 ? 'Normal' : 'Cardiomegaly'}`)].join('\n'));
  const shuffled = file(
    'shuffled.csv',
    ['uid,findings', ...Array.from({ length: 30 }, (_, i) => 30 - i).map((k) => `${k},${(k - 1) % 3 ? 'Normal' : 'Cardiomegaly'}`)].join('\n'),
  );
  const prefixed = file('prefixed.csv', ['accession,findings', ...Array.from({ length: 30 }, (_, i) => `CXR${String(i + 1).padStart(5, '0')},${i % 3 ? 'Normal' : 'Cardiomegaly'}`)].join('\n'));

  it('joins by id when both files have an id-like column, so a shuffled file scores right', async () => {
    const r = await evaluateLikeTheApp(sorted, shuffled, undefined, undefined, 'auto', 'negative');
    expect(r.joinRule).toEqual({ kind: 'id', reference: 'uid', predictions: 'uid', guessed: true });
    expect(r.metrics.micro.f1).toBe(1);
  });

  it('never joins by row order silently: ids that differ row by row are counted and warned about', async () => {
    const r = await evaluateLikeTheApp(sorted, shuffled, undefined, undefined, 'order', 'negative');
    expect(r.orderCheck).toMatchObject({ compared: 30, mismatches: 30, first: { row: 1, reference: '1', predictions: '30' } });
    expect(orderWarning(r)).toMatch(/ids differ on 30 of 30 rows .*--join uid/);
    expect(r.metrics.micro.f1).toBeLessThan(1);
  });

  it('matches ids through a transform: CXR00012 ↔ 12', async () => {
    const plain = await evaluateLikeTheApp(prefixed, sorted, undefined, undefined, { reference: 'accession', predictions: 'uid' }, 'negative');
    expect(plain.metrics.rows).toBe(0);
    const t = await evaluateLikeTheApp(prefixed, sorted, undefined, undefined, { reference: 'accession', predictions: 'uid' }, 'negative', { stripPrefix: 'CXR', padTo: 5 });
    expect(t.metrics.rows).toBe(30);
    expect(t.metrics.micro.f1).toBe(1);
    expect(transformId('CXR123', { stripPrefix: 'cxr' })).toBe('123');
    expect(transformId('123', { padTo: 6 })).toBe('000123');
    expect(transformId('00123.txt', { stripSuffix: '.txt', padTo: 4 })).toBe('0123');
    expect(parseJoin('id=filename')).toEqual({ predictions: 'id', reference: 'filename' });
  });
});

describe('checking inputs', () => {
  it('refuses a reports file given as predictions in one line, without its text', async () => {
    const reports = file('reports.csv', 'uid,findings,impression\n1,"The heart is enlarged and there is a small effusion at the left base.",Cardiomegaly.\n');
    const err = await evaluateLikeTheApp(truthNames, reports, { kind: 'names', column: 'findings' }, undefined, 'auto', 'negative').catch((e) => e);
    expect(err).toMatchObject({ name: 'NotCsv', message: expect.stringContaining('looks like a reports file') });
    expect(`${err.message} ${err.hint}`).not.toContain('enlarged');
    const noLabels = file('notes.csv', 'id,report\n1,Heart is normal.\n');
    await expect(evaluateLikeTheApp(truthNames, noLabels, { kind: 'names', column: 'findings' }, undefined, 'auto', 'negative')).rejects.toMatchObject({ message: expect.stringContaining('column "report"') });
  });
});

describe('bootstrap intervals', () => {
  it('are seeded: the same seed gives the same intervals, another seed others, and they bracket the F1', async () => {
    const big = file('big-truth.csv', ['id,findings', ...Array.from({ length: 400 }, (_, i) => `${i},${i % 4 ? 'Edema' : 'Normal'}`)].join('\n'));
    const pred = file('big-pred.csv', ['id,findings', ...Array.from({ length: 400 }, (_, i) => `${i},${i % 5 ? 'Edema' : 'Normal'}`)].join('\n'));
    const rule = chooseJoin('auto', ['id'], ['id']);
    const run = (seed: number) =>
      evaluateSides(csvSide(['id', 'findings'], rowsOf(big), undefined, 'id', 'reference'), csvSide(['id', 'findings'], rowsOf(pred), undefined, 'id', 'predictions'), { uncertain: 'negative', join: rule, bootstrap: { seed, resamples: 300 } });
    const [a, b, c] = [await run(7), await run(7), await run(8)];
    expect(a.ci).toEqual(b.ci);
    expect(a.ci).not.toEqual(c.ci);
    const edema = a.metrics.findings.find((f) => f.finding === 'Edema')!;
    expect(a.ci!.findings.Edema!.low).toBeLessThan(edema.f1);
    expect(a.ci!.findings.Edema!.high).toBeGreaterThan(edema.f1);
    expect(a.ci!.micro.low).toBeLessThanOrEqual(a.metrics.micro.f1);
  });
});

describe('exports', () => {
  it('writes the metrics with confusion counts and intervals, and the disagreements, as CSV', async () => {
    const r = await evaluateLikeTheApp(truthNames, predictions, { kind: 'names', column: 'findings' }, undefined, { reference: 'uid', predictions: 'uid' }, 'negative');
    const metrics = metricsCsv(r).trimEnd().split('\n');
    expect(metrics[0]).toBe('finding,tp,fp,fn,tn,support,predicted,precision,recall,f1,f1_ci_low,f1_ci_high');
    expect(metrics.find((l) => l.startsWith('Cardiomegaly,'))).toMatch(/^Cardiomegaly,1,0,0,\d+,1,1,1,1,1,/);
    expect(metrics.at(-3)).toMatch(/^micro,/);
    const dis = disagreementsCsv(r).trimEnd().split('\n');
    expect(dis[0]).toBe('key,reference_row,prediction_row,expected,predicted,missed,extra');
    expect(dis[1]).toBe('1,1,1,Cardiomegaly; Pleural Effusion,Cardiomegaly,Pleural Effusion,');
  });
});

describe('Evaluator', () => {
  it('lists the disagreements with expected and predicted findings', async () => {
    const app = await evaluateLikeTheApp(truthNames, predictions, { kind: 'names', column: 'findings' }, undefined, { reference: 'uid', predictions: 'uid' }, 'negative');
    expect(app.disagreements.map((d) => [d.key, d.expected, d.predicted])).toEqual([
      ['1', ['Cardiomegaly', 'Pleural Effusion'], ['Cardiomegaly']],
      ['5', ['Pneumothorax'], []], // the second prediction for id 5
      ['6', ['Fracture', 'Support Devices'], ['Support Devices']],
    ]);
    expect(app.disagreementCount).toBe(app.disagreements.length);
  });

  it('refuses unknown finding names, naming them', () => {
    const header = ['id', 'findings'];
    const reader = new CsvLabelReader(header, { kind: 'names', column: 'findings' }, 'id', 'reference');
    reader.read(['1', 'Cardiomegaly; Bananas'], 1);
    expect(() => reader.finish(1)).toThrow(/"Bananas"/);
  });

  it('guesses the format the CLI uses by default', () => {
    expect(guessFormat(['uid', 'findings'])).toEqual({ kind: 'names', column: 'findings' });
    expect(guessFormat(['filename', 'Cardiomegaly', 'Effusion'])).toEqual({ kind: 'codes' });
    expect(guessFormat(['uid', 'labels'])).toBeUndefined();
  });
});
