import { describe, expect, it } from 'vitest';
import type { Finding, FindingStatus } from '../findings.ts';
import type { LabelResult, RowStatus, Task } from '../result.ts';
import { buildRequests, type PromptProfileId } from './profiles.ts';
import { parseAnswers } from './parse.ts';

const ENGINE = { name: 'test', version: '1' };
const REPORT =
  'INDICATION: Cough, rule out pneumonia.\nFINDINGS: Small left pleural effusion with adjacent atelectasis. Possible right lower lobe consolidation. ' +
  'No pneumothorax. Heart size is enlarged. Right PICC line in place.\nIMPRESSION: Cardiomegaly and small left pleural effusion.';

interface Case {
  raw: string;
  profile?: PromptProfileId;
  task?: Task;
  status: RowStatus;
  /** Findings expected with a status other than absent (all others must be absent). */
  findings?: Partial<Record<Finding, FindingStatus>>;
  normal?: boolean;
  /** Substring of the message. */
  message?: RegExp;
}

const parse = (c: Pick<Case, 'raw' | 'profile' | 'task'>): LabelResult => {
  const requests = buildRequests(c.profile ?? 'legacy', c.task ?? 'findings', REPORT);
  return parseAnswers(requests, [c.raw], REPORT, ENGINE);
};

const LEGACY: [string, Case][] = [
  ['plain list', { raw: '[Atelectasis, Pleural Effusion]', status: 'ok', findings: { Atelectasis: 'positive', 'Pleural Effusion': 'positive' } }],
  ['empty list', { raw: '[]', status: 'ok', findings: {}, normal: true }],
  ['empty list with spaces', { raw: '[  ]', status: 'ok', normal: true }],
  ['the word None', { raw: 'None', status: 'ok', normal: true }],
  ['No findings.', { raw: 'No findings.', status: 'ok', normal: true }],
  ['[Normal]', { raw: '[Normal]', status: 'ok', normal: true }],
  ['[No Finding]', { raw: '[No Finding]', status: 'ok', normal: true }],
  ['quoted names', { raw: '["Cardiomegaly", "Support Devices"]', status: 'ok', findings: { Cardiomegaly: 'positive', 'Support Devices': 'positive' } }],
  ['single quotes', { raw: "['Cardiomegaly', 'Lung Opacity']", status: 'ok', findings: { Cardiomegaly: 'positive', 'Lung Opacity': 'positive' } }],
  ['lower case', { raw: '[cardiomegaly, pleural effusion]', status: 'ok', findings: { Cardiomegaly: 'positive', 'Pleural Effusion': 'positive' } }],
  ['plurals and misspellings', { raw: '[Pleural Effusions, Atelectases, Pnuemonia]', status: 'ok', findings: { 'Pleural Effusion': 'positive', Atelectasis: 'positive', Pneumonia: 'positive' } }],
  ['prose before the list', { raw: 'The findings are: [Cardiomegaly]', status: 'ok', findings: { Cardiomegaly: 'positive' } }],
  ['prose after the list', { raw: '[Cardiomegaly]\nThese are the positive findings.', status: 'ok', findings: { Cardiomegaly: 'positive' } }],
  ['code fence', { raw: '```\n[Edema, Consolidation]\n```', status: 'ok', findings: { Edema: 'positive', Consolidation: 'positive' } }],
  ['code fence with language', { raw: '```json\n["Edema"]\n```', status: 'ok', findings: { Edema: 'positive' } }],
  ['bulleted lines without brackets', { raw: '- Cardiomegaly\n- Pleural Effusion', status: 'ok', findings: { Cardiomegaly: 'positive', 'Pleural Effusion': 'positive' } }],
  ['numbered lines', { raw: '1. Fracture\n2) Pneumothorax', status: 'ok', findings: { Fracture: 'positive', Pneumothorax: 'positive' } }],
  ['semicolons', { raw: '[Fracture; Lung Lesion]', status: 'ok', findings: { Fracture: 'positive', 'Lung Lesion': 'positive' } }],
  ['bare comma list', { raw: 'Cardiomegaly, Edema', status: 'ok', findings: { Cardiomegaly: 'positive', Edema: 'positive' } }],
  ['duplicates', { raw: '[Edema, edema, Pulmonary Edema]', status: 'ok', findings: { Edema: 'positive' } }],
  ['alias enlarged heart', { raw: '[enlarged heart]', status: 'ok', findings: { Cardiomegaly: 'positive' } }],
  ['unknown name kept out, reported', { raw: '[Cardiomegaly, Hiatal Hernia]', status: 'ok', findings: { Cardiomegaly: 'positive' }, message: /Hiatal Hernia/ }],
  ['only unknown names', { raw: '[Hiatal Hernia, Scoliosis]', status: 'unparsed', message: /no finding names/ }],
  ['truncated list', { raw: '[Cardiomegaly, Pleural Eff', status: 'unparsed', message: /never closes/ }],
  ['empty answer', { raw: '', status: 'unparsed' }],
  ['refusal text', { raw: 'I am sorry, I cannot help with that.', status: 'unparsed' }],
  ['trailing period inside', { raw: '[Cardiomegaly.]', status: 'ok', findings: { Cardiomegaly: 'positive' } }],
  ['list of all normal synonyms and a finding', { raw: '[Normal, Pneumothorax]', status: 'ok', findings: { Pneumothorax: 'positive' }, normal: false }],
];

