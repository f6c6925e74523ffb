import { describe, expect, it } from 'vitest';
import type { FindingStatus } from '../findings.ts';
import { aggregate, combineStatus, decide, mentionRank } from './aggregate.ts';

describe('combineStatus (CheXpert precedence)', () => {
  const table: Array<[FindingStatus, FindingStatus, FindingStatus]> = [
    ['absent', 'positive', 'positive'],
    ['negative', 'positive', 'positive'],
    ['uncertain', 'positive', 'positive'],
    ['positive', 'negative', 'positive'],
    ['positive', 'uncertain', 'positive'],
    ['negative', 'uncertain', 'uncertain'],
    ['uncertain', 'negative', 'uncertain'],
    ['absent', 'uncertain', 'uncertain'],
    ['absent', 'negative', 'negative'],
    ['negative', 'negative', 'negative'],
    ['absent', 'absent', 'absent'],
  ];
  it.each(table)('%s + %s = %s', (a, b, want) => {
    expect(combineStatus(a, b)).toBe(want);
  });
});

describe('aggregate', () => {
  it('combines mentions per finding and leaves unmentioned findings absent', () => {
    const out = aggregate([
      { finding: 'Pleural Effusion', status: 'negative' },
      { finding: 'Pleural Effusion', status: 'positive' },
      { finding: 'Pneumonia', status: 'uncertain' },
      { finding: 'Pneumonia', status: 'negative' },
    ]);
    expect(out['Pleural Effusion']).toBe('positive');
    expect(out.Pneumonia).toBe('uncertain');
    expect(out.Edema).toBe('absent');
    expect(Object.keys(out)).toHaveLength(13);
  });
});

describe('decide (weak questions and histories)', () => {
  it('lets a statement about this image outweigh a question or a history, and names the deciding mention', () => {
    const { findings, decisive } = decide([
      { finding: 'Pneumothorax', status: 'uncertain', trigger: { kind: 'hypothetical' } },
      { finding: 'Pneumothorax', status: 'negative', trigger: { kind: 'negation' } },
      { finding: 'Pneumonia', status: 'uncertain', trigger: { kind: 'historical' } },
      { finding: 'Edema', status: 'uncertain', trigger: { kind: 'uncertainty' } },
      { finding: 'Edema', status: 'negative', trigger: { kind: 'negation' } },
    ]);
    expect(findings.Pneumothorax).toBe('negative');
    expect(decisive.get('Pneumothorax')).toBe(1);
    expect(findings.Pneumonia).toBe('uncertain');
    expect(findings.Edema).toBe('uncertain'); // a hedge still beats a denial (CheXpert)
    expect(decisive.get('Edema')).toBe(3);
    expect(mentionRank({ status: 'positive' })).toBeGreaterThan(mentionRank({ status: 'uncertain' }));
  });
});
