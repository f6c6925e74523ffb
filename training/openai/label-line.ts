/** Turning one row and the model's answers (or the reason there are none) into the line the store keeps. */
import { buildRequests, drawSeedExamples, parseAnswers, PROMPT_VERSION, type PromptRequest } from '../../src/lib/prompts/index.ts';
import { failedResult, isBlankReport, type EngineInfo, type LabelResult } from '../../src/lib/result.ts';
import type { OpenAiConfig } from './options.ts';
import type { InputRow } from './rows.ts';
import type { LabelLine } from './store.ts';

export const engineInfo = (config: OpenAiConfig): EngineInfo => ({ name: 'openai', version: config.model });

/** The calls a row needs; none for rows that cannot be read or have no text. */
export function requestsFor(config: OpenAiConfig, row: InputRow): PromptRequest[] {
  if (row.text === undefined || isBlankReport(row.text)) return [];
  return buildRequests(config.profile, config.run.task, row.text, { sampleSeed: config.sampleSeed });
}

/** The result for a row that is never sent: unreadable (error) or empty (never Normal). */
export function offlineResult(config: OpenAiConfig, row: InputRow): LabelResult | undefined {
  if (row.problem !== undefined) return failedResult('error', engineInfo(config), row.problem);
  if (row.text === undefined || isBlankReport(row.text)) return failedResult('empty', engineInfo(config), 'The report text is empty.');
  return undefined;
}

export interface Answer {
  content: string;
  finishReason: string;
  promptTokens: number;
  completionTokens: number;
}

/** Parses the answers to all of a row's calls into one result. */
export function resultFromAnswers(config: OpenAiConfig, row: InputRow, requests: PromptRequest[], answers: Answer[]): LabelResult {
  const usage = {
    promptTokens: answers.reduce((n, a) => n + a.promptTokens, 0),
    completionTokens: answers.reduce((n, a) => n + a.completionTokens, 0),
  };
  const result = parseAnswers(requests, answers.map((a) => a.content), row.text ?? '', engineInfo(config), { usage });
  const cut = answers.filter((a) => a.finishReason === 'length').length;
  if (cut && result.status !== 'ok') result.message = `${result.message ?? ''} The answer hit the ${requests[0]?.maxTokens}-token limit.`.trim();
  return result;
}

export function makeLine(
  config: OpenAiConfig,
  row: InputRow,
  result: LabelResult,
  extra: Partial<Pick<LabelLine, 'attempts' | 'latencyMs' | 'finishReason' | 'batchId'>> & { mode: LabelLine['mode']; model?: string },
): LabelLine {
  const { mode, model, ...rest } = extra;
  return {
    id: row.id,
    row: row.row,
    ids: row.ids,
    ...result,
    task: config.run.task,
    // The model requested, not the one the server echoes (dated snapshots), so a resumed run compares equal.
    model: model ?? config.model,
    profile: config.profile,
    promptVersion: PROMPT_VERSION[config.profile],
    time: new Date().toISOString(),
    mode,
    ...rest,
    // The draw is logged with the row, so the exact prompt can be rebuilt (and a run repeated) from the output.
    ...(config.profile === 'release-weak-labels' ? { sampleSeed: config.sampleSeed, seedExamples: row.text ? drawSeedExamples(row.text.trim(), config.sampleSeed) : [] } : {}),
  };
}
