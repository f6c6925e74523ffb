import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { FINDINGS, emptyFindings, type Finding, type FindingStatus } from '../src/lib/findings.ts';
import { buildRequests, PROMPT_VERSION, releasePrompt, requestMessages } from '../src/lib/prompts/profiles.ts';
import { formatAnswers } from '../src/lib/prompts/target.ts';
import { isNormal, type Evidence, type LabelResult } from '../src/lib/result.ts';
import { csvLine } from '../src/lib/csv/write.ts';
import { runDataset } from '../training/commands/dataset.ts';
import { runCli } from '../training/lib/runner.ts';
import { dataset as datasetCommand } from '../training/commands/dataset.ts';
import { parseIcd10Cell } from '../training/pipeline/dataset/labels.ts';
import { seededRandom, stratifiedSplit } from '../training/pipeline/dataset/split.ts';
import { percentiles } from '../training/pipeline/dataset/stats.ts';
import type { RunContext } from '../training/pipeline/tool.ts';

const IU = join(import.meta.dirname, '..', '..', 'shared', 'data', 'iu-xray');

function ctx(cwd: string): RunContext & { output: { out: string; err: string } } {
  const output = { out: '', err: '' };
  return { env: process.env, cwd, err: (s) => void (output.err += s), out: (s) => void (output.out += s), tty: false, output };
}

/** A LabelResult like an engine's: the listed findings with evidence located in the text. */
function labelFor(text: string, statuses: Partial<Record<Finding, [FindingStatus, string]>>, icd10?: [string, string][]): LabelResult {
  const findings = emptyFindings();
  const evidence: Evidence[] = [];
  for (const [f, [status, quote]] of Object.entries(statuses) as [Finding, [FindingStatus, string]][]) {
    findings[f] = status;
    const start = text.indexOf(quote);
    if (start < 0) throw new Error(`test setup: "${quote}" not in text`);
    if (status !== 'absent') evidence.push({ finding: f, status, mention: { start, end: start + quote.length, text: quote } });
  }
  const r: LabelResult = { status: 'ok', findings, normal: isNormal(findings), evidence, engine: { name: 'rules', version: 'test' } };
  if (icd10) r.icd10 = icd10.map(([phrase, code]) => ({ phrase, code, title: null, start: null, end: null, flags: [] }));
  return r;
}

const failed = (status: 'error' | 'empty' | 'unparsed'): LabelResult => ({ status, findings: emptyFindings(), normal: false, evidence: [], engine: { name: 'gpt-4o', version: '' }, message: 'x' });

// Synthetic reports written for these tests (no real report text in the repository).
const REPORTS: [string, string][] = [
  ['r1', 'Heart size is enlarged. No pleural effusion.'],
  ['r2', 'Lungs are clear. No pneumothorax.'],
  ['r3', 'Small left pleural effusion. Possible pneumonia in the left base.'],
  ['r4', 'Endotracheal tube in place. Lungs clear.'],
  ['r5', 'Lungs  are clear.\n No pneumothorax.'], // r2 with other whitespace: a duplicate
  ['r6', '   '], // blank
  ['r7', 'Mild cardiomegaly. Retrocardiac atelectasis.'], // label failed
  ['r8', 'Stable chest. No acute disease.'], // label unparsed
  ['r9', 'No acute cardiopulmonary process.'], // no label at all
  ['r10', 'Right lower lobe consolidation.'], // label made from other text
];

