import { describe, expect, it } from 'vitest';
import { emptyFindings, type Finding, type FindingStatus } from '../findings.ts';
import { locate } from '../locate.ts';
import { failedResult, isNormal, type Evidence, type LabelResult } from '../result.ts';
import { buildRequests, profileTasks, PROMPT_PROFILES } from './profiles.ts';
import { parseAnswers } from './parse.ts';
import { formatAnswers } from './target.ts';

const ENGINE = { name: 'weak', version: '1' };
const REPORT =
  'FINDINGS: Small left pleural effusion. No pneumothorax. Possible right basilar consolidation. The heart is enlarged.\nIMPRESSION: Cardiomegaly.';

function evidence(finding: Finding, status: Exclude<FindingStatus, 'absent'>, mention: string, trigger?: string): Evidence {
  const m = locate(REPORT, mention)!;
  const e: Evidence = { finding, status, mention: m };
  if (trigger) e.trigger = { ...locate(REPORT, trigger)!, kind: status === 'negative' ? 'negation' : 'uncertainty' };
  return e;
}

function weakLabel(): LabelResult {
  const findings = emptyFindings();
  findings['Pleural Effusion'] = 'positive';
  findings.Pneumothorax = 'negative';
  findings.Consolidation = 'uncertain';
  findings.Cardiomegaly = 'positive';
  return {
    status: 'ok',
    findings,
    normal: isNormal(findings),
    evidence: [
      evidence('Pleural Effusion', 'positive', 'pleural effusion'),
      evidence('Pneumothorax', 'negative', 'pneumothorax', 'No'),
      evidence('Consolidation', 'uncertain', 'consolidation', 'Possible'),
      evidence('Cardiomegaly', 'positive', 'Cardiomegaly'),
    ],
    icd10: [{ phrase: 'Small left pleural effusion', code: 'J90', title: null, start: null, end: null, flags: [] }],
    engine: ENGINE,
  };
}

describe('formatAnswers → parseAnswers', () => {
  it.each(PROMPT_PROFILES)('gives back the labels under the %s profile', (profile) => {
    const source = weakLabel();
    for (const task of profileTasks(profile)) {
      const requests = buildRequests(profile, task, REPORT);
      const answers = formatAnswers(requests, source, REPORT);
      const back = parseAnswers(requests, answers, REPORT, ENGINE);
      expect(back.status, `${profile}/${task}`).toBe('ok');
      if (task !== 'icd10') {
        // release carries positives only; json carries every mentioned status.
        const expected = profile === 'json' ? source.findings : Object.fromEntries(Object.entries(source.findings).map(([f, s]) => [f, s === 'positive' ? s : 'absent']));
        expect(back.findings, `${profile}/${task}`).toEqual(expected);
        expect(back.normal).toBe(false);
      }
      if (task !== 'findings') expect(back.icd10?.map((i) => [i.phrase, i.code])).toEqual([['Small left pleural effusion', 'J90']]);
    }
  });

  it('writes short evidence quotes for present and uncertain findings, bare names for negated ones, that parse back to spans', () => {
    const requests = buildRequests('json', 'findings', REPORT);
    const [answer] = formatAnswers(requests, weakLabel(), REPORT);
    type Quoted = { name: string; evidence: string }[];
    const parsed = JSON.parse(answer) as { positive: Quoted; uncertain: Quoted; negative: string[] };
    expect(parsed.negative).toEqual(['Pneumothorax']);
    expect(parsed.uncertain).toEqual([{ name: 'Consolidation', evidence: 'Possible right basilar consolidation' }]);
    expect([...parsed.positive, ...parsed.uncertain].every((f) => f.evidence.split(' ').length <= 4)).toBe(true);
    const back = parseAnswers(requests, [answer], REPORT, ENGINE);
    expect(back.evidence.map((e) => REPORT.slice(e.mention.start, e.mention.end))).toEqual(
      expect.arrayContaining(['Possible right basilar consolidation']),
    );
  });

  it('stays within the answer budget for a typical report', () => {
    const [answer] = formatAnswers(buildRequests('json', 'findings', REPORT), weakLabel(), REPORT);
    expect(Math.ceil(answer.length / 4)).toBeLessThanOrEqual(buildRequests('json', 'findings', REPORT)[0].maxTokens);
    const [release] = formatAnswers(buildRequests('release', 'findings', REPORT), weakLabel(), REPORT);
    expect(release).toBe('[Cardiomegaly, Pleural Effusion]');
    const [icd] = formatAnswers(buildRequests('release', 'icd10', REPORT), weakLabel(), REPORT);
    expect(icd).toBe("['Small left pleural effusion']\nThe reason is: 'Small left pleural effusion' (J90)");
  });

  it('refuses to build a target from a failed result', () => {
    expect(() => formatAnswers(buildRequests('json', 'findings', REPORT), failedResult('unparsed', ENGINE, 'x'), REPORT)).toThrow(/status unparsed/);
  });
});
