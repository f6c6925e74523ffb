/**
 * `radreportx label --engine llama-cpp`: a GGUF model on this machine through node-llama-cpp, one report at a
 * time, into the same append-only JSONL as the openai engine. Every finished row is one whole line written at
 * once, so a run killed at any moment (even SIGKILL) keeps every finished row, and the same command resumes where
 * it stopped; a lock file keeps two runs off one output. Ctrl-C stops the generation in progress at once.
 *
 * Exit codes: 0 done (failed rows are recorded), 1 the model failed to load or run, 2 bad usage, 130 interrupted.
 */
import { errorMessage, UsageError } from '../../src/lib/errors.ts';
import { createGgufEngine, namesOnlySchema, type CompletionRuntime } from '../../src/lib/llm/gguf-engine.ts';
import { PROMPT_VERSION } from '../../src/lib/prompts/profiles.ts';
import { failedResult, isBlankReport, type LabelResult } from '../../src/lib/result.ts';
import type { LabelRun } from '../lib/label-run.ts';
import { readInputRows, type InputRow } from '../openai/rows.ts';
import { ProgressLine, RunStats } from '../openai/stats.ts';
import { LineWriter, lockOutput, readStore, settingsKey, statusCounts, type LabelLine, type StoreState } from '../openai/store.ts';
import { resolveLlamaCppConfig, type LlamaCppConfig } from './options.ts';

const n = (x: number) => x.toLocaleString('en-US');

/** Token and time totals of every completion in the run, for the speed figures. */
export interface Speed {
  promptTokens: number;
  completionTokens: number;
  prefillMs: number;
  decodeMs: number;
}

function metered(runtime: CompletionRuntime, speed: Speed): CompletionRuntime {
  return {
    async complete(request, signal) {
      const r = await runtime.complete(request, signal);
      speed.promptTokens += r.promptTokens;
      speed.completionTokens += r.completionTokens;
      speed.prefillMs += r.prefillMs ?? 0;
      speed.decodeMs += r.decodeMs ?? 0;
      return r;
    },
  };
}

const wanted = (row: InputRow, store: StoreState, config: LlamaCppConfig) => {
  if (row.duplicate) return false;
  const latest = store.latest.get(row.id);
  return config.retryFailed ? latest?.status === 'error' : latest === undefined;
};

