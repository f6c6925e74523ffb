/** `radreportx label` run as a real process on small messy CSV files, output checked row by row. */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FINDINGS } from '../src/lib/findings.ts';
import { CLI, csvRecords, runCli, tempDir } from './fixtures/run-cli.ts';

const BOM = '\uFEFF';
// Every awkward thing a real export has: BOM, CRLF, quoted newline, doubled quotes, a comma inside quotes,
// empty / blank / de-identified-only text, too many and too few fields, a repeated id, no final newline.
const MESSY = [
  'study_id,note,site',
  '1,"Large right pleural effusion.",A',
  '2,"No pneumothorax. Lungs are clear.",B',
  '3,"FINDINGS: Heart is enlarged.\r\nIMPRESSION: Cardiomegaly, ""stable"".",C',
  '4,,D',
  '5,"   ",E',
  '6,XXXX XXXX.,F',
  '7,too,many,fields,G',
  '8,short',
  '1,"Small left pneumothorax.",H',
].join('\r\n');

function writeMessy(dir: string): string {
  const path = join(dir, 'messy.csv');
  writeFileSync(path, BOM + MESSY);
  return path;
}

const noPartials = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.partial'));

describe('label on a messy CSV', { timeout: 180_000 }, () => {
  it('writes one CSV row per input row, in order, with the right status and codes', async () => {
    const dir = tempDir();
    const out = join(dir, 'out.csv');
    const r = await runCli(['label', '-i', writeMessy(dir), '-t', 'note', '--id-column', 'study_id', '-o', out]);
    expect(r.code).toBe(0);
    const text = readFileSync(out, 'utf8');
    expect(text.startsWith(`study_id,findings,status,${FINDINGS.join(',')}\n`)).toBe(true);
    const rows = csvRecords(text);
    expect(rows.map((x) => [x.study_id, x.status, x.findings])).toEqual([
      ['1', 'ok', 'Pleural Effusion'],
      ['2', 'ok', 'Normal'],
      ['3', 'ok', 'Cardiomegaly'],
      ['4', 'empty', ''],
      ['5', 'empty', ''],
      ['6', 'empty', ''],
      ['7', 'error', ''],
      ['8', 'error', ''],
      ['1', 'ok', 'Pneumothorax'],
    ]);
    expect(rows[0]['Pleural Effusion']).toBe('1');
    expect(rows[1].Pneumothorax).toBe('0');
    expect(rows[2].Cardiomegaly).toBe('1');
    // Rows that were not labeled carry no codes at all, so they can never read as Normal.
    for (const row of rows.slice(3, 8)) expect(FINDINGS.map((f) => row[f]).join('')).toBe('');
    expect(rows[8].Pneumothorax).toBe('1');

    expect(r.stderr).toMatch(/Row 7 has 5 fields but the header has 3/);
    expect(r.stderr).toMatch(/Row 8 has 2 fields but the header has 3/);
    expect(r.stderr).toMatch(/1 row has an id seen earlier/);
    expect(r.stderr).toMatch(/Labeled 9 rows .*4 ok, 3 empty, 2 error/);
    // No report text in the log.
    expect(r.stderr).not.toMatch(/effusion|pneumothorax|enlarged/i);
    expect(noPartials(dir)).toEqual([]);
  });

  it('writes JSONL with ids, row numbers, evidence, messages and duplicate flags', async () => {
    const dir = tempDir();
    const out = join(dir, 'out.jsonl');
    const r = await runCli(['label', '-i', writeMessy(dir), '-t', 'note', '--id-column', 'study_id', '-o', out, '--quiet']);
    expect(r.code).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.row)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(lines.map((l) => l.ids.study_id)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '1']);
    expect(lines[0].findings['Pleural Effusion']).toBe('positive');
    const evidence = lines[0].evidence.find((e: { finding: string }) => e.finding === 'Pleural Effusion');
    expect(evidence.mention.text.toLowerCase()).toContain('effusion');
    expect(lines[1].findings.Pneumothorax).toBe('negative');
    expect(lines[1].normal).toBe(true);
    expect(lines[1].evidence[0].trigger.kind).toBe('negation');
    // The quoted newline reached the engine intact (CRLF normalised to LF), so the offsets index the text.
    expect(lines[2].findings.Cardiomegaly).toBe('positive');
    for (const i of [3, 4, 5]) {
      expect(lines[i].status).toBe('empty');
      expect(lines[i].normal).toBe(false);
      expect(lines[i].message).toBeTruthy();
    }
    expect(lines[6]).toMatchObject({ status: 'error', normal: false });
    expect(lines[6].message).toMatch(/5 fields/);
    expect(lines[7].message).toMatch(/2 fields/);
    expect(lines[8].duplicateId).toBe(true);
    expect(lines.slice(0, 8).some((l) => 'duplicateId' in l)).toBe(false);
    expect(r.stderr).toMatch(/flagged with "duplicateId": true/);
    expect(r.stderr).not.toMatch(/Labeled/); // --quiet
  });

  it('joins several text columns as named sections, so the indication is skipped by default', async () => {
    const dir = tempDir();
    const input = join(dir, 'sections.csv');
    writeFileSync(input, 'uid,indication,findings,impression\nA,r/o pneumonia,Heart size normal. Lungs clear.,No acute disease.\nB,cough,,Right lower lobe pneumonia.\n');
    const out = join(dir, 'out.jsonl');
    const r = await runCli(['label', '-i', input, '-t', 'indication,findings,impression', '--id-column', 'uid', '-o', out, '-q']);
    expect(r.code).toBe(0);
    const [a, b] = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(a.findings.Pneumonia).toBe('absent');
    expect(a.normal).toBe(true);
    expect(b.findings.Pneumonia).toBe('positive');

    const all = join(dir, 'all.jsonl');
    await runCli(['label', '-i', input, '-t', 'indication,findings,impression', '--id-column', 'uid', '-o', all, '-q', '--sections', 'all']);
    const [allA] = readFileSync(all, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(allA.findings.Pneumonia).not.toBe('absent');
  });

  it('handles mixed line endings (CRLF, LF, lone CR) and a 1 MB report', async () => {
    const dir = tempDir();
    const big = `No pneumothorax. ${'The lungs are clear. '.repeat(50_000)}Small left pleural effusion.`;
    expect(big.length).toBeGreaterThan(1_000_000);
    const input = join(dir, 'mixed.csv');
    writeFileSync(input, `id,text\r\n1,Mild cardiomegaly.\n2,"${big}"\r3,Lungs are clear.\r\n`);
    const out = join(dir, 'out.csv');
    const r = await runCli(['label', '-i', input, '-t', 'text', '--id-column', 'id', '-o', out]);
    expect(r.code).toBe(0);
    const rows = csvRecords(readFileSync(out, 'utf8'));
    expect(rows.map((x) => [x.id, x.status])).toEqual([['1', 'ok'], ['2', 'ok'], ['3', 'ok']]);
    expect(rows[0].Cardiomegaly).toBe('1');
    expect(rows[1]['Pleural Effusion']).toBe('1');
    expect(rows[2].findings).toBe('Normal');
  });

  it('adds ICD-10 codes with --task both: an icd10 CSV column and the full list in JSONL', async () => {
    const dir = tempDir();
    const csv = join(dir, 'both.csv');
    const jsonl = join(dir, 'both.jsonl');
    const a = await runCli(['label', '-i', writeMessy(dir), '-t', 'note', '--id-column', 'study_id', '-o', csv, '--task', 'both', '-q']);
    const b = await runCli(['label', '-i', writeMessy(dir), '-t', 'note', '--id-column', 'study_id', '-o', jsonl, '--task', 'both', '-q']);
    expect([a.code, b.code]).toEqual([0, 0]);
    const text = readFileSync(csv, 'utf8');
    expect(text.split('\n')[0]).toBe(`study_id,findings,status,icd10,${FINDINGS.join(',')}`);
    const rows = csvRecords(text);
    expect(rows[0].icd10).toMatch(/^J90 /);
    expect(rows[0]['Pleural Effusion']).toBe('1');
    for (const row of rows.slice(3, 8)) expect(row.icd10).toBe('');
    const first = JSON.parse(readFileSync(jsonl, 'utf8').split('\n')[0]);
    const item = first.icd10.find((i: { code: string }) => i.code === 'J90');
    expect(item.title).toMatch(/Pleural effusion/);
    expect(item.phrase.toLowerCase()).toContain('effusion');
    expect(typeof item.start).toBe('number');
  });

  it('writes to standard output with -o - and records statistics with --stats', async () => {
    const dir = tempDir();
    const stats = join(dir, 'stats.json');
    const r = await runCli(['label', '-i', writeMessy(dir), '-t', 'note', '-o', '-', '--stats', stats]);
    expect(r.code).toBe(0);
    const rows = csvRecords(r.stdout);
    expect(rows).toHaveLength(9);
    expect(Object.keys(rows[0])[0]).toBe('findings'); // no id columns asked for
    const s = JSON.parse(readFileSync(stats, 'utf8'));
    expect(s).toMatchObject({ rows: 9, status: { ok: 4, empty: 3, error: 2, unparsed: 0 }, normal: 1 });
    expect(s.peakRssMb).toBeGreaterThan(10);
  });
});

