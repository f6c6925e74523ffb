/** `radreportx label`: labels every report of a CSV file and writes CSV or JSONL. */
import { extname } from 'node:path';
import { DIFFERENTIAL_MODES, type SectionMode } from '../../src/lib/engine.ts';
import { UsageError } from '../../src/lib/errors.ts';
import { TASKS } from '../../src/lib/result.ts';
import { ENGINES, engineOptions, findEngine, type LabelRun } from '../engines.ts';
import { list, oneOf, parseCommandArgs, required } from '../lib/args.ts';
import type { Command } from '../lib/command.ts';
import { ENCODINGS, parseEncoding } from '../../src/lib/csv/decode.ts';
import { parseDelimiter } from '../../src/lib/csv/reader.ts';
import { checkInputFile, checkNotOverwritingInputs, checkOutputPath, spoolStdin, STDIO } from '../lib/files.ts';
import { formatSummary, labelCsv } from '../lib/label-csv.ts';
import { PARALLEL_HELP, PARALLEL_OPTIONS, resolveParallel } from '../lib/parallel/options.ts';
import { WorkerSet } from '../lib/parallel/pool.ts';

const OPTIONS = {
  engine: { type: 'string' },
  input: { type: 'string', short: 'i' },
  'text-column': { type: 'string', short: 't' },
  'id-column': { type: 'string', multiple: true },
  output: { type: 'string', short: 'o' },
  format: { type: 'string' },
  task: { type: 'string' },
  sections: { type: 'string' },
  differentials: { type: 'string' },
  delimiter: { type: 'string' },
  encoding: { type: 'string' },
  header: { type: 'string' },
  progress: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  stats: { type: 'string' },
} as const;

const SECTIONS = ['findings,impression', 'all'] as const satisfies readonly SectionMode[];

const help = () => `Usage: radreportx label --input reports.csv --text-column report --output labels.csv [options]

Labels every report in a CSV file with the 13 findings (and/or ICD-10 codes) and writes one row per report.
The file is streamed: any size works in constant memory. The output appears only when the run finishes.

Required:
  -i, --input FILE          CSV or TSV file (UTF-8 or UTF-16; a BOM, CRLF and quoted newlines are fine);
                            - reads standard input
  -t, --text-column NAMES   column holding the report text; several columns, comma-separated
                            (e.g. findings,impression), are joined as sections under their names
  -o, --output FILE         .csv or .jsonl (written to a temporary file, renamed at the end); - for stdout;
                            never the input file

Options:
      --engine NAME         ${ENGINES.map((e) => e.name).join(' | ')} (default rules)
${ENGINES.map((e) => `                              ${e.name}: ${e.summary}`).join('\n')}
      --id-column NAMES     column(s) copied to the output to identify rows (repeat or comma-separate; a
                            column named twice is written once); duplicate ids are kept and counted on
                            stderr (flagged in JSONL)
      --task TASK           findings | icd10 | both (default findings)
      --sections MODE       findings,impression (default: skip the indication/history) | all
      --differentials HOW   uncertain (default) | positive: how the diagnoses of a differential count
                            ("atelectasis or scarring", "X versus Y", "X and/or Y"); positive is the IU
                            indexers' convention. Rules engine; never codes ICD-10 (docs/conventions.md)
      --format FMT          csv | jsonl (default from the output's extension; csv for stdout)
      --delimiter CHAR      field delimiter: auto (default: , tab ; or | from the file's start; tab for .tsv;
                            a one-column file stays one column) or one character ("tab" for TSV)
      --encoding NAME       ${ENCODINGS.join(' | ')} (default auto: UTF-8, or UTF-16 with or
                            without a BOM; invalid UTF-8 bytes are an error naming the line)
      --header WHEN         auto | yes | no: whether the first row names the columns (default auto; without a
                            header the columns are column_1, column_2, ...)
      --progress            show progress on stderr even when it is not a terminal
  -q, --quiet               no progress and no summary (warnings still go to stderr)
      --stats FILE          write run statistics (rows, rows/s, peak memory) as JSON

${PARALLEL_HELP}${ENGINES.filter((e) => e.help).map((e) => `\n${e.help!.trimEnd()}\n`).join('')}
Output:
  CSV:   the id columns, findings ("; "-joined names, Normal, or blank when not labeled), status
         (ok | empty | error | unparsed), [icd10], then one column per finding coded 1 / 0 / -1 / blank
         (positive / negative / uncertain / not mentioned).
  JSONL: one object per row: {"row", "ids", ["duplicateId"], "status", "normal", "findings", ["icd10"],
         ["message"], "evidence", "engine", ["raw"], ["usage"], "text"}; evidence offsets index "text", the
         report as labeled (several columns joined under their names as section headings).

Rows with too many or too few fields, or broken quoting, become status "error" and empty text becomes "empty" (never Normal);
the run goes on. Exit codes: 0 done, 1 failed (nothing written), 2 bad usage or missing column.

Examples:
  radreportx label -i notes.csv -t report --id-column study_id -o labels.csv
  radreportx label -i indiana_reports.csv -t findings,impression --id-column uid -o iu.jsonl --task both
  radreportx label -i archive.csv -t report --id-column id -o part-3.csv --shard 3/8   # then: radreportx merge
`;

