import { describe, expect, it } from 'vitest';
import { labelFindings, rulesEngine, RULES_VERSION } from './index.ts';

describe('labelFindings', () => {
  it('returns status empty (never Normal) for blank or de-identified-only text', () => {
    for (const text of ['', '   ', 'XXXX XXXX.', '\n\n']) {
      const r = labelFindings(text);
      expect(r.status).toBe('empty');
      expect(r.normal).toBe(false);
      expect(r.message).toBeTruthy();
    }
  });

  it('returns an error row, not an exception, for a value that is not text', () => {
    const r = labelFindings(42 as unknown as string);
    expect(r).toMatchObject({ status: 'error', normal: false });
    expect(r.message).toContain('not text');
  });

  it('labels a normal report Normal', () => {
    const r = labelFindings('FINDINGS: The heart is normal in size. No effusion or pneumothorax. IMPRESSION: No acute disease.');
    expect(r.status).toBe('ok');
    expect(r.normal).toBe(true);
    expect(r.findings['Pleural Effusion']).toBe('negative');
    expect(r.findings.Cardiomegaly).toBe('absent');
    expect(r.engine).toEqual({ name: 'rules', version: RULES_VERSION });
  });

  it('gives evidence with mention and trigger spans that point into the text', () => {
    const text = 'FINDINGS: Mild cardiomegaly. No pleural effusion.';
    const r = labelFindings(text);
    expect(r.normal).toBe(false);
    const cardio = r.evidence.find((e) => e.finding === 'Cardiomegaly')!;
    expect(cardio).toMatchObject({ status: 'positive', section: 'findings' });
    expect(text.slice(cardio.mention.start, cardio.mention.end)).toBe(cardio.mention.text);
    expect(cardio.mention.text).toBe('cardiomegaly');
    expect(cardio.trigger).toBeUndefined();
    const effusion = r.evidence.find((e) => e.finding === 'Pleural Effusion')!;
    expect(effusion.status).toBe('negative');
    expect(effusion.trigger).toMatchObject({ kind: 'negation', text: 'No' });
    expect(text.slice(effusion.trigger!.start, effusion.trigger!.end)).toBe('No');
  });

  it('counts uncertain findings against Normal only with uncertainAsPositive', () => {
    const text = 'Possible pneumonia.';
    expect(labelFindings(text).normal).toBe(true);
    expect(labelFindings(text, { uncertainAsPositive: true }).normal).toBe(false);
  });

  it("reads the indication only in sections mode 'all'", () => {
    const text = 'INDICATION: pneumonia. FINDINGS: Clear lungs.';
    expect(labelFindings(text).findings.Pneumonia).toBe('absent');
    expect(labelFindings(text, { sections: 'all' }).findings.Pneumonia).toBe('positive');
  });

  it('orders evidence by position', () => {
    const r = labelFindings('Effusion. Pneumothorax. Atelectasis.');
    const starts = r.evidence.map((e) => e.mention.start);
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
    expect(r.evidence.map((e) => e.finding)).toEqual(['Pleural Effusion', 'Pneumothorax', 'Atelectasis']);
  });
});

describe('rulesEngine (task findings)', () => {
  it('implements LabelEngine with the same result as labelFindings', async () => {
    expect(rulesEngine.info.name).toBe('rules');
    const text = 'Small right pneumothorax.';
    expect(await rulesEngine.label(text)).toEqual(labelFindings(text));
  });

  it('rejects when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(rulesEngine.label('Effusion.', { signal: controller.signal })).rejects.toBeDefined();
  });
});
