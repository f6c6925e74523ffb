/** `radreportx merge`: joins the outputs of `label --shard K/N` runs back into one output, in input order. */
import { parseCommandArgs, required } from '../lib/args.ts';
import type { Command } from '../lib/command.ts';
import { mergeShards } from '../lib/parallel/merge.ts';

const OPTIONS = {
  output: { type: 'string', short: 'o' },
  quiet: { type: 'boolean', short: 'q' },
} as const;

const help = `Usage: radreportx merge --output labels.csv SHARD_OUTPUT...

Joins the outputs of "radreportx label --shard 1/N", ..., "--shard N/N" into the output one whole run writes,
byte for byte, in input order. Each shard output has a manifest beside it (OUTPUT.shard.json); the merge reads
them first and writes nothing when a shard is missing or given twice, when the shards labeled different input
files or with different options, or when a shard holds more or fewer rows than its manifest says.

Options:
  -o, --output FILE   the merged .csv or .jsonl (written to a temporary file, renamed at the end)
  -q, --quiet         no summary

Examples:
  radreportx merge -o labels.csv parts/part-*.csv
  radreportx merge -o labels.jsonl a.jsonl b.jsonl c.jsonl    # any order: the manifests say which is which
`;

export const merge: Command = {
  name: 'merge',
  summary: 'join the outputs of label --shard K/N runs back into one, in input order',
  help,
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, OPTIONS, { positionals: true });
    const output = required(values.output, 'output');
    const summary = await mergeShards(positionals, output);
    if (!values.quiet) {
      const n = (x: number) => x.toLocaleString('en-US');
      const counts = (['ok', 'empty', 'error', 'unparsed'] as const).filter((k) => summary.status[k] > 0 || k === 'ok').map((k) => `${n(summary.status[k])} ${k}`);
      process.stderr.write(`Merged ${summary.shards} shards: ${n(summary.rows)} rows, ${counts.join(', ')} (${n(summary.normal)} Normal). Output: ${output}\n`);
      if (summary.duplicates) process.stderr.write(`warning: ${n(summary.duplicates)} rows have ids seen earlier in the file; kept.\n`);
    }
    return 0;
  },
};
