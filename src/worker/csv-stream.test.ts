import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { csvBatches, guessNewline, MAX_ROW_CHARS } from './csv-stream.ts';

async function allRows(text: string | Uint8Array, slice: number): Promise<{ rows: string[][]; problems: number[] }> {
  const rows: string[][] = [];
  const problems: number[] = [];
  for await (const b of csvBatches(new Blob([text as BlobPart]), ',', slice)) {
    for (const p of b.problems) problems.push(rows.length + p.row);
    rows.push(...b.rows);
  }
  return { rows, problems };
}

const CSV =
  'id,report\r\n' +
  '1,"No effusion, no pneumothorax."\r\n' +
  '2,"Line one\r\nline two with ""quotes"" — and é, ü, 肺"\r\n' +
  '\r\n' +
  '3,Plain text\r\n';

describe('csvBatches', () => {
  it('gives the same rows as parsing the whole text at once, whatever the slice size', async () => {
    const whole = Papa.parse<string[]>(CSV, { skipEmptyLines: true }).data;
    for (const slice of [1, 2, 3, 5, 7, 16, 1024]) {
      expect((await allRows(CSV, slice)).rows, `slice ${slice}`).toEqual(whole);
    }
  });

  it('decodes a UTF-8 character cut by a slice boundary', async () => {
    const bytes = new TextEncoder().encode('id,report\n1,肺 é\n');
    // Every slice size cuts one of the multi-byte characters somewhere.
    for (const slice of [1, 2, 13, 14, 15]) expect((await allRows(bytes, slice)).rows[1]).toEqual(['1', '肺 é']);
  });

  it('reports an unclosed quote on its row instead of throwing', async () => {
    const { rows, problems } = await allRows('id,report\n1,ok\n2,"never closed\n3,swallowed\n', 4);
    expect(rows.map((r) => r[0])).toEqual(['id', '1', '2']);
    expect(problems).toEqual([2]);
  });

  it('rejects bytes that are not UTF-8', async () => {
    await expect(allRows(Uint8Array.from([0x69, 0x64, 0x0a, 0xff, 0xfe, 0x0a]), 1024)).rejects.toMatchObject({ name: 'InvalidEncoding' });
  });

  it('stops on a quote left open over many megabytes', async () => {
    const huge = `id,report\n1,"${'x'.repeat(MAX_ROW_CHARS + 3 * 1024 * 1024)}\n2,ok\n`;
    await expect(allRows(huge, 1024 * 1024)).rejects.toMatchObject({ name: 'BrokenQuoting' });
  });

  it('guesses the line ending', () => {
    expect(guessNewline('a,b\r\nc')).toBe('\r\n');
    expect(guessNewline('a,b\nc')).toBe('\n');
    expect(guessNewline('a,b\rc')).toBe('\r');
    expect(guessNewline('a,b')).toBe('\n');
  });
});