describe('label refuses bad input clearly and writes nothing', { timeout: 180_000 }, () => {
  it('names the missing text column, lists the columns, suggests the closest (exit 2)', async () => {
    const dir = tempDir();
    const out = join(dir, 'out.csv');
    const r = await runCli(['label', '-i', writeMessy(dir), '-t', 'notes', '-o', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('The text column "notes" is not in the file');
    expect(r.stderr).toContain('"study_id", "note", "site"');
    expect(r.stderr).toContain('Did you mean "note"?');
    expect(existsSync(out)).toBe(false);
    expect(noPartials(dir)).toEqual([]);
  });

  it('names a missing id column too, and accepts a column that differs only in case', async () => {
    const dir = tempDir();
    const bad = await runCli(['label', '-i', writeMessy(dir), '-t', 'note', '--id-column', 'studyid', '-o', join(dir, 'o.csv')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('The id column "studyid"');
    const ok = await runCli(['label', '-i', writeMessy(dir), '-t', 'NOTE', '-o', join(dir, 'o.csv'), '-q']);
    expect(ok.code).toBe(0);
  });

  it('rejects an empty file, a header-only file, a missing file and a missing output folder', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'empty.csv'), '');
    writeFileSync(join(dir, 'header.csv'), `${BOM}id,text\r\n`);
    for (const name of ['empty.csv', 'header.csv']) {
      const out = join(dir, `${name}.out.csv`);
      const r = await runCli(['label', '-i', join(dir, name), '-t', 'text', '-o', out]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/is empty: there is nothing to label/);
      expect(existsSync(out)).toBe(false);
    }
    const missing = await runCli(['label', '-i', join(dir, 'nope.csv'), '-t', 'text', '-o', join(dir, 'x.csv')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('does not exist');
    // An output folder that does not exist is reported before any row is labeled.
    const noFolder = await runCli(['label', '-i', writeMessy(dir), '-t', 'note', '-o', join(dir, 'no/such/out.csv')]);
    expect(noFolder.code).toBe(2);
    expect(noFolder.stderr).toMatch(/Cannot write ".*out.csv": its folder does not exist/);
    expect(noFolder.stderr).not.toMatch(/Row 7/);
  });

  it('stops on invalid UTF-8 naming the line, keeps the previous output, leaves no partial file', async () => {
    const dir = tempDir();
    const input = join(dir, 'latin1.csv');
    const good = Array.from({ length: 3000 }, (_, i) => `${i},Mild cardiomegaly. No effusion.\n`).join('');
    // 0xE9 is "é" in Windows-1252 and an invalid byte in UTF-8.
    writeFileSync(input, Buffer.concat([Buffer.from(`id,text\n${good}`), Buffer.from([0x39, 0x39, 0x2c, 0x43, 0x61, 0x66, 0xe9, 0x0a])]));
    const out = join(dir, 'out.csv');
    writeFileSync(out, 'previous run\n');
    const r = await runCli(['label', '-i', input, '-t', 'text', '-o', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Line 3002 of ".*latin1.csv" \(byte \d+\) is not valid UTF-8 text/);
    expect(r.stderr).toMatch(/--encoding windows-1252/);
    expect(readFileSync(out, 'utf8')).toBe('previous run\n');
    expect(noPartials(dir)).toEqual([]);

    const fixed = await runCli(['label', '-i', input, '-t', 'text', '-o', out, '--encoding', 'windows-1252', '-q']);
    expect(fixed.code).toBe(0);
    expect(csvRecords(readFileSync(out, 'utf8'))).toHaveLength(3001);
  });

  it('leaves no output and no partial file when stopped with Ctrl-C mid-run', async () => {
    const dir = tempDir();
    const input = join(dir, 'long.csv');
    writeFileSync(input, `id,text\n${Array.from({ length: 150_000 }, (_, i) => `${i},"Stable mild cardiomegaly. No focal consolidation, effusion or pneumothorax."\n`).join('')}`);
    const out = join(dir, 'out.csv');
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'label', '-i', input, '-t', 'text', '-o', out], { stdio: 'pipe' });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    // Wait until rows are being written to the temporary file, then interrupt.
    for (let i = 0; i < 600; i++) {
      const partial = noPartials(dir)[0];
      if (partial && statSync(join(dir, partial)).size > 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(noPartials(dir)).toHaveLength(1);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toContain('no output was written');
    expect(existsSync(out)).toBe(false);
    expect(noPartials(dir)).toEqual([]);
  });
});
