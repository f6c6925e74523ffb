/**
 * Batch API mode: the rows to send become one JSONL of chat-completions requests (completions for `release`;
 * `custom_id` = row id, plus the task for the release profile's two calls), uploaded with purpose `batch`; the batch is polled until it ends,
 * then its output and error files are merged into the same label JSONL as online mode. The batch ids and the
 * row ids in each are kept in a state file beside the output, so a stopped run (or `--detach`) is collected by
 * running the same command again; `--batch-id` collects a batch the state file does not know.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type OpenAI from 'openai';
import { toFile } from 'openai';
import type { Batch } from 'openai/resources/batches';
import { RadReportXError } from '../../src/lib/errors.ts';
import { failedResult } from '../../src/lib/result.ts';
import type { PromptRequest } from '../../src/lib/prompts/index.ts';
import { engineInfo, makeLine, requestsFor, resultFromAnswers, type Answer } from './label-line.ts';
import { realClock, type Clock } from './limiter.ts';
import type { OpenAiConfig } from './options.ts';
import { redact } from './redact.ts';
import { endpointOf, requestBody } from './request.ts';
import { withRetries } from './retry.ts';
import type { InputRow } from './rows.ts';
import type { LabelLine } from './store.ts';

/** The Batch API takes at most 50,000 requests and 200 MB per file; stay a little under the size. */
export const MAX_BATCH_REQUESTS = 50_000;
export const MAX_BATCH_BYTES = 190 * 1024 * 1024;

const TERMINAL = new Set(['completed', 'failed', 'expired', 'cancelled']);

export interface BatchEntry {
  /** Missing only while the batch is being created. */
  id?: string;
  inputFileId?: string;
  /** Row ids in the batch; empty for a batch named with --batch-id. */
  ids: string[];
  requests: number;
  createdAt: string;
  status?: string;
  merged: boolean;
}

export interface BatchState {
  version: 1;
  model: string;
  profile: string;
  task: string;
  batches: BatchEntry[];
}

export const statePath = (output: string) => `${output}.batch.json`;

export function loadState(output: string): BatchState | undefined {
  try {
    return JSON.parse(readFileSync(statePath(output), 'utf8')) as BatchState;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new RadReportXError('InvalidConfig', `The batch state file ${statePath(output)} cannot be read: ${(e as Error).message}.`);
  }
}

function saveState(output: string, state: BatchState): void {
  const path = statePath(output);
  const temp = `${path}.${process.pid}.partial`;
  writeFileSync(temp, `${JSON.stringify(state, null, 1)}\n`);
  renameSync(temp, path);
}

/** `custom_id` of each call of a row: the row id alone, or `id#task` when the profile needs two calls. */
export function customIds(rowId: string, requests: readonly PromptRequest[]): string[] {
  return requests.length === 1 ? [rowId] : requests.map((r) => `${rowId}#${r.task}`);
}

/**
 * The Batch API endpoint for this run: every request of a profile goes to the same one (chat completions, or
 * completions for `release`). Azure's batch endpoint has no /v1 prefix.
 */
export function batchEndpoint(config: OpenAiConfig): string {
  const path = endpointOf({ kind: config.profile === 'release' ? 'completion' : 'chat' });
  return config.azure ? path : `/v1${path}`;
}

/** One line of the Batch API input file. */
export function batchLine(config: OpenAiConfig, customId: string, request: PromptRequest): string {
  // Azure takes the deployment as the model.
  return `${JSON.stringify({ custom_id: customId, method: 'POST', url: batchEndpoint(config), body: requestBody(request, config.model) })}\n`;
}

export interface BatchContext {
  config: OpenAiConfig;
  client: OpenAI;
  /** Appends a line (and counts it). */
  record(line: LabelLine): void;
  /** The batch that produced the latest line for an id, to skip rows already merged. */
  mergedBy(id: string): string | undefined;
  /** Rows of the input, read afresh. */
  rows(): AsyncIterable<InputRow>;
  log(message: string): void;
  signal: AbortSignal;
  clock?: Clock;
}

export interface BatchOutcome {
  submitted: number;
  collected: number;
  pending: string[];
  interrupted: boolean;
}

/** Ids in batches not yet merged (the count pass leaves them out of the rows to send). */
export function outstandingIds(state: BatchState | undefined): Set<string> {
  return new Set((state?.batches ?? []).filter((b) => !b.merged).flatMap((b) => b.ids));
}

