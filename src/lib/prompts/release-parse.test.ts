/**
 * The released model's two answer shapes, over hand-written raw answers (clean and messy: misspelled names,
 * quoted and unquoted names, missing reason lines, trailing chatter, truncated lists), read through the same
 * parseAnswers the engines call.
 */
import { describe, expect, it } from 'vitest';
import type { Finding } from '../findings.ts';
import type { Icd10Flag, LabelResult, RowStatus } from '../result.ts';
import { lookupPhraseCode } from './lookup.ts';
import { parseAnswers } from './parse.ts';
import { buildRequests, type PromptProfileId } from './profiles.ts';
import { parseReleaseFindings, parseReleaseIcd10 } from './release-parse.ts';

const ENGINE = { name: 'test', version: '1' };
const REPORT =
  'FINDINGS: Swan Ganz catheter is present. Bilateral pulmonary edema is again seen with areas of bibasilar atelectasis. ' +
  'Enlarged cardiac silhouette is again seen. Small left pleural effusion. No pneumothorax.\nIMPRESSION: Stable appearance of bilateral pulmonary edema and bibasilar atelectasis.';

const parse = (raw: string, task: 'findings' | 'icd10', profile: PromptProfileId = 'release'): LabelResult =>
  parseAnswers(buildRequests(profile, task, REPORT), [raw], REPORT, ENGINE);

interface FindingsCase {
  raw: string;
  status: RowStatus;
  /** The positive findings (all others absent). */
  positive?: Finding[];
  message?: RegExp;
  /** Evidence quotes expected to be located in the report: finding → report text. */
  located?: Partial<Record<Finding, string>>;
}

const FINDINGS_CASES: [string, FindingsCase][] = [
  ['the documented shape', { raw: '[Cardiomegaly, Pleural Effusion]', status: 'ok', positive: ['Cardiomegaly', 'Pleural Effusion'] }],
  ['empty list is Normal', { raw: '[]', status: 'ok', positive: [] }],
  ['empty list with spaces', { raw: '[ ]\n', status: 'ok', positive: [] }],
  ['quoted names, Python style', { raw: "['Edema', 'Atelectasis']", status: 'ok', positive: ['Edema', 'Atelectasis'] }],
  ['double-quoted names', { raw: '["Support Devices", "Edema"]', status: 'ok', positive: ['Support Devices', 'Edema'] }],
  ['mixed quoting', { raw: '[\'Edema\', "Atelectasis", Cardiomegaly]', status: 'ok', positive: ['Edema', 'Atelectasis', 'Cardiomegaly'] }],
  ['lower case names', { raw: '[cardiomegaly, pleural effusion]', status: 'ok', positive: ['Cardiomegaly', 'Pleural Effusion'] }],
  ['misspelled names', { raw: '[Cardiomegally, Pleural Efusion, Ateletasis]', status: 'ok', positive: ['Cardiomegaly', 'Pleural Effusion', 'Atelectasis'] }],
  ['plural names', { raw: '[Pleural Effusions, Lung Opacities]', status: 'ok', positive: ['Pleural Effusion', 'Lung Opacity'] }],
  ['a leading space and newline', { raw: '\n  [Edema]\n', status: 'ok', positive: ['Edema'] }],
  ['echoed "Expected Output:" on its own line', { raw: 'Expected Output:\n[Edema, Atelectasis]', status: 'ok', positive: ['Edema', 'Atelectasis'] }],
  ['echoed "Output:" on the same line', { raw: 'Output: [Edema]', status: 'ok', positive: ['Edema'] }],
  ['prose before the list on its line', { raw: 'The diseases are: [Support Devices]', status: 'ok', positive: ['Support Devices'] }],
  [
    'evidence block with quotes per finding',
    {
      raw: '[Edema, Atelectasis, Support Devices]\nEvidence:\n- Edema: "Bilateral pulmonary edema is again seen"\n- Atelectasis: "areas of bibasilar atelectasis"\n- Support Devices: "Swan Ganz catheter is present"',
      status: 'ok',
      positive: ['Edema', 'Atelectasis', 'Support Devices'],
      located: { Edema: 'Bilateral pulmonary edema is again seen', Atelectasis: 'areas of bibasilar atelectasis', 'Support Devices': 'Swan Ganz catheter is present' },
    },
  ],
  [
    'evidence without quotes after the name',
    { raw: '[Cardiomegaly]\nEvidence: \nCardiomegaly: Enlarged cardiac silhouette is again seen.', status: 'ok', positive: ['Cardiomegaly'], located: { Cardiomegaly: 'Enlarged cardiac silhouette is again seen' } },
  ],
  [
    'evidence in prose, quote across spacing and case',
    { raw: '[Pleural Effusion]\n\nEvidence: The report states "small  LEFT pleural effusion" (Pleural Effusion).', status: 'ok', positive: ['Pleural Effusion'], located: { 'Pleural Effusion': 'Small left pleural effusion' } },
  ],
  ['evidence quote not in the report: label kept, no span', { raw: '[Edema]\nEvidence:\n- Edema: "interstitial edema"', status: 'ok', positive: ['Edema'], located: {} }],
  ['trailing chatter after the list', { raw: '[Edema]\nI hope this helps! Let me know if you need anything else.', status: 'ok', positive: ['Edema'] }],
  ['a stop token left in the text', { raw: '[Edema]<|eot_id|>[Pneumothorax]', status: 'ok', positive: ['Edema'] }],
  ['an unknown name is flagged, the rest kept', { raw: '[Cardiomegaly, Hiatal Hernia]', status: 'ok', positive: ['Cardiomegaly'], message: /unrecognised.*Hiatal Hernia/ }],
  ['only unknown names', { raw: '[Emphysema, Scoliosis]', status: 'unparsed', message: /no finding names/ }],
  ['[Normal] is Normal', { raw: '[Normal]', status: 'ok', positive: [] }],
  ['duplicates once', { raw: '[Edema, edema, Pulmonary Edema]', status: 'ok', positive: ['Edema'] }],
  ['a truncated list', { raw: '[Cardiomegaly, Pleural Eff', status: 'unparsed', message: /never closes/ }],
  ['a truncated quoted list', { raw: "['Cardiomegaly', 'Pleu", status: 'unparsed', message: /never closes/ }],
  ['a list broken by the evidence', { raw: '[Cardiomegaly, Edema\nEvidence: heart is enlarged', status: 'unparsed', message: /never closes/ }],
  ['empty answer', { raw: '', status: 'unparsed', message: /empty/ }],
  ['whitespace only', { raw: ' \n\n ', status: 'unparsed', message: /empty/ }],
  ['prose without a list', { raw: 'The patient has cardiomegaly and edema.', status: 'unparsed', message: /not a findings list/ }],
  ['a refusal', { raw: "I'm sorry, but I can't help with that.", status: 'unparsed' }],
  ['bullets instead of a list', { raw: '- Cardiomegaly\n- Edema', status: 'unparsed', message: /not a findings list/ }],
];