async function fixture(): Promise<{ dir: string; reports: string; labels: string; byId: Map<string, LabelResult> }> {
  const dir = await mkdtemp(join(tmpdir(), 'rrx-ds-'));
  const reports = join(dir, 'reports.csv');
  await writeFile(reports, csvLine(['id', 'note']) + REPORTS.map(([id, t]) => csvLine([id, t])).join(''));
  const text = new Map(REPORTS);
  const byId = new Map<string, LabelResult>([
    ['r1', labelFor(text.get('r1')!, { Cardiomegaly: ['positive', 'Heart size is enlarged'], 'Pleural Effusion': ['negative', 'pleural effusion'] }, [['Heart size is enlarged', 'I51.7']])],
    ['r2', labelFor(text.get('r2')!, { Pneumothorax: ['negative', 'pneumothorax'] }, [])],
    ['r3', labelFor(text.get('r3')!, { 'Pleural Effusion': ['positive', 'Small left pleural effusion'], Pneumonia: ['uncertain', 'pneumonia'] }, [['pleural effusion', 'J90']])],
    ['r4', labelFor(text.get('r4')!, { 'Support Devices': ['positive', 'Endotracheal tube'] }, [])],
    ['r5', labelFor(text.get('r5')!, {}, [])],
    ['r6', labelFor('x', {}, [])],
    ['r7', failed('error')],
    ['r8', failed('unparsed')],
    ['r10', { ...labelFor('Left consolidation.', { Consolidation: ['positive', 'Left consolidation'] }, []) }],
  ]);
  const labels = join(dir, 'labels.jsonl');
  // The two JSONL shapes: weak-label's {id, status, result} and label --format jsonl's {row, ids, ...result}.
  const lines = [...byId].map(([id, r], i) => (i % 2 === 0 ? { id, status: r.status, result: r } : { row: i + 1, ids: { id }, ...r }));
  await writeFile(labels, `${lines.map((l) => JSON.stringify(l)).join('\n')}\nnot json\n`);
  return { dir, reports, labels, byId };
}

