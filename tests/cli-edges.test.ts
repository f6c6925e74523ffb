/**
 * The CLI's edges, as a new user hits them: an output that is the input, `-i -`, `--version`, a folder where a
 * file belongs, files that are not UTF-8 CSV (UTF-16, xlsx, binary), a `;` file read with the default `,`,
 * leftovers of a killed run, and a lock held by a process that is already dead but not yet reaped.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lockOutput } from '../training/openai/store.ts';
import { processAlive } from '../training/lib/process-alive.ts';
import { csvRecords, ROOT, runCli, tempDir } from './fixtures/run-cli.ts';

const CSV = ['id,report', '1,Large right pleural effusion.', '2,No pneumothorax. Lungs are clear.', '3,Heart is enlarged.', ''].join('\n');

function reports(dir: string, name = 'reports.csv', text = CSV): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** A process id that is a zombie for a few seconds: its parent (`sleep`, after exec) never reaps it. */
async function zombiePid(): Promise<{ pid: number; stop: () => void }> {
  const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 20'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const pid = await new Promise<number>((resolve) => parent.stdout.once('data', (d: Buffer) => resolve(Number(String(d).trim()))));
  // Wait until the child has exited and shows as Z in /proc.
  for (let i = 0; i < 100; i++) {
    const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
    if (/\) Z /.test(stat)) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  return { pid, stop: () => parent.kill('SIGKILL') };
}

/** The id of a process that has exited and been reaped. */
const deadPid = () => spawnSync('true').pid!;

describe('the CLI never overwrites an input', { timeout: 180_000 }, () => {
  it('refuses label -i X -o X (also via ./X, a hard link and --stats X) with exit 2 and leaves X as it was', async () => {
    const dir = tempDir();
    const input = reports(dir);
    linkSync(input, join(dir, 'linked.csv'));
    const cases = [
      ['label', '-i', input, '-t', 'report', '-o', input],
      ['label', '-i', 'reports.csv', '-t', 'report', '-o', './reports.csv'],
      ['label', '-i', input, '-t', 'report', '-o', join(dir, 'linked.csv')],
      ['label', '-i', input, '-t', 'report', '-o', join(dir, 'out.csv'), '--stats', input],
    ];
    for (const args of cases) {
      const r = await runCli(args, { cwd: dir, entry: join(ROOT, 'training/bin/radreportx.mjs') });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/is the input file .*would destroy the input/);
    }
    expect(readFileSync(input, 'utf8')).toBe(CSV);
    expect(readdirSync(dir).sort()).toEqual(['linked.csv', 'reports.csv']);
  });

  it('refuses it in every command that reads and writes files', async () => {
    const dir = tempDir();
    const input = reports(dir);
    const jsonl = join(dir, 'labels.jsonl');
    writeFileSync(jsonl, `${JSON.stringify({ row: 1, ids: { id: '1' }, status: 'ok', findings: {}, normal: true })}\n`);
    mkdirSync(join(dir, 'data'));
    const train = join(dir, 'data', 'train.jsonl');
    writeFileSync(train, readFileSync(jsonl));
    const cases: string[][] = [
      ['labels-to-csv', '-i', jsonl, '-o', jsonl],
      ['evaluate', '-p', input, '--truth', input, '--json', input],
      ['evaluate', '--task', 'icd10', '-p', jsonl, '--truth', jsonl, '--json', jsonl],
      ['bench', '-i', input, '-t', 'report', '--json', input],
      ['dataset', '--reports', input, '-t', 'report', '--labels', train, '--out', join(dir, 'data')],
    ];
    for (const args of cases) {
      const before = readFileSync(args[args.indexOf(args.includes('--json') ? '--json' : args.includes('--labels') ? '--labels' : '-o') + 1], 'utf8');
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(/would destroy the input/);
      expect(readFileSync(args[args.indexOf(args.includes('--json') ? '--json' : args.includes('--labels') ? '--labels' : '-o') + 1], 'utf8')).toBe(before);
    }
  });
});

describe('standard input and --version', { timeout: 180_000 }, () => {
  it('-i - labels the CSV piped on standard input, the same as the file', async () => {
    const dir = tempDir();
    const fromFile = await runCli(['label', '-i', reports(dir), '-t', 'report', '--id-column', 'id', '-o', '-', '-q']);
    const fromStdin = await runCli(['label', '-i', '-', '-t', 'report', '--id-column', 'id', '-o', '-', '-q'], { input: CSV });
    expect(fromStdin.code).toBe(0);
    expect(fromStdin.stdout).toBe(fromFile.stdout);
    const rows = csvRecords(fromStdin.stdout);
    expect(rows.map((r) => [r.id, r.findings])).toEqual([['1', 'Pleural Effusion'], ['2', 'Normal'], ['3', 'Cardiomegaly']]);
  });

  it('prints the package version for --version, -V and after a command name', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const args of [['--version'], ['-V'], ['label', '--version']]) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout).toBe(`radreportx ${version}\n`);
    }
  });
});

describe('folders where files belong', { timeout: 180_000 }, () => {
  it('a folder as -i, an output under a file, or a folder as -o: a plain message and exit 2', async () => {
    const dir = tempDir();
    const input = reports(dir);
    const cases: [string[], RegExp][] = [
      [['label', '-i', dir, '-t', 'report', '-o', join(dir, 'o.csv')], /is a folder, not a file/],
      [['label', '-i', input, '-t', 'report', '-o', join(input, 'o.csv')], /is a file, not a folder/],
      [['label', '-i', join(input, 'x.csv'), '-t', 'report', '-o', join(dir, 'o.csv')], /is a file, not a folder/],
      [['label', '-i', input, '-t', 'report', '-o', dir], /is a folder; name a file/],
      [['evaluate', '-p', dir, '--truth', input], /predictions .* is a folder/],
      [['labels-to-csv', '-i', input, '-o', join(input, 'x.csv')], /is a file, not a folder/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stderr).not.toMatch(/EISDIR|ENOTDIR|unexpected error/);
    }
  });
});

