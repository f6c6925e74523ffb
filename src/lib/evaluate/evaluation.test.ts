/**
 * The Evaluate view's core against the CLI's `evaluate` on the same files: every count and score must agree,
 * including the awkward rows (duplicates, rows not labeled, rows that do not join, malformed rows, uncertain).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { evaluateFiles } from '../../../training/commands/evaluate.ts';
import type { UncertainPolicy } from '../metrics.ts';
import { CsvLabelReader, Evaluator, guessFormat, type LabelFormat } from './evaluation.ts';

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

function rowsOf(path: string): string[][] {
  const text = readFileSync(path, 'utf8');
  return Papa.parse<string[]>(text, { skipEmptyLines: true }).data;
}

function evaluateLikeTheApp(truthPath: string, predPath: string, truthFormat: LabelFormat, predFormat: LabelFormat, join: [string | undefined, string | undefined], uncertain: UncertainPolicy) {
  const [truthHeader, ...truthRows] = rowsOf(truthPath);
  const [predHeader, ...predRows] = rowsOf(predPath);
  const truth = new CsvLabelReader(truthHeader, truthFormat, join[1], 'reference');
  const pred = new CsvLabelReader(predHeader, predFormat, join[0], 'predictions');
  const evaluator = new Evaluator({ scored: truth.covers.filter((f) => pred.covers.includes(f)), uncertain });
  truthRows.forEach((r, i) => evaluator.addReference(truth.read(r, i + 1)));
  truth.finish(truthRows.length);
  predRows.forEach((r, i) => evaluator.addPrediction(pred.read(r, i + 1)));
  pred.finish(predRows.length);
  return evaluator.finish();
}

describe('Evaluator matches radreportx evaluate', () => {
  it.each(['negative', 'positive'] as const)('on a names-list reference joined by id (uncertain %s)', async (uncertain) => {
    const cli = await evaluateFiles({ predictions, truth: truthNames, truthColumn: 'findings', join: 'uid', uncertain });
    const app = evaluateLikeTheApp(truthNames, predictions, { kind: 'names', column: 'findings' }, { kind: 'codes' }, ['uid', 'uid'], uncertain);
    expect(app.metrics).toEqual(cli.report);
    expect(app.notScored).toEqual(cli.notScored);
    expect(app.unjoined).toEqual({ predictions: cli.unjoined.predictions, truth: cli.unjoined.truth });
    expect(app.duplicates).toEqual(cli.duplicates);
    // The awkward rows did happen, so the comparison covers them.
    expect(app.notScored).toEqual({ error: 1 });
    expect(app.duplicates).toEqual({ predictions: 1, truth: 1 });
    expect(app.unjoined).toEqual({ predictions: 1, truth: 1 });
    expect(app.referenceMalformed).toBe(1);
  });

  it('on partial CheXpert columns with differently named join columns', async () => {
    const cli = await evaluateFiles({ predictions: predCoded, truth: truthCoded, join: 'id=filename', uncertain: 'positive' });
    const app = evaluateLikeTheApp(truthCoded, predCoded, { kind: 'codes' }, { kind: 'codes' }, ['id', 'filename'], 'positive');
    expect(app.metrics).toEqual(cli.report);
    expect(app.scored).toEqual(['Atelectasis', 'Cardiomegaly', 'Edema', 'Pleural Effusion']);
  });

  it('by row order', async () => {
    const cli = await evaluateFiles({ predictions, truth: truthNames, truthColumn: 'findings', uncertain: 'negative' });
    const app = evaluateLikeTheApp(truthNames, predictions, { kind: 'names', column: 'findings' }, { kind: 'codes' }, [undefined, undefined], 'negative');
    expect(app.metrics).toEqual(cli.report);
  });
});

describe('Evaluator', () => {
  it('lists the disagreements with expected and predicted findings', () => {
    const app = evaluateLikeTheApp(truthNames, predictions, { kind: 'names', column: 'findings' }, { kind: 'codes' }, ['uid', 'uid'], 'negative');
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
