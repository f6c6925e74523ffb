/** Every registered command answers --help, and bad usage exits with status 2 and a hint. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../training/commands/index.ts';
import { ROOT, runCli } from './fixtures/run-cli.ts';

describe('radreportx usage', { timeout: 180_000 }, () => {
  it('lists every command in --help', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const c of COMMANDS) expect(r.stdout).toMatch(new RegExp(`^  ${c.name}\\s+${c.summary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
  });

  it.each(COMMANDS.map((c) => c.name))('%s --help prints its usage and exits 0', async (name) => {
    const r = await runCli([name, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Usage: radreportx ${name}\\b`));
    expect(r.stderr).toBe('');
  });

  it('shows help with -h even next to an unknown option, and through "help <command>"', async () => {
    const a = await runCli(['label', '--nonsense', '-h']);
    expect(a.code).toBe(0);
    expect(a.stdout).toMatch(/^Usage: radreportx label/);
    const b = await runCli(['help', 'evaluate']);
    expect(b.code).toBe(0);
    expect(b.stdout).toMatch(/^Usage: radreportx evaluate/);
  });

  it('exits 2 without a command, on an unknown command (with a suggestion) and on unknown options', async () => {
    const none = await runCli([]);
    expect(none.code).toBe(2);
    expect(none.stdout).toMatch(/^Usage: radreportx <command>/);
    const typo = await runCli(['evalute']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('unknown command "evalute". Did you mean "evaluate"?');
    const option = await runCli(['bench', '--rowz', '5']);
    expect(option.code).toBe(2);
    expect(option.stderr).toContain("Unknown option '--rowz'");
    expect(option.stderr).toContain('Run "radreportx bench --help" for usage.');
  });

  it('exits 2 on missing or invalid option values', async () => {
    const cases: [string[], RegExp][] = [
      [['label', '-t', 'x', '-o', 'o.csv'], /Missing required option --input/],
      [['label', '-i', 'a.csv', '-o', 'o.csv'], /Missing required option --text-column/],
      [['label', '-i', 'a.csv', '-t', 'x'], /Missing required option --output/],
      [['label', '-i', 'a.csv', '-t', 'x', '-o', 'o.csv', '--task', 'icd11'], /--task must be one of findings, icd10, both/],
      [['label', '-i', 'a.csv', '-t', 'x', '-o', 'o.csv', '--engine', 'magic'], /Unknown engine "magic"/],
      [['label', '-i', 'a.csv', '-t', 'x', '-o', 'o.parquet'], /Cannot tell the output format/],
      [['label', '-i', 'a.csv', '-t', 'x', '-o', 'o.csv', 'extra'], /Unexpected argument "extra"/],
      [['bench', '--rows=-3'], /--rows must be a positive whole number/],
      [['bench', '--rows', '2.5'], /--rows must be a positive whole number/],
    ];
    const results = await Promise.all(cases.map(([args]) => runCli(args)));
    results.forEach((r, i) => {
      expect(r.code, cases[i][0].join(' ')).toBe(2);
      expect(r.stderr).toMatch(cases[i][1]);
    });
  });

  it('runs through the package bin', async () => {
    const r = await runCli(['--help'], { entry: join(ROOT, 'training/bin/radreportx.mjs') });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: radreportx <command>/);
  });
});