export function newState(config: OpenAiConfig): BatchState {
  return { version: 1, model: config.model, profile: config.profile, task: config.run.task, batches: [] };
}

/** Sends `toSend` as new batches (chunked), then polls and merges every batch not yet merged. */
export async function runBatch(ctx: BatchContext, toSend: AsyncIterable<InputRow>): Promise<BatchOutcome> {
  const { config, client, log } = ctx;
  const output = config.run.output;
  const state = loadState(output) ?? newState(config);
  if (config.batchId && !state.batches.some((b) => b.id === config.batchId)) {
    state.batches.push({ id: config.batchId, ids: [], requests: 0, createdAt: new Date().toISOString(), merged: false });
    saveState(output, state);
  }
  const retry = <T>(fn: () => Promise<T>) => withRetries(fn, config.retry, { clock: ctx.clock, signal: ctx.signal }).then((r) => r.value);

  // Submit: one batch per chunk of rows.
  let submitted = 0;
  let chunk: string[] = [];
  let ids: string[] = [];
  let bytes = 0;
  const flush = async () => {
    if (!ids.length) return;
    const content = chunk.join('');
    const entry: BatchEntry = { ids, requests: chunk.length, createdAt: new Date().toISOString(), merged: false };
    const file = await retry(async () => client.files.create({ file: await toFile(Buffer.from(content, 'utf8'), 'radreportx-batch.jsonl'), purpose: 'batch' }));
    entry.inputFileId = file.id;
    state.batches.push(entry);
    saveState(output, state);
    const batch = await retry(() =>
      client.batches.create({
        input_file_id: file.id,
        endpoint: batchEndpoint(config) as '/v1/chat/completions',
        completion_window: '24h',
        metadata: { tool: 'radreportx', output: output.slice(-100) },
      }),
    );
    entry.id = batch.id;
    entry.status = batch.status;
    saveState(output, state);
    submitted += ids.length;
    log(`Submitted batch ${batch.id}: ${ids.length.toLocaleString('en-US')} rows, ${chunk.length.toLocaleString('en-US')} requests.`);
    chunk = [];
    ids = [];
    bytes = 0;
  };
  for await (const row of toSend) {
    const requests = requestsFor(config, row);
    const lines = customIds(row.id, requests).map((cid, i) => batchLine(config, cid, requests[i]));
    const size = lines.reduce((n, l) => n + Buffer.byteLength(l), 0);
    if (chunk.length + lines.length > MAX_BATCH_REQUESTS || bytes + size > MAX_BATCH_BYTES) await flush();
    chunk.push(...lines);
    ids.push(row.id);
    bytes += size;
  }
  await flush();

  const outcome: BatchOutcome = { submitted, collected: 0, pending: [], interrupted: false };
  const waiting = state.batches.filter((b) => !b.merged && b.id);
  if (config.detach) {
    outcome.pending = waiting.map((b) => b.id!);
    return outcome;
  }
  // A batch whose creation was cut off (file uploaded, no id saved) may still exist: find it by its input file.
  for (const entry of state.batches.filter((b) => !b.merged && !b.id && b.inputFileId)) {
    const found = await findBatchByInputFile(client, entry.inputFileId!);
    if (found) {
      entry.id = found;
      waiting.push(entry);
    } else entry.merged = true; // never created: its rows are still unlabeled and will be sent next run
    saveState(output, state);
  }

  for (const entry of waiting) {
    const batch = await poll(ctx, entry, retry);
    if (!batch) {
      outcome.interrupted = true;
      outcome.pending.push(entry.id!);
      continue;
    }
    entry.status = batch.status;
    outcome.collected += await merge(ctx, entry, batch, retry);
    entry.merged = true;
    saveState(output, state);
  }
  return outcome;
}

async function findBatchByInputFile(client: OpenAI, inputFileId: string): Promise<string | undefined> {
  for await (const b of client.batches.list({ limit: 100 })) if (b.input_file_id === inputFileId) return b.id;
  return undefined;
}

/** Waits for the batch to end; undefined when interrupted. */
async function poll(ctx: BatchContext, entry: BatchEntry, retry: <T>(fn: () => Promise<T>) => Promise<T>): Promise<Batch | undefined> {
  const clock = ctx.clock ?? realClock;
  let last = '';
  for (;;) {
    if (ctx.signal.aborted) return undefined;
    const batch = await retry(() => ctx.client.batches.retrieve(entry.id!));
    const c = batch.request_counts;
    const line = `batch ${batch.id}: ${batch.status}${c ? ` · ${c.completed.toLocaleString('en-US')}/${c.total.toLocaleString('en-US')} requests done, ${c.failed.toLocaleString('en-US')} failed` : ''}`;
    if (line !== last) ctx.log(line);
    last = line;
    if (TERMINAL.has(batch.status)) return batch;
    await clock.sleep(ctx.config.pollIntervalMs, ctx.signal);
  }
}

