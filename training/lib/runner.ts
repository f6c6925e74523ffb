/**
 * Runs one command from the registry and turns what it throws into an exit code and a message on stderr:
 * 0 done, 1 the run failed, 2 bad usage (unknown option, missing or misspelled column).
 */
import { RadReportXError, errorCode, errorMessage } from '../../src/lib/errors.ts';
import { closest } from '../../src/lib/csv/columns.ts';
import { readFileSync } from 'node:fs';
import { HelpRequested, VersionRequested } from './args.ts';
import type { Command } from './command.ts';

export const PROGRAM = 'radreportx';

/** The package's version, from the package.json the CLI ships in. */
export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

const USAGE_CODES = new Set(['BadUsage', 'MissingColumn']);

export function programHelp(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    `Usage: ${PROGRAM} <command> [options]`,
    '',
    'Label radiology reports on your own machine, measure labels against a reference, and train RadReportX.',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    `Run "${PROGRAM} <command> --help" for a command's options, "${PROGRAM} --version" for the version.`,
    '',
  ].join('\n');
}

export interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

const processIo: Io = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
};

/** Finds the command named by argv[0] and runs it; resolves to the process exit code. */
export async function runCli(argv: string[], commands: readonly Command[], io: Io = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? commands.find((c) => c.name === rest[0]) : undefined;
    io.stdout(topic ? withNewline(topic.help) : programHelp(commands));
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    io.stdout(`${PROGRAM} ${version()}\n`);
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    const guess = closest(name, commands.map((c) => c.name));
    io.stderr(`${PROGRAM}: unknown command "${name}".${guess ? ` Did you mean "${guess}"?` : ''}\n`);
    io.stderr(`Commands: ${commands.map((c) => c.name).join(', ')}. Run "${PROGRAM} --help" for more.\n`);
    return 2;
  }
  try {
    return await command.run(rest);
  } catch (e) {
    if (e instanceof VersionRequested) {
      io.stdout(`${PROGRAM} ${version()}\n`);
      return 0;
    }
    if (e instanceof HelpRequested) {
      io.stdout(withNewline(command.help));
      return 0;
    }
    return reportError(e, command.name, io);
  }
}

function reportError(e: unknown, commandName: string, io: Io): number {
  const code = errorCode(e);
  const ours = e instanceof RadReportXError;
  io.stderr(`${PROGRAM} ${commandName}: ${ours ? '' : 'unexpected error: '}${errorMessage(e)}\n`);
  if (ours && e.hint) io.stderr(`${e.hint}\n`);
  if (!ours && process.env.RADREPORTX_DEBUG && e instanceof Error && e.stack) io.stderr(`${e.stack}\n`);
  if (ours && code && USAGE_CODES.has(code)) {
    io.stderr(`Run "${PROGRAM} ${commandName} --help" for usage.\n`);
    return 2;
  }
  return 1;
}

const withNewline = (s: string) => (s.endsWith('\n') ? s : `${s}\n`);
