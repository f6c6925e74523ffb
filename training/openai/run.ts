/**
 * `radreportx label --engine openai`: resolve the options, read what earlier runs finished, count what is left,
 * apply the patient-data guard, then label online or through the Batch API into the append-only JSONL.
 *
 * Exit codes: 0 done (failed rows are recorded and counted), 1 stopped early (refused key or model, server
 * down), 2 bad usage or the guard refused, 130 interrupted (finished rows are kept).
 */
import type OpenAI from 'openai';
import { errorCode, errorMessage, RadReportXError, UsageError } from '../../src/lib/errors.ts';
import { buildRequests, PROMPT_VERSION } from '../../src/lib/prompts/index.ts';
import { isBlankReport } from '../../src/lib/result.ts';
import type { LabelRun } from '../lib/label-run.ts';
import { loadState, outstandingIds, runBatch } from './batch.ts';
import { checkDestination, hostOf, isLoopbackHost } from './guard.ts';
import { makeLine, offlineResult } from './label-line.ts';
import { resolveConfig, type OpenAiConfig } from './options.ts';
import { costOf, formatCost } from './pricing.ts';
import { redact } from './redact.ts';
import { estimatePromptTokens } from './request.ts';
import { readInputRows, type InputRow } from './rows.ts';
import { ProgressLine, RunStats } from './stats.ts';
import { LineWriter, lockOutput, readStore, settingsKey, statusCounts, type LabelLine, type StoreState } from './store.ts';

const n = (x: number) => x.toLocaleString('en-US');

/** Entry point used by the engine table; prints its own errors so the guard can exit with 2. */
export async function runOpenAiLabel(run: LabelRun, values: Record<string, unknown>): Promise<number> {
  try {
    return await main(run, values);
  } catch (e) {
    if (errorCode(e) === 'RemoteNotAllowed') {
      process.stderr.write(`radreportx label: ${errorMessage(e)}\n${(e as RadReportXError).hint ?? ''}\n`);
      return 2;
    }
    // SDK and system errors can carry request details; keys never leave this process in a message.
    if (e instanceof Error && !(e instanceof RadReportXError)) e.message = redact(e.message);
    throw e;
  }
}

/** The server address fit to print: no user, password or query (a key can hide in any of them). */
function printable(url: string): string {
  const u = new URL(url);
  u.username = '';
  u.password = '';
  u.search = '';
  return redact(u.toString());
}

function describe(config: OpenAiConfig): string {
  const where = config.azure ? `Azure deployment ${config.azure.deployment} at ${hostOf(config.baseURL)} (api-version ${config.azure.apiVersion})` : printable(config.baseURL);
  const local = isLoopbackHost(hostOf(config.baseURL)) ? 'this machine' : 'remote';
  const limits = [`concurrency ${config.concurrency}`, config.rpm ? `${n(config.rpm)} rpm` : '', config.tpm ? `${n(config.tpm)} tpm` : '', `timeout ${config.timeoutMs / 1000} s`, `${config.retry.maxRetries} retries`].filter(Boolean);
  return (
    `openai: model ${config.model} at ${where} (${local}); prompt ${config.profile} (${PROMPT_VERSION[config.profile]}${config.profile === 'release-weak-labels' ? `, sample seed ${config.sampleSeed}` : ''}), ` +
    `${config.profile === 'release' ? 'raw completions (/completions), ' : ''}task ${config.run.task}; ` +
    `${config.batch ? 'Batch API' : limits.join(', ')}${config.retryFailed ? '; retrying failed rows only' : ''}`
  );
}

interface Plan {
  /** Rows that need a model call this run. */
  send: number;
  /** Rows finished without a call (unreadable or empty). */
  offline: number;
  skipped: number;
  duplicates: number;
  rowNumberIds: number;
  inBatch: number;
  promptTokens: number;
  maxCompletionTokens: number;
}

/** Whether this run should handle `row`, given what the output already holds. */
function wanted(row: InputRow, store: StoreState, config: OpenAiConfig, outstanding: Set<string>): boolean {
  if (row.duplicate || outstanding.has(row.id)) return false;
  const latest = store.latest.get(row.id);
  return config.retryFailed ? latest?.status === 'error' : latest === undefined;
}