const JSON_CASES: [string, Case][] = [
  ['full answer', { profile: 'json', raw: '{"findings":[{"name":"Pleural Effusion","status":"positive","evidence":"Small left pleural effusion"},{"name":"Pneumothorax","status":"negative","evidence":"No pneumothorax"},{"name":"Consolidation","status":"uncertain","evidence":"Possible right lower lobe consolidation"}]}', status: 'ok', findings: { 'Pleural Effusion': 'positive', Pneumothorax: 'negative', Consolidation: 'uncertain' } }],
  ['empty findings', { profile: 'json', raw: '{"findings":[]}', status: 'ok', normal: true }],
  ['only negatives is normal', { profile: 'json', raw: '{"findings":[{"name":"Pneumothorax","status":"negative","evidence":"No pneumothorax"}]}', status: 'ok', findings: { Pneumothorax: 'negative' }, normal: true }],
  ['code fence', { profile: 'json', raw: '```json\n{"findings":[{"name":"Cardiomegaly","status":"positive","evidence":"Cardiomegaly"}]}\n```', status: 'ok', findings: { Cardiomegaly: 'positive' } }],
  ['prose around', { profile: 'json', raw: 'Here is the JSON:\n{"findings":[{"name":"Cardiomegaly","status":"positive","evidence":"Heart size is enlarged"}]}\nDone.', status: 'ok', findings: { Cardiomegaly: 'positive' } }],
  ['trailing comma', { profile: 'json', raw: '{"findings":[{"name":"Edema","status":"positive","evidence":""},]}', status: 'ok', findings: { Edema: 'positive' } }],
  ['status synonyms', { profile: 'json', raw: '{"findings":[{"name":"Edema","status":"Present"},{"name":"Fracture","status":"absent"},{"name":"Pneumonia","status":"possible"}]}', status: 'ok', findings: { Edema: 'positive', Fracture: 'negative', Pneumonia: 'uncertain' } }],
  ['CheXpert codes as status', { profile: 'json', raw: '{"findings":[{"name":"Edema","status":1},{"name":"Fracture","status":0},{"name":"Pneumonia","status":-1}]}', status: 'ok', findings: { Edema: 'positive', Fracture: 'negative', Pneumonia: 'uncertain' } }],
  ['strings instead of objects', { profile: 'json', raw: '{"findings":["Cardiomegaly","Pleural Effusion"]}', status: 'ok', findings: { Cardiomegaly: 'positive', 'Pleural Effusion': 'positive' } }],
  ['duplicate: positive beats negative', { profile: 'json', raw: '{"findings":[{"name":"Pleural Effusion","status":"negative","evidence":"x"},{"name":"Pleural Effusion","status":"positive","evidence":"y"}]}', status: 'ok', findings: { 'Pleural Effusion': 'positive' } }],
  ['duplicate: uncertain beats negative', { profile: 'json', raw: '{"findings":[{"name":"Pneumonia","status":"uncertain"},{"name":"pneumonia","status":"negative"}]}', status: 'ok', findings: { Pneumonia: 'uncertain' } }],
  ['duplicate: positive beats uncertain', { profile: 'json', raw: '{"findings":[{"name":"Consolidation","status":"positive"},{"name":"Consolidation","status":"uncertain"}]}', status: 'ok', findings: { Consolidation: 'positive' } }],
  ['unknown finding name dropped', { profile: 'json', raw: '{"findings":[{"name":"Hiatal Hernia","status":"positive"},{"name":"Edema","status":"positive"}]}', status: 'ok', findings: { Edema: 'positive' }, message: /Hiatal Hernia/ }],
  ['unknown status dropped', { profile: 'json', raw: '{"findings":[{"name":"Edema","status":"severe"}]}', status: 'ok', findings: {}, message: /1 unrecognised/ }],
  ['truncated JSON', { profile: 'json', raw: '{"findings":[{"name":"Edema","status":"posi', status: 'unparsed', message: /never closes/ }],
  ['no JSON at all', { profile: 'json', raw: 'Cardiomegaly and effusion.', status: 'unparsed', message: /no JSON object/ }],
  ['JSON without findings key', { profile: 'json', raw: '{"labels":["Edema"]}', status: 'unparsed', message: /no findings lists/ }],
  ['the grouped schema form', { profile: 'json', raw: '{"positive":[{"name":"Pleural Effusion","evidence":"effusion"}],"uncertain":[{"name":"pneumonia","evidence":"possible pneumonia"}],"negative":["Pneumothorax"]}', status: 'ok', findings: { 'Pleural Effusion': 'positive', Pneumonia: 'uncertain', Pneumothorax: 'negative' } }],
  ['the grouped form, all empty, is normal', { profile: 'json', raw: '{"positive":[],"uncertain":[],"negative":[]}', status: 'ok', normal: true }],
  ['invalid JSON', { profile: 'json', raw: '{"findings":[{name:"Edema"}]}', status: 'unparsed', message: /invalid JSON/ }],
  ['a legacy list where JSON was asked', { profile: 'json', raw: '[Edema]', status: 'unparsed' }],
  ['both tasks in one answer', { profile: 'json', task: 'both', raw: '{"findings":[{"name":"Cardiomegaly","status":"positive","evidence":"Cardiomegaly"}],"icd10":[{"phrase":"Cardiomegaly","code":"I51.7"}]}', status: 'ok', findings: { Cardiomegaly: 'positive' } }],
  ['both tasks, icd10 missing is read as none', { profile: 'json', task: 'both', raw: '{"findings":[]}', status: 'ok', normal: true }],
];

