/** The shape every `radreportx` command has; `training/commands/index.ts` lists them. */
export interface Command {
  /** The word typed after `radreportx`. */
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Full `--help` text: usage line, options, examples. */
  help: string;
  /** Runs the command with the arguments after its name; resolves to the exit code. */
  run(argv: string[]): Promise<number>;
}
