/**
 * Argument parsing shared by every `radreportx` command: a thin layer over `node:util` parseArgs that adds
 * `--help`/`-h` to every command and turns parse failures into a `UsageError` (exit code 2).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../../src/lib/errors.ts';

/** The option table parseArgs takes (node:util does not export the type under a name). */
export type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** Thrown when the user asked for `--help`; the CLI runner prints the command's help and exits 0. */
export class HelpRequested extends Error {
  constructor() {
    super('help requested');
    this.name = 'HelpRequested';
  }
}

/** Thrown for `--version` after a command name; the CLI runner prints the version and exits 0. */
export class VersionRequested extends Error {
  constructor() {
    super('version requested');
    this.name = 'VersionRequested';
  }
}

const HELP = { help: { type: 'boolean', short: 'h' } } as const;

export interface ParseOptions {
  /** Allow bare words after the options (most commands take none). */
  positionals?: boolean;
}

/**
 * Parses `argv` against `options` (strict: unknown options are usage errors). Throws `HelpRequested` when
 * `--help` is given, even next to otherwise invalid options, so help always works.
 */
export function parseCommandArgs<const O extends ParseArgsOptionsConfig>(argv: string[], options: O, config: ParseOptions = {}) {
  if (argv.includes('--help') || argv.includes('-h')) throw new HelpRequested();
  if (argv.includes('--version') && !('version' in options)) throw new VersionRequested();
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { ...options, ...HELP } as O & typeof HELP,
      strict: true,
      allowPositionals: true,
    });
    if (!config.positionals && positionals.length > 0) {
      throw new UsageError(`Unexpected argument "${positionals[0]}".`);
    }
    return { values, positionals };
  } catch (e) {
    if (e instanceof UsageError) throw e;
    // parseArgs throws TypeErrors whose messages already name the offending option.
    throw new UsageError((e as Error).message.replace(/\s*To specify a positional argument.*$/s, ''));
  }
}

/** The value of a required string option, or a usage error naming it. */
export function required(value: string | undefined, flag: string): string {
  if (value === undefined || value.trim() === '') throw new UsageError(`Missing required option --${flag}.`);
  return value;
}

/** Validates an option against a fixed set of choices and returns it typed. */
export function oneOf<const T extends string>(value: string | undefined, flag: string, choices: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if ((choices as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`--${flag} must be one of ${choices.join(', ')} (got "${value}").`);
}

/** A positive integer option (`--rows 1000`, `--rows 200k`, `--rows 1e5`). */
export function positiveInt(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const m = /^(\d+(?:\.\d+)?(?:e\d+)?)([km]?)$/i.exec(value.trim());
  const n = m ? Number(m[1]) * (m[2].toLowerCase() === 'k' ? 1e3 : m[2].toLowerCase() === 'm' ? 1e6 : 1) : NaN;
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--${flag} must be a positive whole number (got "${value}").`);
  return n;
}

/** Splits a comma-separated list option, trimming blanks away (`--id-column a,b`). */
export function list(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  const parts = Array.isArray(value) ? value : [value];
  return parts.flatMap((p) => p.split(',')).map((s) => s.trim()).filter(Boolean);
}
