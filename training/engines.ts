/**
 * The engines `radreportx label --engine <name>` can run. Row-by-row engines hand `label` a synchronous labeler
 * and `label` streams the CSV; engines with their own flow (a remote model with concurrency and a resumable
 * append-only JSONL) take over the whole command instead. Adding an engine is adding one entry here.
 */
import type { EngineInfo, LabelResult } from '../src/lib/result.ts';
import type { ParseArgsOptionsConfig } from './lib/args.ts';
import type { LabelRun } from './lib/label-run.ts';
import { LLAMA_CPP_HELP, LLAMA_CPP_OPTIONS } from './llama-cpp/options.ts';
import { OPENAI_HELP, OPENAI_OPTIONS } from './openai/options.ts';

export type { LabelRun } from './lib/label-run.ts';

/** Labels one report synchronously; never throws for a bad report (label turns a throw into an `error` row). */
export interface RowLabeler {
  info: EngineInfo;
  label(text: string): LabelResult;
}

export interface EngineEntry {
  name: string;
  summary: string;
  /** Options only this engine takes on `label` (merged into label's own), e.g. `--model` for a remote engine. */
  options?: ParseArgsOptionsConfig;
  /** Lines for `label --help` describing those options. */
  help?: string;
  /** Row-by-row engines that may run in several worker threads at once (`label --jobs`), one labeler each. */
  threads?: boolean;
  /** Row-by-row engines: build the labeler once; `label` streams the CSV through it. */
  createLabeler?(run: LabelRun): Promise<RowLabeler>;
  /** Engines with their own flow take over: they get the resolved run and every parsed option. */
  takeOver?(run: LabelRun, values: Record<string, unknown>): Promise<number>;
}

async function createRulesLabeler(run: LabelRun): Promise<RowLabeler> {
  // Loaded on use so `--help` and the other commands start without the rule tables.
  const { labelReport, rulesEngine } = await import('../src/lib/rules/engine.ts');
  const options = { sections: run.sections, task: run.task, differentials: run.differentials };
  return { info: rulesEngine.info, label: (text) => labelReport(text, options) };
}

export const ENGINES: EngineEntry[] = [
  {
    name: 'rules',
    summary: 'the built-in rule engine (fast, offline, explains each label with evidence)',
    threads: true,
    createLabeler: createRulesLabeler,
  },
  {
    name: 'openai',
    summary: 'GPT-4o or any OpenAI-compatible server (vLLM, Azure): weak labels into resumable JSONL',
    options: OPENAI_OPTIONS,
    help: OPENAI_HELP,
    // The SDK and the runner load only when this engine runs.
    takeOver: async (run, values) => (await import('./openai/run.ts')).runOpenAiLabel(run, values),
  },
  {
    name: 'llama-cpp',
    summary: 'a GGUF model on this machine (node-llama-cpp; CPU, or a GPU with --gpu): resumable JSONL',
    options: LLAMA_CPP_OPTIONS,
    help: LLAMA_CPP_HELP,
    takeOver: async (run, values) => (await import('./llama-cpp/run.ts')).runLlamaCppLabel(run, values),
  },
];

export function findEngine(name: string): EngineEntry | undefined {
  return ENGINES.find((e) => e.name === name);
}

/** Every engine-specific option, so `label` accepts them whichever engine is chosen. */
export function engineOptions(): ParseArgsOptionsConfig {
  return Object.assign({}, ...ENGINES.map((e) => e.options ?? {}));
}