export async function runLlamaCppLabel(run: LabelRun, values: Record<string, unknown>): Promise<number> {
  const config = resolveLlamaCppConfig(run, values);
  const say = (line: string) => process.stderr.write(`${line}\n`);
  if (!config.run.idColumns.length) {
    say('warning: no --id-column: rows are identified by their row number, so resuming is safe only if the input file does not change.');
  }
  const release = lockOutput(run.output);
  try {
    const store = await readStore(run.output, (m) => say(`warning: ${m}`));
    const promptVersion = PROMPT_VERSION[config.profile];
    const recordedVersion = config.answer === 'names' ? `${promptVersion}+names` : promptVersion;
    const mine = settingsKey({ model: config.modelName, profile: config.profile, promptVersion: recordedVersion, task: run.task });
    const others = [...store.settings].filter((s) => s !== mine);
    if (others.length) {
      throw new UsageError(
        `${run.output} already holds labels made with different settings (${others.slice(0, 2).join('; ')}); this run is ${mine}.`,
        'Use another --output, or the same --model, --prompt-profile and --task as before.',
      );
    }
    let todo = 0;
    for await (const row of readInputRows(run)) if (wanted(row, store, config)) todo++;
    if (todo === 0) {
      say(`Nothing to do: every row of ${run.input} already has a line in ${run.output}${config.retryFailed ? ' that did not fail' : ''}.`);
      return 0;
    }

    const { loadLlamaCpp } = await import('./runtime.ts');
    const loaded = await loadLlamaCpp({ modelPath: config.modelPath, threads: config.threads, gpu: config.gpu, contextSize: config.contextSize });
    if (!run.quiet) {
      say(
        `llama-cpp: ${config.modelName} (${(config.modelBytes / 2 ** 20).toFixed(1)} MiB) on ${loaded.backend}, ${loaded.threads} threads, ` +
          `context ${n(loaded.contextSize)}; prompt ${config.profile} (${recordedVersion}), task ${run.task}; loaded in ${(loaded.loadMs / 1000).toFixed(2)} s`,
      );
    }
    const speed: Speed = { promptTokens: 0, completionTokens: 0, prefillMs: 0, decodeMs: 0 };
    const engine = createGgufEngine(metered(loaded.runtime, speed), {
      engineName: 'llama-cpp',
      modelId: config.modelName,
      profile: config.profile,
      schemaFor: config.answer === 'names' ? (r) => (r.schema ? namesOnlySchema(r.schema) : undefined) : undefined,
    });
    const writer = new LineWriter(run.output);
    const stats = new RunStats(todo, undefined);
    const progress = new ProgressLine(stats, run.progress, run.quiet);
    const interrupt = new AbortController();
    const onSignal = (signal: NodeJS.Signals) => {
      if (interrupt.signal.aborted) process.exit(130);
      progress.clear();
      say(`${signal}: stopping; rows already finished are saved (press again to quit at once).`);
      interrupt.abort();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const record = (row: InputRow, result: LabelResult) => {
      const line: LabelLine = {
        id: row.id,
        row: row.row,
        ids: row.ids,
        ...result,
        task: run.task,
        model: config.modelName,
        profile: config.profile,
        promptVersion: recordedVersion,
        time: new Date().toISOString(),
        mode: 'local',
        ...(result.usage?.latencyMs !== undefined ? { latencyMs: result.usage.latencyMs } : {}),
      };
      writer.append(line);
      store.latest.set(line.id, { status: line.status, row: line.row });
      stats.add(line.status, line.usage);
    };

    let code = 0;
    const started = performance.now();
    try {
      for await (const row of readInputRows(run)) {
        if (interrupt.signal.aborted) break;
        if (!wanted(row, store, config)) continue;
        if (row.problem !== undefined) record(row, failedResult('error', engine.info, row.problem));
        else if (row.text === undefined || isBlankReport(row.text)) record(row, failedResult('empty', engine.info, 'The report text is empty.'));
        else {
          try {
            record(row, await engine.label(row.text, { task: run.task, sections: run.sections, signal: interrupt.signal }));
          } catch (e) {
            if (interrupt.signal.aborted) break;
            progress.clear();
            say(`radreportx label: the model stopped working at row ${row.row}: ${errorMessage(e)}`);
            code = 1;
            break;
          }
        }
      }
      if (interrupt.signal.aborted) code = 130;
    } finally {
      progress.stop();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      writer.close();
      await loaded.dispose();
    }
    const seconds = (performance.now() - started) / 1000;
    const prefill = speed.prefillMs > 0 ? speed.promptTokens / (speed.prefillMs / 1000) : 0;
    const decode = speed.decodeMs > 0 ? speed.completionTokens / (speed.decodeMs / 1000) : 0;
    if (!run.quiet || code !== 0) {
      const s = stats.status;
      say(
        `This run: ${n(stats.done)} rows in ${seconds.toFixed(1)} s: ${n(s.ok)} ok, ${n(s.error)} failed, ${n(s.unparsed)} unparsed, ${n(s.empty)} empty; ` +
          `${n(speed.promptTokens)} prompt tokens (${prefill.toFixed(0)} tok/s) + ${n(speed.completionTokens)} answer tokens (${decode.toFixed(1)} tok/s).`,
      );
      const c = statusCounts(store);
      say(`${run.output} now holds ${n(store.latest.size)} rows: ${n(c.ok)} ok, ${n(c.error)} failed, ${n(c.unparsed)} unparsed, ${n(c.empty)} empty.`);
    }
    if (run.stats) {
      const { writeFileAtomic } = await import('../lib/atomic.ts');
      await writeFileAtomic(
        run.stats,
        `${JSON.stringify({ rows: stats.done, status: stats.status, seconds, loadSeconds: loaded.loadMs / 1000, backend: loaded.backend, threads: loaded.threads, ...speed, prefillTokensPerSecond: prefill, decodeTokensPerSecond: decode, peakRssMb: process.resourceUsage().maxRSS / 1024 }, null, 2)}\n`,
      );
    }
    return code;
  } finally {
    release();
  }
}
