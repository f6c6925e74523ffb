/** Entry point of `radreportx` (run with `npx tsx training/cli.ts <command>` or the package bin). */
import { COMMANDS } from './commands/index.ts';
import { runCli } from './lib/runner.ts';

process.exitCode = await runCli(process.argv.slice(2), COMMANDS);