async function plan(config: OpenAiConfig, store: StoreState, outstanding: Set<string>): Promise<Plan> {
  const p: Plan = { send: 0, offline: 0, skipped: 0, duplicates: 0, rowNumberIds: 0, inBatch: 0, promptTokens: 0, maxCompletionTokens: 0 };
  for await (const row of readInputRows(config.run)) {
    if (row.duplicate) p.duplicates++;
    if (row.rowNumberId && config.run.idColumns.length) p.rowNumberIds++;
    if (outstanding.has(row.id)) p.inBatch++;
    if (!wanted(row, store, config, outstanding)) {
      if (!row.duplicate && !outstanding.has(row.id)) p.skipped++;
      continue;
    }
    if (row.problem !== undefined || row.text === undefined || isBlankReport(row.text)) {
      p.offline++;
      continue;
    }
    p.send++;
    for (const r of buildRequests(config.profile, config.run.task, row.text, { sampleSeed: config.sampleSeed })) {
      p.promptTokens += estimatePromptTokens(r);
      p.maxCompletionTokens += r.maxTokens;
    }
  }
  return p;
}

type Say = (line: string) => void;

/** Refuses to append to an output whose lines were made with other settings (model, prompts, task, seed). */
function checkSettings(config: OpenAiConfig, store: StoreState): void {
  const { run } = config;
  const mine = settingsKey({
    model: config.model,
    profile: config.profile,
    promptVersion: PROMPT_VERSION[config.profile],
    task: run.task,
    sampleSeed: config.profile === 'release-weak-labels' ? config.sampleSeed : undefined,
  });
  const others = [...store.settings].filter((s) => s !== mine);
  if (others.length) {
    throw new UsageError(
      `${run.output} already holds labels made with different settings (${others.slice(0, 2).join('; ')}); this run is ${mine}.`,
      'Use another --output, or the same --model, --prompt-profile, --sample-seed and --task as before.',
    );
  }
}

function warnAboutRows(say: Say, p: Plan): void {
  if (p.duplicates) say(`warning: ${n(p.duplicates)} rows repeat an id seen earlier in the input; only the first of each is labeled.`);
  if (p.rowNumberIds) say(`warning: ${n(p.rowNumberIds)} rows have a blank id; they are identified by row number (row-N).`);
}

function sayDryRun(say: Say, config: OpenAiConfig, p: Plan): void {
  const cost = costOf(config.price, p.promptTokens, p.maxCompletionTokens, config.batch);
  say(
    `Dry run: ${n(p.send)} reports to send to ${hostOf(config.baseURL)}, ${n(p.offline)} rows need no call (empty or unreadable), ` +
      `${n(p.skipped)} already in ${config.run.output}${p.inBatch ? `, ${n(p.inBatch)} in batches not yet collected` : ''}. ` +
      `About ${n(p.promptTokens)} prompt tokens and at most ${n(p.maxCompletionTokens)} answer tokens: ${config.price ? `at most ${formatCost(cost)}` : formatCost(undefined)}${config.batch ? ' at Batch API prices' : ''}.`,
  );
}

/** What one labeling session holds open: the output writer, the counters and the Ctrl-C handling. */
interface Session {
  stats: RunStats;
  record(line: LabelLine): void;
  log: Say;
  interrupt: AbortController;
  close(): void;
}

function openSession(config: OpenAiConfig, store: StoreState, total: number, say: Say): Session {
  const { run } = config;
  const writer = new LineWriter(run.output);
  const stats = new RunStats(total, config.price, config.batch);
  const progress = new ProgressLine(stats, run.progress, run.quiet);
  const log = (line: string) => {
    progress.clear();
    say(line);
  };
  const interrupt = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupt.signal.aborted) process.exit(130);
    log(`${signal}: stopping; rows already finished are saved (press again to quit at once).`);
    interrupt.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    stats,
    log,
    interrupt,
    record(line) {
      writer.append(line);
      store.latest.set(line.id, { status: line.status, row: line.row, batchId: line.batchId });
      stats.add(line.status, line.usage);
    },
    close() {
      progress.stop();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      writer.close();
    },
  };
}

/** Runs the rows through the Batch API or online; returns the exit code. */
async function label(config: OpenAiConfig, client: OpenAI, session: Session, store: StoreState, rows: AsyncIterable<InputRow>): Promise<number> {
  const { record, log, stats, interrupt } = session;
  if (config.batch) {
    const outcome = await runBatch(
      { config, client, record, mergedBy: (id) => store.latest.get(id)?.batchId, rows: () => readInputRows(config.run), log, signal: interrupt.signal },
      rows,
    );
    if (!outcome.pending.length) return 0;
    log(
      `${config.detach ? 'Submitted; not waiting' : 'Stopped while waiting'}: batch${outcome.pending.length > 1 ? 'es' : ''} ${outcome.pending.join(', ')} ` +
        `not collected yet. Run the same command again to collect ${outcome.pending.length > 1 ? 'them' : 'it'}.`,
    );
    return outcome.interrupted ? 130 : 0;
  }
  const { runOnline } = await import('./online.ts');
  const stop = await runOnline({ config, client, record, stats, log, signal: interrupt.signal }, rows);
  if (!stop) return 0;
  log(stop.message);
  return stop.kind === 'interrupted' ? 130 : 1;
}