describe('release findings answers', () => {
  it.each(FINDINGS_CASES)('%s', (_, c) => {
    const r = parse(c.raw, 'findings');
    expect(r.status).toBe(c.status);
    expect(r.raw).toBe(c.raw);
    if (c.message) expect(r.message).toMatch(c.message);
    if (c.status !== 'ok') {
      expect(r.normal).toBe(false);
      expect(Object.values(r.findings).every((s) => s === 'absent')).toBe(true);
      return;
    }
    const positive = new Set(c.positive ?? []);
    for (const [f, s] of Object.entries(r.findings)) expect(s, f).toBe(positive.has(f as Finding) ? 'positive' : 'absent');
    expect(r.normal).toBe(positive.size === 0);
    if (c.located) {
      expect(Object.fromEntries(r.evidence.map((e) => [e.finding, REPORT.slice(e.mention.start, e.mention.end)]))).toEqual(c.located);
      expect(r.evidence.every((e) => e.trigger?.kind === 'model' && e.status === 'positive')).toBe(true);
    }
  });

  it('keeps the evidence text and trailing chatter as written', () => {
    const a = parseReleaseFindings('[Edema]\nNote: see below.\nEvidence:\n- Edema: "pulmonary edema"\n');
    expect(a.evidenceText).toBe('- Edema: "pulmonary edema"');
    expect(a.trailing).toBe('Note: see below.');
    expect(a.quotes).toEqual([{ finding: 'Edema', text: 'pulmonary edema' }]);
    expect(parseReleaseFindings('[Edema, Foo]').unknown).toEqual(['Foo']);
  });
});

interface Icd10Case {
  raw: string;
  status: RowStatus;
  /** [phrase as located or given, code, flags] per item. */
  items?: [string, string, Icd10Flag[]][];
  rejected?: RegExp;
  message?: RegExp;
  profile?: PromptProfileId;
}

