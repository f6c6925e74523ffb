/**
 * `label` reads files the way the page does (the core's detection): UTF-16 with or without BOM, windows-1252 by
 * choice, `;` / tab / `.tsv` delimiters, a one-column file whose reports hold `;`, no header row, duplicate
 * column names, an id column named twice, and the --delimiter hint when a header looks like one field.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCsv, runCli, tempDir } from './fixtures/run-cli.ts';

const dir = tempDir('radreportx-detect-');
const write = (name: string, content: string | Buffer) => {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
};
const REPORTS = 'id,report\n1,Mild cardiomegaly.\n2,No pleural effusion; lungs are clear.\n';

async function label(input: string, ...args: string[]) {
  const out = join(dir, `out-${Math.random().toString(36).slice(2)}.csv`);
  const r = await runCli(['label', '-i', input, '-o', out, '-q', ...args]);
  return { ...r, rows: r.code === 0 ? parseCsv(readFileSync(out, 'utf8')) : [] };
}
const cells = (rows: string[][]) => rows.slice(1).map((r) => r.slice(0, 3));

describe('label: detection shared with the page', () => {
  it('reads UTF-16 with and without a BOM', async () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(REPORTS, 'utf16le')]);
    const noBom = Buffer.from(REPORTS, 'utf16le');
    for (const file of [write('le.csv', le), write('nobom.csv', noBom)]) {
      const r = await label(file, '-t', 'report', '--id-column', 'id');
      expect(r.code, r.stderr).toBe(0);
      expect(cells(r.rows)).toEqual([['1', 'Cardiomegaly', 'ok'], ['2', 'Normal', 'ok']]);
    }
  });

  it('refuses windows-1252 bytes naming the choice, and reads them with --encoding windows-1252', async () => {
    const file = write('cp1252.csv', Buffer.concat([Buffer.from('id,report\n1,Caf'), Buffer.from([0xe9]), Buffer.from(' cardiomegaly.\n')]));
    const bad = await label(file, '-t', 'report');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/Line 2 of ".*cp1252.csv" \(byte \d+\) is not valid UTF-8/);
    expect(bad.stderr).toContain('--encoding windows-1252');
    expect((await label(file, '-t', 'report', '--encoding', 'windows-1252')).code).toBe(0);
  });

  it('diagnoses an xlsx workbook instead of suggesting an encoding', async () => {
    const r = await label(write('book.xlsx', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 6, 0, 8, 0, 0, 0, 0x21, 0])), '-t', 'report');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/is not a CSV file: it is a ZIP archive \(an Excel \.xlsx workbook is one\)/);
    expect(r.stderr).not.toContain('--encoding');
  });

  it('detects ; and tab delimiters and .tsv files, and keeps a one-column file with ; in it one column', async () => {
    const semi = await label(write('semi.csv', 'id;report\n1;Mild cardiomegaly, stable.\n2;Lungs clear, no effusion.\n'), '-t', 'report', '--id-column', 'id');
    expect(cells(semi.rows)).toEqual([['1', 'Cardiomegaly', 'ok'], ['2', 'Normal', 'ok']]);
    expect(semi.stderr).toContain('semicolon-separated (detected');
    const tsv = await label(write('r.tsv', 'id\treport\n1\tMild cardiomegaly.\n'), '-t', 'report', '--id-column', 'id');
    expect(cells(tsv.rows)).toEqual([['1', 'Cardiomegaly', 'ok']]);
    const one = await label(write('one.csv', 'report\nMild cardiomegaly; no effusion.\nLungs clear; heart normal.\n'), '-t', 'report');
    expect(one.rows.slice(1).map((r) => r.slice(0, 2))).toEqual([['Cardiomegaly', 'ok'], ['Normal', 'ok']]);
  });

  it('mentions --delimiter when the header was read as one field and the column is missing', async () => {
    const r = await label(write('pipe.csv', 'id:report\n1:Mild cardiomegaly.\n'), '-t', 'report');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--delimiter/);
  });

  it('reads a file without a header row with --header no (columns by position), and says so when auto finds none', async () => {
    const file = write('nohead.csv', '1,"Mild cardiomegaly. Lungs clear."\n2,"No pleural effusion. Heart normal."\n');
    const r = await label(file, '-t', 'column_2', '--id-column', 'column_1');
    expect(r.code, r.stderr).toBe(0);
    expect(cells(r.rows)).toEqual([['1', 'Cardiomegaly', 'ok'], ['2', 'Normal', 'ok']]);
    const named = await label(file, '-t', 'report');
    expect(named.code).toBe(2);
    expect(named.stderr).toMatch(/first row looks like data .*--header yes/);
    const forced = await label(write('head.csv', 'study,report\nA,Mild cardiomegaly.\n'), '-t', 'report', '--header', 'yes');
    expect(cells(forced.rows)).toEqual([['Cardiomegaly', 'ok', '']]);
  });

  it('flags duplicate column names and asks which one; an id column named twice is written once', async () => {
    const file = write('dup.csv', 'id,report,report\n1,,Mild cardiomegaly.\n');
    const r = await label(file, '-t', 'report');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/2 columns named "report" \(columns 2 and 3\)/);
    expect(r.stderr).toContain('"report (2)"');
    const ok = await label(file, '-t', 'report (2)', '--id-column', 'id', '--id-column', 'id,id');
    expect(ok.stderr).toMatch(/2 columns are named "report"/);
    expect(ok.rows[0].slice(0, 3)).toEqual(['id', 'findings', 'status']);
    expect(cells(ok.rows)).toEqual([['1', 'Cardiomegaly', 'ok']]);
  });

  it('recognises id columns by name in the page inspection the CLI shares', async () => {
    const { inspectHead } = await import('../src/lib/csv/reader.ts');
    const b = new TextEncoder().encode('Accession Number,Report Text\nCXR1,"Heart is normal, lungs are clear."\n');
    expect(inspectHead(b, b.length).suggestedId).toEqual(['Accession Number']);
  });
});
