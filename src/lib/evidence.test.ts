import { describe, expect, it } from 'vitest';
import { evidenceByFinding } from './evidence.ts';
import { labelReport } from './rules/index.ts';

describe('evidenceByFinding', () => {
  it('shows the mention that decided the status, the others as secondary', () => {
    const text = 'No pleural effusion on the left. Small right pleural effusion.';
    const result = labelReport(text);
    expect(result.findings['Pleural Effusion']).toBe('positive');
    const ev = evidenceByFinding(result).get('Pleural Effusion')!;
    expect(ev.decisive.status).toBe('positive');
    expect(ev.decisive.mention.start).toBe(text.lastIndexOf('effusion'));
    expect(ev.secondary.map((e) => e.status)).toEqual(['negative']);
    expect(result.evidence.filter((e) => e.role === 'decisive')).toHaveLength(1);
  });

  it('lets the answer, not the question, decide', () => {
    const result = labelReport('Evaluate for pneumothorax. No pneumothorax is identified.');
    const ev = evidenceByFinding(result).get('Pneumothorax')!;
    expect(result.findings.Pneumothorax).toBe('negative');
    expect(ev.decisive.trigger?.kind).toBe('negation');
    expect(ev.secondary[0].trigger?.kind).toBe('hypothetical');
  });

  it('falls back to the first mention with the finding status when roles are not marked', () => {
    const result = labelReport('No effusion on the left. Small right effusion.');
    const stripped = { ...result, evidence: result.evidence.map(({ role: _r, ...e }) => e) };
    expect(evidenceByFinding(stripped).get('Pleural Effusion')!.decisive.status).toBe('positive');
  });
});