async function readJsonl(path: string): Promise<{ id: string; messages: { role: string; content: string }[] }[]> {
  return (await readFile(path, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

describe('dataset', () => {
  it('builds examples with exactly the app prompts and answers (json profile)', async () => {
    const f = await fixture();
    const c = ctx(f.dir);
    expect(await runDataset(['--reports', f.reports, '-t', 'note', '--id-column', 'id', '--labels', f.labels, '--out', 'data', '--val', '0.25'], c)).toBe(0);
    const all = [...(await readJsonl(join(f.dir, 'data', 'train.jsonl'))), ...(await readJsonl(join(f.dir, 'data', 'validation.jsonl')))];
    expect(all.map((e) => e.id).sort()).toEqual(['r1', 'r2', 'r3', 'r4']);
    const text = new Map(REPORTS);
    for (const e of all) {
      const requests = buildRequests('json', 'findings', text.get(e.id)!);
      expect(e.messages.slice(0, -1)).toEqual(requestMessages(requests[0]));
      expect(e.messages.at(-1)).toEqual({ role: 'assistant', content: formatAnswers(requests, f.byId.get(e.id)!, text.get(e.id)!)[0] });
    }
    const r3 = all.find((e) => e.id === 'r3')!;
    expect(JSON.parse(r3.messages.at(-1)!.content)).toEqual({
      positive: [{ name: 'Pleural Effusion', evidence: 'Small left pleural effusion' }],
      uncertain: [{ name: 'Pneumonia', evidence: 'pneumonia' }],
      negative: [],
    });
  });

  it('drops and counts failed labels, blank, duplicate, unlabeled and mismatched reports', async () => {
    const f = await fixture();
    const c = ctx(f.dir);
    await runDataset(['--reports', f.reports, '-t', 'note', '--id-column', 'id', '--labels', f.labels, '--out', 'data', '--json'], c);
    const manifest = JSON.parse(await readFile(join(f.dir, 'data', 'dataset.json'), 'utf8'));
    expect(manifest.stats.dropped).toEqual({ duplicate_report: 1, report_blank: 1, label_error: 1, label_unparsed: 1, no_label: 1, text_mismatch: 1 });
    expect(manifest.stats.labels).toEqual({ read: 10, invalid: 1, duplicateIds: 0, withoutReport: 0 });
    expect(manifest.stats.reports).toMatchObject({ read: 10, kept: 4 });
    expect(manifest.promptProfile).toBe('json');
    expect(manifest.promptVersion).toBe(PROMPT_VERSION.json);
    expect(JSON.parse(c.output.out).dropped.duplicate_report).toBe(1);
    const dropped = await readFile(join(f.dir, 'data', 'dropped.csv'), 'utf8');
    expect(dropped.split('\n')).toEqual(expect.arrayContaining(['r5,duplicate_report', 'r6,report_blank', 'r7,label_error', 'r8,label_unparsed', 'r9,no_label', 'r10,text_mismatch']));
    expect(c.output.err).toMatch(/1 label line\(s\) could not be read.*line 10: not valid JSON/);
    expect(c.output.err).toMatch(/labeled with another --text-column/);
    // Report text never reaches the log.
    expect(c.output.err).not.toMatch(/enlarged|pneumothorax/i);
  });

  it('writes two examples per report for the release profile with --task both, kept in the same split', async () => {
    const f = await fixture();
    const c = ctx(f.dir);
    await runDataset(['--reports', f.reports, '-t', 'note', '--id-column', 'id', '--labels', f.labels, '--out', 'data', '--task', 'both', '--prompt-profile', 'release', '--val', '0.5'], c);
    const train = await readJsonl(join(f.dir, 'data', 'train.jsonl'));
    const val = await readJsonl(join(f.dir, 'data', 'validation.jsonl'));
    expect(train.length + val.length).toBe(8);
    expect(val.length).toBe(4);
    for (const id of new Set(train.map((e) => e.id))) expect(val.some((e) => e.id === id)).toBe(false);
    const r1 = [...train, ...val].filter((e) => e.id === 'r1');
    expect(r1.map((e) => e.messages.map((m) => m.role))).toEqual([['user', 'assistant'], ['user', 'assistant']]);
    expect(r1[0].messages[0].content).toBe(requestMessages(buildRequests('release', 'both', REPORTS[0][1])[0])[0].content);
    expect(r1[0].messages[1].content).toBe('[Cardiomegaly]');
    expect(r1[1].messages[1].content).toBe("['Heart size is enlarged']\nThe reason is: 'Heart size is enlarged' (I51.7)");
  });

  it('writes the paper\'s Alpaca records with --format alpaca --prompt-profile release: the authors\' prompts, a 2:1 ICD-10:findings mix', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rrx-alpaca-'));
    const rows = [csvLine(['id', 'note'])];
    const labels: string[] = [];
    const texts = new Map<string, string>();
    for (let i = 0; i < 200; i++) {
      const text = i % 4 === 0 ? `Case ${i}. Heart size is enlarged.` : `Case ${i}. Lungs are clear.`;
      texts.set(`a${i}`, text);
      rows.push(csvLine([`a${i}`, text]));
      const r = labelFor(text, i % 4 === 0 ? { Cardiomegaly: ['positive', 'Heart size is enlarged'] } : {}, i % 4 === 0 ? [['Heart size is enlarged', 'I51.7']] : []);
      labels.push(JSON.stringify({ id: `a${i}`, status: 'ok', result: r }));
    }
    await writeFile(join(dir, 'reports.csv'), rows.join(''));
    await writeFile(join(dir, 'labels.jsonl'), `${labels.join('\n')}\n`);
    const c = ctx(dir);
    expect(await runDataset(['--reports', 'reports.csv', '-t', 'note', '--id-column', 'id', '--labels', 'labels.jsonl', '--out', 'paper', '--format', 'alpaca', '--prompt-profile', 'release', '--task', 'both'], c)).toBe(0);
    const all = [...(await readJsonl(join(dir, 'paper', 'train.jsonl'))), ...(await readJsonl(join(dir, 'paper', 'validation.jsonl')))] as unknown as { id: string; task: string; instruction: string; input: string; output: string }[];
    // The authors' strings (../shared/reference; the release profile's data module is tested byte for byte against them).
    const referencePath = join(import.meta.dirname, '..', '..', 'shared', 'reference', 'radreportx-release-prompts.json');
    const reference = existsSync(referencePath) ? JSON.parse(await readFile(referencePath, 'utf8')) : undefined;
    const icd = all.filter((e) => e.task === 'icd10');
    const findings = all.filter((e) => e.task === 'findings');
    expect(icd.length).toBe(200);
    // The paper: 9,000 ICD-10 and 4,500 findings examples; here a seeded half of the reports.
    expect(findings.length).toBeGreaterThan(80);
    expect(findings.length).toBeLessThan(120);
    for (const e of all) {
      expect(Object.keys(e).sort()).toEqual(['id', 'input', 'instruction', 'output', 'task']);
      expect(e.input).toBe('');
      expect(e.instruction).toBe(releasePrompt(e.task as 'icd10' | 'findings', texts.get(e.id)!));
      if (reference) expect(e.instruction).toBe((e.task === 'icd10' ? reference.icd10_prompt : reference.findings_prompt).split('{note}').join(texts.get(e.id)));
    }
    expect(icd.find((e) => e.id === 'a0')!.output).toBe("['Heart size is enlarged']");
    expect(icd.find((e) => e.id === 'a1')!.output).toBe('[]');
    const f0 = findings.find((e) => texts.get(e.id)!.includes('enlarged'));
    expect(f0?.output).toBe('[Cardiomegaly]');
    const manifest = JSON.parse(await readFile(join(dir, 'paper', 'dataset.json'), 'utf8'));
    expect(manifest).toMatchObject({ format: 'alpaca', promptProfile: 'release', torchtuneDataset: { _component_: 'torchtune.datasets.alpaca_dataset', train_on_input: false } });
    // The same seed gives the same mix.
    expect(await runDataset(['--reports', 'reports.csv', '-t', 'note', '--id-column', 'id', '--labels', 'labels.jsonl', '--out', 'paper2', '--format', 'alpaca', '--prompt-profile', 'release', '--task', 'both'], ctx(dir))).toBe(0);
    expect(await readFile(join(dir, 'paper2', 'train.jsonl'), 'utf8')).toBe(await readFile(join(dir, 'paper', 'train.jsonl'), 'utf8'));
    await expect(runDataset(['--reports', 'reports.csv', '-t', 'note', '--id-column', 'id', '--labels', 'labels.jsonl', '--out', 'x', '--format', 'alpaca'], ctx(dir))).rejects.toThrow(/--format alpaca writes the authors' prompts and needs --prompt-profile release/);
  });

  it('reads the label CSV format (output.ts columns, icd10 cell) and joins on row numbers without an id column', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rrx-ds-'));
    await writeFile(join(dir, 'r.csv'), 'note\nSmall pleural effusion.\nLungs clear.\n\nHeart is big.\n');
    const header = ['findings', 'status', 'icd10', ...FINDINGS];
    const row = (findings: string, status: string, icd: string, codes: Partial<Record<Finding, string>>) => csvLine([findings, status, icd, ...FINDINGS.map((f) => codes[f] ?? '')]);
    await writeFile(join(dir, 'l.csv'), csvLine(header) + row('Pleural Effusion', 'ok', 'J90 pleural effusion', { 'Pleural Effusion': '1' }) + row('Normal', 'ok', '', {}) + row('', 'error', '', {}));
    const c = ctx(dir);
    await runDataset(['--reports', 'r.csv', '-t', 'note', '--labels', 'l.csv', '--out', 'd', '--task', 'both', '--val', '0'], c);
    const train = await readJsonl(join(dir, 'd', 'train.jsonl'));
    expect(train.map((e) => e.id)).toEqual(['1', '2']);
    expect(JSON.parse(train[0].messages.at(-1)!.content)).toEqual({ positive: [{ name: 'Pleural Effusion', evidence: '' }], uncertain: [], negative: [], icd10: [{ phrase: 'pleural effusion', code: 'J90' }] });
    expect(c.output.err).toMatch(/CSV labels carry no evidence quotes/);
    const manifest = JSON.parse(await readFile(join(dir, 'd', 'dataset.json'), 'utf8'));
    expect(manifest.stats.dropped).toEqual({ label_error: 1 });
    expect(parseIcd10Cell('J90 pleural effusion; j9811 lung collapse')).toMatchObject([{ code: 'J90', phrase: 'pleural effusion' }, { code: 'J98.11', phrase: 'lung collapse' }]);
  });

  it('joins the lines of label --engine openai, keyed row-N when the reports have no id column', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rrx-ds-'));
    await writeFile(join(dir, 'r.csv'), 'note\nSmall pleural effusion.\nLungs clear.\n');
    const r1 = labelFor('Small pleural effusion.', { 'Pleural Effusion': ['positive', 'Small pleural effusion'] });
    const r2 = labelFor('Lungs clear.', {});
    const line = (row: number, r: LabelResult) => JSON.stringify({ id: `row-${row}`, row, ids: { row: String(row) }, ...r, task: 'findings', model: 'gpt-4o', profile: 'json', promptVersion: 'json-1', mode: 'online' });
    await writeFile(join(dir, 'w.jsonl'), `${line(1, r1)}\n${line(2, r2)}\n`);
    const c = ctx(dir);
    await runDataset(['--reports', 'r.csv', '-t', 'note', '--labels', 'w.jsonl', '--out', 'd', '--val', '0', '--json'], c);
    const train = await readJsonl(join(dir, 'd', 'train.jsonl'));
    expect(train.map((e) => e.id)).toEqual(['1', '2']);
    expect(JSON.parse(train[0].messages[2].content)).toEqual({ positive: [{ name: 'Pleural Effusion', evidence: 'Small pleural effusion' }], uncertain: [], negative: [] });
    expect(JSON.parse(c.output.out).labels.withoutReport).toBe(0);
  });

  it('is deterministic for a seed and splits round(n × val) reports', () => {
    const keys = Array.from({ length: 1000 }, (_, i) => (i % 10 === 0 ? 'Edema' : i % 3 === 0 ? 'Atelectasis' : 'Normal'));
    const a = stratifiedSplit(keys, 0.05, '1');
    expect(a.size).toBe(50);
    expect([...stratifiedSplit(keys, 0.05, '1')].sort()).toEqual([...a].sort());
    expect([...stratifiedSplit(keys, 0.05, '2')].sort()).not.toEqual([...a].sort());
    const edema = [...a].filter((i) => keys[i] === 'Edema').length;
    expect(edema).toBe(5);
    expect(seededRandom('x')()).toBe(seededRandom('x')());
    expect(percentiles([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])).toEqual({ p50: 5, p90: 9, p99: 10, max: 10 });
  });

  if (!existsSync(IU)) console.warn(`${IU} is absent: the stratification test on the real IU X-ray reports is skipped.`);
  it.skipIf(!existsSync(IU))('stratifies the real IU X-ray reports by finding', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rrx-iu-'));
    const { stdout } = await promisify(execFile)(process.execPath, [join(IU, 'truth.mjs')], { maxBuffer: 1 << 24 });
    const rows = stdout.trim().split('\n').slice(1).map((l) => /^([^,]+),"?(.*?)"?$/.exec(l)!);
    let csv = csvLine(['uid', 'findings', 'status', ...FINDINGS]);
    for (const [, uid, names] of rows) {
      const pos = new Set(names === 'Normal' ? [] : names.split('; '));
      csv += csvLine([uid, names, 'ok', ...FINDINGS.map((f) => (pos.has(f) ? '1' : ''))]);
    }
    await writeFile(join(dir, 'labels.csv'), csv);
    const c = ctx(dir);
    await runDataset(['--reports', join(IU, 'indiana_reports.csv'), '-t', 'findings,impression', '--id-column', 'uid', '--labels', 'labels.csv', '--out', 'd', '--json'], c);
    const stats = JSON.parse(c.output.out);
    expect(stats.reports.read).toBe(3851);
    expect(stats.dropped.duplicate_report).toBeGreaterThan(100);
    expect(stats.reports.validation).toBe(Math.round(stats.reports.kept * 0.05));
    const val = await readJsonl(join(dir, 'd', 'validation.jsonl'));
    expect(val.length).toBe(stats.reports.validation);
    for (const f of FINDINGS) {
      const p = stats.prevalence[f];
      if (p.positive < 20) continue;
      const share = p.validation / p.positive;
      // Each finding's positives are shared out like the reports: about 5% in validation.
      expect(share, f).toBeGreaterThan(0.02);
      expect(share, f).toBeLessThan(0.1);
    }
    // The split is stratified: every finding's rate in validation is close to its rate in train.
    for (const f of FINDINGS) {
      const p = stats.prevalence[f];
      if (p.positive < 100) continue;
      expect(Math.abs(p.validation / stats.reports.validation - p.train / stats.reports.train), f).toBeLessThan(0.03);
    }
    expect(stats.reportChars.p50).toBeGreaterThan(100);
    expect(stats.promptTokens.max).toBeGreaterThan(stats.reportTokens.max);
  });

  it('exits 2 with the column named when a column is missing or an option is bad', async () => {
    const f = await fixture();
    const io = { out: '', err: '' };
    const run = (argv: string[]) => runCli(['dataset', ...argv], [datasetCommand], { stdout: (s) => void (io.out += s), stderr: (s) => void (io.err += s) });
    expect(await run(['--reports', f.reports, '-t', 'text', '--labels', f.labels, '--out', join(f.dir, 'x')])).toBe(2);
    expect(io.err).toMatch(/The text column "text" is not in the file/);
    expect(await run(['--reports', f.reports, '-t', 'note', '--labels', f.labels, '--out', join(f.dir, 'x'), '--val', '1.5'])).toBe(2);
    expect(await run(['--reports', f.reports, '-t', 'note', '--labels', f.labels, '--out', join(f.dir, 'x'), '--task', 'all'])).toBe(2);
    expect(await run(['--help'])).toBe(0);
    expect(io.out).toMatch(/conversation_style: openai/);
  });
});
