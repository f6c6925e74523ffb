import { writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { firstInvalidUtf8 } from '../../src/lib/csv/decode.ts';
import { readCsvRows } from './csv-stream.ts';

const CHUNK = 256 * 1024; // the read size readCsvRows uses
const dir = mkdtempSync(join(tmpdir(), 'radreportx-csv-'));

async function rowsOf(content: string | Buffer, options = {}): Promise<string[][]> {
  const path = join(dir, `f${Math.random().toString(36).slice(2)}.csv`);
  writeFileSync(path, content);
  const rows: string[][] = [];
  for await (const row of readCsvRows(path, options)) rows.push(row);
  return rows;
}

describe('readCsvRows', () => {
  it('strips the BOM, normalises CRLF and lone CR, keeps quoted newlines and skips blank lines', async () => {
    const rows = await rowsOf('\uFEFFid,text\r\n1,"a\r\nb"\r\n\r\n2,"say ""hi"", ok"\r3,c\n');
    expect(rows).toEqual([['id', 'text'], ['1', 'a\nb'], ['2', 'say "hi", ok'], ['3', 'c']]);
  });

  it('keeps CRLF and multi-byte characters intact across read-chunk boundaries', async () => {
    const head = 'id,text\n1,';
    // Put "\r" as the last byte of the first chunk and split "é" (2 bytes) across the second boundary.
    const filler = 'x'.repeat(CHUNK - head.length - 1);
    const second = 'y'.repeat(CHUNK - 3);
    const content = `${head}${filler}\r\n2,${second}é\r\n3,z\r\n`;
    const rows = await rowsOf(content);
    expect(rows.map((r) => r[0])).toEqual(['id', '1', '2', '3']);
    expect(rows[1][1]).toBe(filler);
    expect(rows[2][1].endsWith('yé')).toBe(true);
  });

  it('reads other delimiters and encodings when told', async () => {
    expect(await rowsOf('a\tb\n1\t2,3\n', { delimiter: '\t' })).toEqual([['a', 'b'], ['1', '2,3']]);
    expect(await rowsOf(Buffer.from([0x61, 0x0a, 0x63, 0x61, 0x66, 0xe9, 0x0a]), { encoding: 'windows-1252' })).toEqual([['a'], ['café']]);
  });

  it('fails on invalid UTF-8 with the line, and on empty files', async () => {
    await expect(rowsOf(Buffer.from([0x61, 0x0a, 0x62, 0x0a, 0xff, 0x0a]))).rejects.toMatchObject({ name: 'InvalidEncoding', message: expect.stringMatching(/^Line 3 of .* \(byte 5\) is not valid UTF-8/) });
    await expect(rowsOf('')).rejects.toMatchObject({ name: 'EmptyInput' });
    await expect(rowsOf('\n\n\r\n')).rejects.toMatchObject({ name: 'EmptyInput' });
  });
});

describe('firstInvalidUtf8', () => {
  it('finds the first bad byte and accepts a sequence cut at the end', () => {
    expect(firstInvalidUtf8(Buffer.from('plain é ✓ 𝄞'))).toBe(-1);
    expect(firstInvalidUtf8(Buffer.from([0x61, 0xc3]))).toBe(-1);
    expect(firstInvalidUtf8(Buffer.from([0x61, 0x62, 0xe9, 0x20]))).toBe(2);
    expect(firstInvalidUtf8(Buffer.from([0xc0, 0x80]))).toBe(0); // overlong
  });
});