describe('what the file really is', { timeout: 180_000 }, () => {
  const label = (input: string, extra: string[] = []) => runCli(['label', '-i', input, '-t', 'report', '--id-column', 'id', '-o', '-', '-q', ...extra]);

  it('reads UTF-16 (LE with and without a BOM, BE with a BOM) like the UTF-8 file', async () => {
    const dir = tempDir();
    const expected = (await label(reports(dir))).stdout;
    const le = Buffer.from(CSV, 'utf16le');
    const be = Buffer.from(le).swap16();
    const files = {
      'le-bom.csv': Buffer.concat([Buffer.from([0xff, 0xfe]), le]),
      'le.csv': le,
      'be-bom.csv': Buffer.concat([Buffer.from([0xfe, 0xff]), be]),
    };
    for (const [name, bytes] of Object.entries(files)) {
      writeFileSync(join(dir, name), bytes);
      const r = await label(join(dir, name));
      expect(r.code, `${name}: ${r.stderr}`).toBe(0);
      expect(r.stdout, name).toBe(expected);
    }
  });

  it('names an xlsx workbook, an old .xls and binary data for what they are, without suggesting windows-1252', async () => {
    const dir = tempDir();
    const files: [string, Buffer, RegExp][] = [
      ['book.xlsx', Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(200, 7)]), /Excel \.xlsx workbook/],
      ['old.csv', Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(200, 1)]), /old Excel/],
      ['blob.csv', Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 37) % 256)), /binary data/],
    ];
    for (const [name, bytes, what] of files) {
      writeFileSync(join(dir, name), bytes);
      const r = await label(join(dir, name));
      expect(r.code, name).toBe(1);
      expect(r.stderr, name).toMatch(/is not a CSV file: it is/);
      expect(r.stderr, name).toMatch(what);
      expect(r.stderr, name).not.toMatch(/windows-1252/);
    }
    expect(readFileSync(join(dir, 'book.xlsx')).length).toBe(204);
  });

  it('a ";" file is detected; read with --delimiter "," the missing-column error says --delimiter', async () => {
    const dir = tempDir();
    const semi = reports(dir, 'semi.csv', 'id;report\n1;Large right pleural effusion.\n');
    const auto = await label(semi);
    expect(auto.code).toBe(0);
    expect(csvRecords(auto.stdout)[0].findings).toBe('Pleural Effusion');
    const forced = await label(semi, ['--delimiter', ',']);
    expect(forced.code).toBe(2);
    expect(forced.stderr).toMatch(/The text column "report" is not in the file/);
    expect(forced.stderr).toMatch(/--delimiter/);
    // A comma file with a misspelt column gets no delimiter hint.
    const plain = await runCli(['label', '-i', reports(dir), '-t', 'reprt', '-o', '-']);
    expect(plain.code).toBe(2);
    expect(plain.stderr).not.toMatch(/--delimiter/);
  });
});

describe('leftovers of killed runs', { timeout: 180_000 }, () => {
  it('a rerun removes the .partial files of killed runs (dead or zombie) for its output, and keeps a live run\'s', async () => {
    const dir = tempDir();
    const input = reports(dir);
    const out = join(dir, 'out.csv');
    const zombie = await zombiePid();
    try {
      const dead = deadPid();
      const names = [`.out.csv.${dead}.partial`, `.out.csv.${zombie.pid}.partial`, `.out.csv.${process.pid}.partial`, `.other.csv.${dead}.partial`];
      for (const n of names) writeFileSync(join(dir, n), 'half a file');
      const r = await runCli(['label', '-i', input, '-t', 'report', '-o', out]);
      expect(r.code).toBe(0);
      expect(readdirSync(dir).sort()).toEqual([`.other.csv.${dead}.partial`, `.out.csv.${process.pid}.partial`, 'out.csv', 'reports.csv'].sort());
    } finally {
      zombie.stop();
    }
  });

  it('a lock left by a zombie process is taken over; one held by a live process is refused', async () => {
    const dir = tempDir();
    const path = join(dir, 'labels.jsonl');
    const zombie = await zombiePid();
    try {
      // Really a zombie: signal 0 still reaches it and /proc says Z, yet it counts as gone.
      expect(() => process.kill(zombie.pid, 0)).not.toThrow();
      expect(readFileSync(`/proc/${zombie.pid}/stat`, 'utf8')).toMatch(/\) Z /);
      expect(processAlive(zombie.pid)).toBe(false);
      expect(processAlive(process.pid)).toBe(true);
      writeFileSync(`${path}.lock`, String(zombie.pid));
      const release = lockOutput(path);
      expect(readFileSync(`${path}.lock`, 'utf8')).toBe(String(process.pid));
      release();
      const live = spawn('sleep', ['20']);
      try {
        writeFileSync(`${path}.lock`, String(live.pid));
        expect(() => lockOutput(path)).toThrow(/Another run \(process \d+\) is writing/);
      } finally {
        live.kill('SIGKILL');
      }
    } finally {
      zombie.stop();
    }
  });
});
