import { describe, expect, it } from 'vitest';
import { inspectCsv, looksLikeText } from './inspect.ts';

const blob = (s: string | Uint8Array) => new Blob([s as BlobPart]);

describe('inspectCsv', () => {
  it('suggests findings + impression and the uid column for the IU X-ray layout', async () => {
    const csv = 'uid,MeSH,indication,findings,impression\n1,normal,Chest pain,"The lungs are clear bilaterally.",No acute disease.\n';
    const r = await inspectCsv(blob(csv), 'iu.csv');
    expect(r.suggestedText).toEqual(['findings', 'impression']);
    expect(r.suggestedId).toEqual(['uid']);
    expect(r.noTextColumn).toBe(false);
  });

  it('falls back to the column with the longest prose', async () => {
    const csv = 'accession,code,narrative_x\nA1,42,"Heart size is normal and the lungs are clear."\n';
    const r = await inspectCsv(blob(csv), 'x.csv');
    expect(r.suggestedText).toEqual(['narrative_x']);
    expect(r.suggestedId).toEqual(['accession']);
  });

  it('detects tab-separated files', async () => {
    const r = await inspectCsv(blob('id\treport\n1\tNo pleural effusion is seen.\n'), 'x.tsv');
    expect(r.delimiter).toBe('\t');
    expect(r.header).toEqual(['id', 'report']);
  });

  it('says when no column looks like report text', async () => {
    const r = await inspectCsv(blob('id,age\n1,54\n2,61\n'), 'n.csv');
    expect(r.noTextColumn).toBe(true);
    expect(r.suggestedText).toEqual([]);
  });

  it('refuses empty files, header-only files, binary files and non-UTF-8 text with named errors', async () => {
    await expect(inspectCsv(blob(''), 'e.csv')).rejects.toMatchObject({ name: 'EmptyInput' });
    await expect(inspectCsv(blob('  \n\n'), 'e.csv')).rejects.toMatchObject({ name: 'EmptyInput' });
    await expect(inspectCsv(blob('id,report\n'), 'h.csv')).rejects.toMatchObject({ name: 'EmptyInput', message: expect.stringContaining('header but no rows') });
    await expect(inspectCsv(blob(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0, 0])), 'x.png')).rejects.toMatchObject({ name: 'NotCsv' });
    await expect(inspectCsv(blob(Uint8Array.from([0x69, 0x64, 0x0a, 0xe9, 0x0a])), 'latin1.csv')).rejects.toMatchObject({ name: 'InvalidEncoding' });
  });
});

describe('looksLikeText', () => {
  it('tells prose from codes and numbers', () => {
    expect(looksLikeText(['No acute cardiopulmonary process.'])).toBe(true);
    expect(looksLikeText(['J90', '42', 'A-17'])).toBe(false);
  });
});