const ICD10_CASES: [string, Icd10Case][] = [
  [
    'list and reason line, as in the prompt',
    {
      raw: "['Swan Ganz catheter', 'Bilateral pulmonary edema', 'Bibasilar atelectasis', 'Enlarged cardiac silhouette']\nThe reason is: 'Swan Ganz catheter' (Z95.2), 'Bilateral pulmonary edema' (J81.0),  'Bibasilar atelectasis' (J98.11), 'Enlarged cardiac silhouette' (I51.7)",
      status: 'ok',
      items: [
        ['Swan Ganz catheter', 'Z95.2', []],
        ['Bilateral pulmonary edema', 'J81.0', []],
        ['bibasilar atelectasis', 'J98.11', []],
        ['Enlarged cardiac silhouette', 'I51.7', []],
      ],
    },
  ],
  [
    'no reason line: codes looked up in the lexicon',
    {
      raw: "['Bibasilar atelectasis', 'Enlarged cardiac silhouette']",
      status: 'ok',
      items: [
        ['bibasilar atelectasis', 'J98.11', ['looked_up']],
        ['Enlarged cardiac silhouette', 'I51.7', ['looked_up']],
      ],
    },
  ],
  [
    'a reason line that codes only some phrases',
    {
      raw: "['Small left pleural effusion', 'Bibasilar atelectasis']\nThe reason is: 'Small left pleural effusion' (J90)",
      status: 'ok',
      items: [
        ['Small left pleural effusion', 'J90', []],
        ['bibasilar atelectasis', 'J98.11', ['looked_up']],
      ],
    },
  ],
  ['an empty list', { raw: '[]', status: 'ok', items: [] }],
  ['"Output: []" as the weak-label prompt asks', { raw: 'Output: []', status: 'ok', items: [] }],
  [
    'echoed Output: label and double quotes',
    { raw: 'Output: ["Small left pleural effusion"]\nThe reason is: "Small left pleural effusion" (J90)', status: 'ok', items: [['Small left pleural effusion', 'J90', []]] },
  ],
  [
    'unquoted phrases and codes',
    { raw: '[Small left pleural effusion, bibasilar atelectasis]\nThe reason is: Small left pleural effusion (J90), bibasilar atelectasis (J98.11)', status: 'ok', items: [['Small left pleural effusion', 'J90', []], ['bibasilar atelectasis', 'J98.11', []]] },
  ],
  [
    'reason phrase in another case',
    { raw: "['numerous bibasilar atelectasis']\nThe reason is: 'Numerous bibasilar atelectasis' (J98.11)", status: 'ok', items: [['numerous bibasilar atelectasis', 'J98.11', ['not_in_text']]] },
  ],
  [
    'lower-case code without its dot',
    { raw: "['Bibasilar atelectasis']\nThe reason is: 'Bibasilar atelectasis' (j9811)", status: 'ok', items: [['bibasilar atelectasis', 'J98.11', []]] },
  ],
  [
    'code written with an ICD-10 label',
    { raw: "['Small left pleural effusion']\nThe reason is: 'Small left pleural effusion' (ICD-10: J90)", status: 'ok', items: [['Small left pleural effusion', 'J90', []]] },
  ],
  [
    'a malformed code is rejected with a reason, never guessed',
    { raw: "['Small left pleural effusion']\nThe reason is: 'Small left pleural effusion' (J9O.1234X)", status: 'ok', items: [], rejected: /not an ICD-10-CM code/ },
  ],
  [
    'a well-formed code missing from the table is kept, flagged',
    { raw: "['Enlarged cardiac silhouette']\nThe reason is: 'Enlarged cardiac silhouette' (J99.99)", status: 'ok', items: [['Enlarged cardiac silhouette', 'J99.99', ['unverified']]] },
  ],
  [
    'a phrase that is not in the report is flagged',
    { raw: "['Pulmonary embolism']\nThe reason is: 'Pulmonary embolism' (I26.99)", status: 'ok', items: [['Pulmonary embolism', 'I26.99', ['not_in_text']]] },
  ],
  [
    'a phrase with no code that the lexicon cannot code either is rejected',
    { raw: "['Stable appearance']", status: 'ok', items: [], rejected: /no code/ },
  ],
  [
    "an apostrophe inside a single-quoted phrase",
    { raw: "['patient's small left pleural effusion']\nThe reason is: 'patient's small left pleural effusion' (J90)", status: 'ok', items: [["patient's small left pleural effusion", 'J90', ['not_in_text']]] },
  ],
  [
    'duplicates are kept once',
    { raw: "['Bibasilar atelectasis', 'bibasilar atelectasis']\nThe reason is: 'Bibasilar atelectasis' (J98.11)", status: 'ok', items: [['bibasilar atelectasis', 'J98.11', []]] },
  ],
  [
    'trailing chatter after the reason line',
    { raw: "['Small left pleural effusion']\nThe reason is: 'Small left pleural effusion' (J90)\n\nNote: no pneumothorax is present, so it is not included.", status: 'ok', items: [['Small left pleural effusion', 'J90', []]] },
  ],
  [
    'reasons one per line with bullets',
    { raw: "['Small left pleural effusion', 'Enlarged cardiac silhouette']\nThe reason is:\n- 'Small left pleural effusion' (J90)\n- 'Enlarged cardiac silhouette' (I51.7)", status: 'ok', items: [['Small left pleural effusion', 'J90', []], ['Enlarged cardiac silhouette', 'I51.7', []]] },
  ],
  [
    "reasons written as 'phrase': CODE",
    { raw: "['Small left pleural effusion', 'Enlarged cardiac silhouette']\nThe reason is:\n'Small left pleural effusion': J90\n'Enlarged cardiac silhouette' - I51.7", status: 'ok', items: [['Small left pleural effusion', 'J90', []], ['Enlarged cardiac silhouette', 'I51.7', []]] },
  ],
  [
    'a reason for a phrase the list lacks is noted, not added',
    { raw: "['Small left pleural effusion']\nThe reason is: 'Small left pleural effusion' (J90), 'Pneumothorax' (J93.9)", status: 'ok', items: [['Small left pleural effusion', 'J90', []]], message: /does not hold \(Pneumothorax J93\.9\)/ },
  ],
  [
    'a reason line cut off by the token limit',
    { raw: "['Small left pleural effusion', 'Bibasilar atelectasis']\nThe reason is: 'Small left pleural effusion' (J90), 'Bibasilar atel", status: 'ok', items: [['Small left pleural effusion', 'J90', []], ['bibasilar atelectasis', 'J98.11', ['looked_up']]] },
  ],
  ['a truncated phrase list', { raw: "['Swan Ganz catheter', 'Bilateral pulm", status: 'unparsed', message: /never closes/ }],
  ['no list at all', { raw: 'Pleural effusion (J90)', status: 'unparsed', message: /no phrase list/ }],
  ['an empty answer', { raw: '', status: 'unparsed', message: /empty/ }],
  [
    'GPT-4o answer to the teacher prompt, read by the same parser',
    {
      profile: 'release-weak-labels',
      raw: "Output: ['Swan Ganz catheter', 'Bilateral pulmonary edema']\nThe reason is: 'Swan Ganz catheter' (Z95.828), 'Bilateral pulmonary edema' (J81.0)",
      status: 'ok',
      items: [['Swan Ganz catheter', 'Z95.828', []], ['Bilateral pulmonary edema', 'J81.0', []]],
    },
  ],
];

