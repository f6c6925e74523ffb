/** `radreportx dataset`: reports + labels → a torchtune training set (chat JSONL, or Alpaca records with --format alpaca) built with the app's prompts. */
import { UsageError } from '../../src/lib/errors.ts';
import { PROMPT_PROFILES, type PromptProfileId } from '../../src/lib/prompts/profiles.ts';
import { TASKS } from '../../src/lib/result.ts';
import { list, oneOf, parseCommandArgs, required } from '../lib/args.ts';
import type { Command } from '../lib/command.ts';
import { buildDataset, DATASET_FORMATS, DROPPED_FILE, MANIFEST_FILE, TRAIN_FILE, VALIDATION_FILE, type DatasetFormat } from '../pipeline/dataset/build.ts';
import { formatStats } from '../pipeline/dataset/stats.ts';
import { processContext, type RunContext } from '../pipeline/tool.ts';
import { join, resolve } from 'node:path';
import { checkInputFile, checkNotOverwritingInputs } from '../lib/files.ts';

const OPTIONS = {
  reports: { type: 'string' },
  'text-column': { type: 'string', short: 't' },
  'id-column': { type: 'string', multiple: true },
  labels: { type: 'string' },
  task: { type: 'string' },
  'prompt-profile': { type: 'string' },
  format: { type: 'string' },
  out: { type: 'string', short: 'o' },
  val: { type: 'string' },
  seed: { type: 'string' },
  json: { type: 'boolean' },
} as const;


const help = `Usage: radreportx dataset --reports reports.csv --text-column report --labels labels.jsonl --out data/ [options]

Builds a fine-tuning set from reports and their (weak) labels. Every example is built with the app's own prompt
module (buildRequests + formatAnswers), so the model is trained on exactly the prompts the app sends.

Required:
      --reports FILE        CSV with the report text (the file the labels were made from)
  -t, --text-column NAMES   column(s) with the text, as given to "label" (findings,impression)
      --labels FILE         labels: .jsonl from "label" (--engine openai, or --format jsonl), or .csv from "label"
  -o, --out DIR             where train.jsonl, validation.jsonl, dataset.json and dropped.csv go

Options:
      --id-column NAMES     id column(s) joining reports to labels (default: the data row number)
      --task TASK           findings | icd10 | both (default findings)
      --prompt-profile P    ${PROMPT_PROFILES.join(' | ')} (default json, the app's default)
      --format F            chat (default: torchtune chat_dataset JSONL) | alpaca (instruction/input/output
                            records for torchtune alpaca_dataset, the paper's format; needs --prompt-profile release)
      --val FRACTION        share of reports held out for validation (default 0.05)
      --seed S              seed of the split (default 1); the same inputs and seed give the same split
      --json                print the statistics as JSON on stdout instead of a table

Rows are dropped (and counted, with their ids in dropped.csv) when the label failed, was empty or unparsed, the
report is blank or unreadable, the same text was seen before (whitespace ignored), or the label's evidence does
not match the text. The split is stratified by each report's rarest positive finding (Normal when none), so every
finding keeps about the same share in train and validation. Both parts of a report (release profile, --task both)
stay in the same part.

Output (torchtune reads it with this dataset block; "radreportx finetune" writes it for you):
  dataset:
    _component_: torchtune.datasets.chat_dataset
    source: json
    data_files: data/${TRAIN_FILE}
    split: train
    conversation_column: messages
    conversation_style: openai
    train_on_input: False
  Each line: {"id": "...", "messages": [{"role": "system"|"user"|"assistant", "content": "..."}]}

Example:
  radreportx dataset --reports notes.csv -t report --id-column study_id --labels weak.jsonl --task findings --out data/
`;

export async function runDataset(argv: string[], ctx: RunContext): Promise<number> {
  const { values: v } = parseCommandArgs(argv, OPTIONS);
  const validation = v.val === undefined ? 0.05 : Number(v.val);
  if (!Number.isFinite(validation) || validation < 0 || validation >= 1) throw new UsageError(`--val must be a fraction from 0 to below 1 (got "${v.val}").`);
  const options = {
    reports: resolve(ctx.cwd, required(v.reports, 'reports')),
    textColumn: required(v['text-column'], 'text-column'),
    idColumns: list(v['id-column']),
    labels: resolve(ctx.cwd, required(v.labels, 'labels')),
    task: oneOf(v.task, 'task', TASKS, 'findings'),
    profile: oneOf(v['prompt-profile'], 'prompt-profile', PROMPT_PROFILES, 'json' as PromptProfileId),
    format: oneOf(v.format, 'format', DATASET_FORMATS, 'chat' as DatasetFormat),
    out: resolve(ctx.cwd, required(v.out, 'out')),
    validation,
    seed: v.seed ?? '1',
  };
  // The dataset's files are written into --out; none of them may be one of the inputs.
  checkInputFile(options.reports, 'reports');
  checkInputFile(options.labels, 'labels');
  checkNotOverwritingInputs([options.reports, options.labels], [TRAIN_FILE, VALIDATION_FILE, MANIFEST_FILE, DROPPED_FILE].map((f) => join(options.out, f)));
  const { manifest } = await buildDataset(options, (line) => ctx.err(`${line}\n`));
  ctx.out(v.json ? `${JSON.stringify(manifest.stats, null, 2)}\n` : `${formatStats(manifest.stats, options.task)}\n`);
  ctx.err(`Wrote ${options.out}/{${TRAIN_FILE},${VALIDATION_FILE},${MANIFEST_FILE},${DROPPED_FILE}} ` +
    `(profile ${manifest.promptProfile}, ${manifest.promptVersion}).\n`);
  return 0;
}

export const dataset: Command = {
  name: 'dataset',
  summary: 'build a torchtune training set (chat JSONL or Alpaca) from reports and weak labels',
  help,
  run: (argv) => runDataset(argv, processContext()),
};