/** The parsed common options (engine-specific ones ride along untyped). */
interface LabelValues {
  engine?: string;
  input?: string;
  'text-column'?: string;
  'id-column'?: string[];
  output?: string;
  format?: string;
  task?: string;
  sections?: string;
  differentials?: string;
  delimiter?: string;
  encoding?: string;
  header?: string;
  progress?: boolean;
  quiet?: boolean;
  stats?: string;
  jobs?: string;
  shard?: string;
  'chunk-rows'?: string;
}

function resolveRun(v: LabelValues): LabelRun {
  const engine = v.engine ?? 'rules';
  if (!findEngine(engine)) throw new UsageError(`Unknown engine "${engine}". Engines: ${ENGINES.map((e) => e.name).join(', ')}.`);
  const output = required(v.output, 'output');
  checkOutputPath(output);
  const extension = extname(output).toLowerCase();
  const inferred = extension === '.jsonl' || extension === '.ndjson' ? 'jsonl' : 'csv';
  if (v.format === undefined && output !== '-' && !['.csv', '.jsonl', '.ndjson', '.txt', '.tsv'].includes(extension)) {
    throw new UsageError(`Cannot tell the output format from "${output}".`, 'End the name with .csv or .jsonl, or pass --format.');
  }
  const delimiter = parseDelimiter(v.delimiter);
  const encoding = parseEncoding(v.encoding ?? 'auto');
  const header = oneOf(v.header, 'header', ['auto', 'yes', 'no'], 'auto');
  return {
    engine,
    input: required(v.input, 'input'),
    textColumn: required(v['text-column'], 'text-column'),
    idColumns: list(v['id-column']),
    output,
    format: oneOf(v.format, 'format', ['csv', 'jsonl'], inferred),
    task: oneOf(v.task, 'task', TASKS, 'findings'),
    sections: v.sections === undefined ? undefined : oneOf(v.sections.replace(/\s+/g, ''), 'sections', SECTIONS, 'findings,impression'),
    ...(v.differentials === undefined ? {} : { differentials: oneOf(v.differentials, 'differentials', DIFFERENTIAL_MODES, 'uncertain') }),
    delimiter,
    encoding,
    header: header === 'auto' ? 'auto' : header === 'yes',
    progress: v.progress ? 'on' : 'auto',
    quiet: v.quiet ?? false,
    stats: v.stats,
    parallel: resolveParallel(v, output, v.input),
  };
}

async function labelWith(run: LabelRun, values: Record<string, unknown>): Promise<number> {
  const engine = findEngine(run.engine)!;
  const parallel = run.parallel!;
  if (!engine.threads && (parallel.jobsGiven && parallel.jobs > 1 || parallel.shard)) {
    throw new UsageError(`The ${run.engine} engine does not take --jobs or --shard.`, ({ openai: 'It has its own --concurrency.', 'llama-cpp': 'It has its own --threads.' } as Record<string, string>)[run.engine]);
  }
  if (engine.takeOver) return engine.takeOver(run, values);
  if (!engine.threads) parallel.jobs = 1;
  // The worker threads load their engine while this thread loads its own and reads the header.
  const workers = parallel.jobs > 1 ? await WorkerSet.start(run, parallel.jobs - 1) : undefined;
  let summary;
  try {
    const labeler = await engine.createLabeler!(run);
    summary = await labelCsv(run, labeler, (line) => process.stderr.write(`${line}\n`), workers);
  } finally {
    await workers?.close();
  }
  if (!run.quiet) process.stderr.write(`${formatSummary(summary, run.output)}\n`);
  return 0;
}

export const label: Command = {
  name: 'label',
  summary: 'label the reports of a CSV file (findings, ICD-10) into CSV or JSONL',
  get help() {
    return help();
  },
  async run(argv) {
    const { values } = parseCommandArgs(argv, { ...OPTIONS, ...PARALLEL_OPTIONS, ...engineOptions() });
    const run = resolveRun(values as LabelValues);
    checkNotOverwritingInputs([run.input], [run.output, run.stats]);
    if (run.stats !== undefined) checkOutputPath(run.stats, 'statistics file');
    // Standard input is copied to a temporary file first: the reader looks at the file's start, then streams it.
    const spooled = run.input === STDIO ? await spoolStdin() : undefined;
    try {
      if (spooled) run.input = spooled.path;
      checkInputFile(run.input);
      return await labelWith(run, values);
    } finally {
      spooled?.remove();
    }
  },
};