describe('parseAnswers over raw model outputs', () => {
  it('has at least 40 cases', () => expect(LEGACY.length + JSON_CASES.length).toBeGreaterThanOrEqual(40));

  it.each([...LEGACY, ...JSON_CASES])('%s', (_, c) => {
    const r = parse(c);
    expect(r.status).toBe(c.status);
    expect(r.raw).toBe(c.raw);
    if (c.message) expect(r.message).toMatch(c.message);
    if (c.status !== 'ok') {
      expect(r.normal).toBe(false);
      expect(Object.values(r.findings).every((s) => s === 'absent')).toBe(true);
      return;
    }
    const expected = c.findings ?? {};
    for (const [f, s] of Object.entries(r.findings)) expect(s, f).toBe(expected[f as Finding] ?? 'absent');
    if (c.normal !== undefined) expect(r.normal).toBe(c.normal);
  });
});

describe('ICD-10 answers', () => {
  const icd = (raw: string, profile: PromptProfileId = 'legacy') => parse({ raw, profile, task: 'icd10' });

  it('reads pairs, validates codes and locates phrases', () => {
    const r = icd('[["small left pleural effusion", "J90"], ["Cardiomegaly", "I51.7"]]');
    expect(r.status).toBe('ok');
    expect(r.icd10?.map((i) => i.code)).toEqual(['J90', 'I51.7']);
    const eff = r.icd10![0];
    expect(REPORT.slice(eff.start!, eff.end!).toLowerCase()).toBe('small left pleural effusion');
    expect(r.normal).toBe(false);
  });

  it('reads line forms', () => {
    const r = icd('"pleural effusion" J90\nCardiomegaly (I51.7)');
    expect(r.status).toBe('ok');
    expect(r.icd10?.map((i) => i.code).sort()).toEqual(['I51.7', 'J90']);
  });

  it('reads an empty answer as no codes and a truncated list as unparsed', () => {
    expect(icd('[]')).toMatchObject({ status: 'ok', icd10: [] });
    expect(icd('[["pleural effusion", "J9').status).toBe('unparsed');
    expect(icd('nothing to code here').status).toBe('unparsed');
  });

  it('flags a phrase that is not in the report', () => {
    const r = icd('{"icd10":[{"phrase":"pulmonary embolism","code":"I26.99"}]}', 'json');
    expect(r.status).toBe('ok');
    expect(r.icd10?.[0].flags).toContain('not_in_text');
  });
});

describe('evidence and blank reports', () => {
  it('locates evidence quotes in the report, across case and spacing', () => {
    const r = parse({ profile: 'json', raw: '{"findings":[{"name":"Support Devices","status":"positive","evidence":"right  PICC line in place"}]}' });
    const e = r.evidence[0];
    expect(e.finding).toBe('Support Devices');
    expect(REPORT.slice(e.mention.start, e.mention.end)).toBe('Right PICC line in place');
    expect(e.trigger?.kind).toBe('model');
  });

  it('drops evidence that is not in the report but keeps the label', () => {
    const r = parse({ profile: 'json', raw: '{"findings":[{"name":"Edema","status":"positive","evidence":"interstitial edema"}]}' });
    expect(r.findings.Edema).toBe('positive');
    expect(r.evidence).toEqual([]);
  });

  it('never calls an empty report Normal', () => {
    const requests = buildRequests('json', 'findings', '');
    const r = parseAnswers(requests, ['{"findings":[]}'], '   ', ENGINE);
    expect(r.status).toBe('empty');
    expect(r.normal).toBe(false);
  });

  it('keeps every raw answer when there are several', () => {
    const requests = buildRequests('legacy', 'both', REPORT);
    const r = parseAnswers(requests, ['[Cardiomegaly]', '[]'], REPORT, ENGINE);
    expect(JSON.parse(r.raw!)).toEqual(['[Cardiomegaly]', '[]']);
  });
});