interface BatchResult {
  statusCode?: number;
  body?: { choices?: { message?: { content?: string | null; refusal?: string | null }; text?: string; finish_reason?: string }[]; usage?: { prompt_tokens?: number; completion_tokens?: number }; error?: { message?: string; code?: string } };
  error?: { code?: string; message?: string } | null;
}

async function download(client: OpenAI, fileId: string | null | undefined, into: Map<string, BatchResult>, retry: <T>(fn: () => Promise<T>) => Promise<T>): Promise<void> {
  if (!fileId) return;
  const text = await retry(async () => (await client.files.content(fileId)).text());
  for (const raw of text.split('\n')) {
    if (!raw.trim()) continue;
    try {
      const l = JSON.parse(raw) as { custom_id?: string; response?: { status_code?: number; body?: BatchResult['body'] } | null; error?: BatchResult['error'] };
      if (typeof l.custom_id === 'string') into.set(l.custom_id, { statusCode: l.response?.status_code, body: l.response?.body, error: l.error });
    } catch {
      /* a line the service cut off; its row is recorded as failed below */
    }
  }
}

function failureText(r: BatchResult | undefined, batch: Batch): string {
  if (!r) {
    const why = batch.status === 'completed' ? 'the batch has no answer for it' : `the batch ended as "${batch.status}"`;
    const errors = batch.errors?.data?.map((e) => e.message).filter(Boolean).slice(0, 2).join('; ');
    return `No result: ${why}${errors ? ` (${errors})` : ''}.`;
  }
  const status = r.statusCode ? `HTTP ${r.statusCode}` : 'error';
  const detail = r.error?.message ?? r.body?.error?.message ?? r.error?.code ?? '';
  return `The request failed in the batch: ${status}${detail ? ` ${detail}` : ''}.`;
}

/** Writes one line per row of the batch; rows already merged (a merge that was cut off) are skipped. */
async function merge(ctx: BatchContext, entry: BatchEntry, batch: Batch, retry: <T>(fn: () => Promise<T>) => Promise<T>): Promise<number> {
  const { config } = ctx;
  const results = new Map<string, BatchResult>();
  await download(ctx.client, batch.output_file_id, results, retry);
  await download(ctx.client, batch.error_file_id, results, retry);
  const wanted = entry.ids.length ? new Set(entry.ids) : undefined;
  let merged = 0;
  for await (const row of ctx.rows()) {
    if (row.duplicate || (wanted ? !wanted.has(row.id) : false)) continue;
    const requests = requestsFor(config, row);
    // Rows with no text were recorded when the batch was built.
    if (!requests.length) continue;
    const cids = customIds(row.id, requests);
    if (!wanted && !cids.some((c) => results.has(c))) continue;
    if (ctx.mergedBy(row.id) === entry.id) continue;
    const parts = cids.map((c) => results.get(c));
    const failed = parts.findIndex((p) => !p || p.statusCode !== 200 || !p.body?.choices?.[0]);
    let result;
    let finishReason: string[] = [];
    if (failed >= 0) {
      result = failedResult('error', engineInfo(config), redact(failureText(parts[failed], batch)));
    } else {
      const answers: Answer[] = parts.map((p) => {
        const choice = p!.body!.choices![0];
        return {
          // Chat completions answer in `message`, completions (release profile) in `text`.
          content: choice.message?.content ?? choice.message?.refusal ?? choice.text ?? '',
          finishReason: choice.finish_reason ?? 'unknown',
          promptTokens: p!.body!.usage?.prompt_tokens ?? 0,
          completionTokens: p!.body!.usage?.completion_tokens ?? 0,
        };
      });
      finishReason = answers.map((a) => a.finishReason);
      result = resultFromAnswers(config, row, requests, answers);
    }
    ctx.record(makeLine(config, row, result, { mode: 'batch', batchId: entry.id, attempts: 1, finishReason }));
    merged++;
  }
  ctx.log(`Merged batch ${entry.id} (${batch.status}): ${merged.toLocaleString('en-US')} rows.`);
  return merged;
}