describe('release ICD-10 answers', () => {
  it.each(ICD10_CASES)('%s', (_, c) => {
    const r = parse(c.raw, 'icd10', c.profile);
    expect(r.status).toBe(c.status);
    expect(r.raw).toBe(c.raw);
    expect(r.normal).toBe(false);
    if (c.message) expect(r.message).toMatch(c.message);
    if (c.status !== 'ok') return;
    expect(r.icd10?.map((i) => [i.phrase, i.code, i.flags])).toEqual(c.items);
    for (const i of r.icd10 ?? []) {
      if (i.start !== null) expect(REPORT.slice(i.start, i.end!)).toBe(i.phrase);
    }
    if (c.rejected) expect(r.icd10Rejected?.map((x) => x.reason).join(' ')).toMatch(c.rejected);
    else expect(r.icd10Rejected).toBeUndefined();
  });

  it('reads the phrase list, the reason line and reasons for unlisted phrases', () => {
    const a = parseReleaseIcd10("['A b', 'C d']\nThe reason is: 'A b' (J90), 'E f' (I51.7)");
    expect(a).toEqual({ items: [{ phrase: 'A b', code: 'J90' }, { phrase: 'C d' }], reasonLine: true, extraReasons: [{ phrase: 'E f', code: 'I51.7' }] });
    expect(parseReleaseIcd10("['A b']").reasonLine).toBe(false);
  });

  it('looks codes up by the longest lexicon phrase inside the phrase', () => {
    expect(lookupPhraseCode('Small left pleural effusion')).toBe('J90');
    expect(lookupPhraseCode('Bibasilar atelectasis')).toBe('J98.11');
    expect(lookupPhraseCode('nothing codable here')).toBeUndefined();
  });
});

describe('both tasks', () => {
  it('keeps both raw answers and merges both results', () => {
    const requests = buildRequests('release', 'both', REPORT);
    const r = parseAnswers(requests, ['[Edema]', "['Bibasilar atelectasis']"], REPORT, ENGINE);
    expect(r.status).toBe('ok');
    expect(r.findings.Edema).toBe('positive');
    expect(r.icd10?.map((i) => i.code)).toEqual(['J98.11']);
    expect(JSON.parse(r.raw!)).toEqual(['[Edema]', "['Bibasilar atelectasis']"]);
  });

  it('is unparsed when either answer cannot be read', () => {
    const requests = buildRequests('release', 'both', REPORT);
    expect(parseAnswers(requests, ['[Edema]', "['Bibasil"], REPORT, ENGINE).status).toBe('unparsed');
    expect(parseAnswers(requests, ['Edema', "['Bibasilar atelectasis']"], REPORT, ENGINE).status).toBe('unparsed');
  });
});

it('has at least 40 hand-written raw answers', () => expect(FINDINGS_CASES.length + ICD10_CASES.length).toBeGreaterThanOrEqual(40));