async function main(run: LabelRun, values: Record<string, unknown>): Promise<number> {
  const config = resolveConfig(run, values);
  const say: Say = (line) => process.stderr.write(`${line}\n`);
  if (!run.quiet) say(describe(config));
  if (!config.run.idColumns.length) {
    say('warning: no --id-column: rows are identified by their row number, so resuming is safe only if the input file does not change.');
  }

  const release = config.dryRun ? () => {} : lockOutput(run.output);
  try {
    const store = await readStore(run.output, (m) => say(`warning: ${m}`), { readOnly: config.dryRun });
    checkSettings(config, store);
    const batchState = config.batch ? loadState(run.output) : undefined;
    const outstanding = outstandingIds(batchState);
    const p = await plan(config, store, outstanding);
    warnAboutRows(say, p);

    // --batch-id only collects: rows outside that batch wait for a run without it.
    const collectOnly = config.batch && config.batchId !== undefined;
    if (collectOnly) p.send = p.offline = 0;

    // The guard: nothing has been sent and no client exists yet.
    checkDestination(config.baseURL, p.send, config.allowRemote);

    if (config.dryRun) {
      sayDryRun(say, config, p);
      return 0;
    }
    const nothingOutstanding = !config.batch || (outstanding.size === 0 && !config.batchId && !batchState?.batches.some((b) => !b.merged));
    if (p.send + p.offline === 0 && nothingOutstanding) {
      say(`Nothing to do: every row of ${run.input} already has a line in ${run.output}${config.retryFailed ? ' that did not fail' : ''}.`);
      summary(say, undefined, store, run.output);
      return 0;
    }

    const { createClient } = await import('./client.ts');
    const client = createClient(config);
    const session = openSession(config, store, p.send + p.offline + p.inBatch, say);
    // Rows that need no call are recorded first; the rest stream to the chosen mode.
    async function* pending(): AsyncGenerator<InputRow> {
      if (collectOnly) return;
      for await (const row of readInputRows(run)) {
        if (!wanted(row, store, config, outstanding)) continue;
        const offline = offlineResult(config, row);
        if (offline) session.record(makeLine(config, row, offline, { mode: config.batch ? 'batch' : 'online' }));
        else yield row;
      }
    }
    let code: number;
    try {
      code = await label(config, client, session, store, pending());
    } finally {
      session.close();
    }
    if (!run.quiet || code !== 0) summary(say, session.stats, store, run.output);
    if (run.stats) await writeStats(run.stats, session.stats);
    return code;
  } finally {
    release();
  }
}

async function writeStats(path: string, stats: RunStats): Promise<void> {
  const seconds = stats.seconds();
  const { writeFileAtomic } = await import('../lib/atomic.ts');
  await writeFileAtomic(
    path,
    `${JSON.stringify({ rows: stats.done, status: stats.status, seconds, rowsPerSecond: stats.done / Math.max(seconds, 1e-9), promptTokens: stats.promptTokens, completionTokens: stats.completionTokens, retries: stats.retries, estimatedCostUsd: stats.cost ?? null }, null, 2)}\n`,
  );
}

function summary(say: (s: string) => void, stats: RunStats | undefined, store: StoreState, output: string): void {
  if (stats) {
    const s = stats.status;
    say(
      `This run: ${n(stats.done)} rows in ${stats.seconds().toFixed(1)} s: ${n(s.ok)} ok, ${n(s.error)} failed, ${n(s.unparsed)} unparsed, ${n(s.empty)} empty; ` +
        `${n(stats.promptTokens)} prompt + ${n(stats.completionTokens)} answer tokens, ${stats.cost === undefined ? 'cost unknown' : formatCost(stats.cost)}` +
        `${stats.retries ? `; ${n(stats.retries)} retries` : ''}.`,
    );
  }
  const c = statusCounts(store);
  say(`${output} now holds ${n(store.latest.size)} rows: ${n(c.ok)} ok, ${n(c.error)} failed, ${n(c.unparsed)} unparsed, ${n(c.empty)} empty.`);
  if (c.error) say(`Rerun with --retry-failed to send the ${n(c.error)} failed rows again.`);
}
