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
  const requests = buildRequests(c.profile ?? 'json', c.task ?? 'findings', REPORT);
  return parseAnswers(requests, [c.raw], REPORT, ENGINE);
};

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
  ['a bracketed list where JSON was asked', { profile: 'json', raw: '[Edema]', status: 'unparsed' }],
  ['both tasks in one answer', { profile: 'json', task: 'both', raw: '{"findings":[{"name":"Cardiomegaly","status":"positive","evidence":"Cardiomegaly"}],"icd10":[{"phrase":"Cardiomegaly","code":"I51.7"}]}', status: 'ok', findings: { Cardiomegaly: 'positive' } }],
  ['both tasks, icd10 missing is read as none', { profile: 'json', task: 'both', raw: '{"findings":[]}', status: 'ok', normal: true }],
];

describe('parseAnswers over raw model outputs', () => {
  // The release shapes have their own cases in release-parse.test.ts.
  it.each(JSON_CASES)('%s', (_, c) => {
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
  const icd = (raw: string) => parse({ raw, profile: 'json', task: 'icd10' });

  it('reads phrases and codes, validates codes and locates phrases', () => {
    const r = icd('{"icd10":[{"phrase":"small left pleural effusion","code":"J90"},{"phrase":"Cardiomegaly","code":"I51.7"}]}');
    expect(r.status).toBe('ok');
    expect(r.icd10?.map((i) => i.code)).toEqual(['J90', 'I51.7']);
    const eff = r.icd10![0];
    expect(REPORT.slice(eff.start!, eff.end!).toLowerCase()).toBe('small left pleural effusion');
    expect(r.normal).toBe(false);
  });

  it('reads an empty list as no codes and a truncated answer as unparsed', () => {
    expect(icd('{"icd10":[]}')).toMatchObject({ status: 'ok', icd10: [] });
    expect(icd('{"icd10":[{"phrase":"pleural effusion","code":"J9').status).toBe('unparsed');
    expect(icd('nothing to code here').status).toBe('unparsed');
  });

  it('flags a phrase that is not in the report', () => {
    const r = icd('{"icd10":[{"phrase":"pulmonary embolism","code":"I26.99"}]}');
    expect(r.status).toBe('ok');
    expect(r.icd10?.[0].flags).toContain('not_in_text');
  });
});

// The coder's post-processing the rule engine applies (src/lib/icd10/resolve.ts), on the model's items too.
describe('ICD-10 answers get the rule engine coding post-processing', () => {
  const CODED =
    'FINDINGS: Hyperexpanded lungs with emphysema. Changes of COPD. Small left pleural effusion. Cardiomegaly.\n' +
    'IMPRESSION: Congestive heart failure with pulmonary edema. Small left pleural effusion, unchanged.';
  const icd = (items: { phrase: string; code: string }[], profile: PromptProfileId = 'json') => {
    const requests = buildRequests(profile, 'icd10', CODED);
    const raw =
      profile === 'json'
        ? JSON.stringify({ icd10: items })
        : `[${items.map((i) => `'${i.phrase}'`).join(', ')}]\nThe reason is: ${items.map((i) => `'${i.phrase}' (${i.code})`).join(', ')}`;
    return parseAnswers(requests, [raw], CODED, ENGINE);
  };
  const phrases = (item: NonNullable<LabelResult['icd10']>[number]) => [item.phrase, ...(item.supporting ?? []).map((s) => s.text)];

  for (const profile of ['json', 'release'] as const) {
    it(`${profile}: one item per code, its other phrases as supporting spans in the report`, () => {
      const r = icd([{ phrase: 'Small left pleural effusion', code: 'J90' }, { phrase: 'Cardiomegaly', code: 'I51.7' }, { phrase: 'Small left pleural effusion, unchanged', code: 'J90' }], profile);
      expect(r.status).toBe('ok');
      expect(r.icd10!.map((i) => i.code)).toEqual(['J90', 'I51.7']);
      const j90 = r.icd10![0];
      expect(phrases(j90)).toEqual(['Small left pleural effusion', 'Small left pleural effusion, unchanged']);
      for (const s of j90.supporting!) expect(CODED.slice(s.start, s.end)).toBe(s.text);
      expect(r.icd10Rejected).toBeUndefined();
    });

    it(`${profile}: never both codes of an Excludes1 pair (emphysema + COPD -> J43.9; CHF + edema -> I50.1)`, () => {
      const r = icd(
        [
          { phrase: 'emphysema', code: 'J43.9' },
          { phrase: 'COPD', code: 'J44.9' },
          { phrase: 'Congestive heart failure', code: 'I50.9' },
          { phrase: 'pulmonary edema', code: 'J81.0' },
        ],
        profile,
      );
      const codes = r.icd10!.map((i) => i.code);
      expect(codes).toEqual(['J43.9', 'I50.1']);
      expect(phrases(r.icd10![0])).toEqual(['emphysema', 'COPD']);
      expect(phrases(r.icd10![1]).sort()).toEqual(['Congestive heart failure', 'pulmonary edema']);
      expect(r.icd10![1].title).toMatch(/left ventricular failure/i);
    });
  }

  it('a phrase not in the report gives its code once; the located phrase of that code carries it', () => {
    const r = icd([{ phrase: 'bilateral effusions', code: 'J90' }, { phrase: 'Small left pleural effusion', code: 'J90' }]);
    expect(r.icd10).toHaveLength(1);
    expect(r.icd10![0]).toMatchObject({ code: 'J90', phrase: 'Small left pleural effusion', flags: [] });
    expect(r.icd10![0].start).not.toBeNull();
  });

  it('keeps the answer order of the codes, not the report order', () => {
    const r = icd([{ phrase: 'Cardiomegaly', code: 'I51.7' }, { phrase: 'emphysema', code: 'J43.9' }]);
    expect(r.icd10!.map((i) => i.code)).toEqual(['I51.7', 'J43.9']);
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
    const requests = buildRequests('release', 'both', REPORT);
    const r = parseAnswers(requests, ['[Cardiomegaly]', '[]'], REPORT, ENGINE);
    expect(JSON.parse(r.raw!)).toEqual(['[Cardiomegaly]', '[]']);
  });
});
