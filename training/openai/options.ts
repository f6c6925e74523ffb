/**
 * The options `label --engine openai` adds, their help text, and their resolution into one typed config. Kept
 * free of the SDK so `radreportx --help` stays fast.
 */
import { UsageError } from '../../src/lib/errors.ts';
// profiles.ts, not the index: the index pulls in the parser and the ICD-10 table, too much for --help.
import { isPromptProfile, PROMPT_PROFILES, profileTasks, type PromptProfileId } from '../../src/lib/prompts/profiles.ts';
import type { LabelRun } from '../lib/label-run.ts';
import { priceFor, type Price } from './pricing.ts';
import type { RetryPolicy } from './retry.ts';

export const OPENAI_OPTIONS = {
  model: { type: 'string' },
  'base-url': { type: 'string' },
  'azure-deployment': { type: 'string' },
  'api-version': { type: 'string' },
  'prompt-profile': { type: 'string' },
  'sample-seed': { type: 'string' },
  concurrency: { type: 'string' },
  rpm: { type: 'string' },
  tpm: { type: 'string' },
  timeout: { type: 'string' },
  'max-retries': { type: 'string' },
  'retry-base-ms': { type: 'string' },
  'price-in': { type: 'string' },
  'price-out': { type: 'string' },
  'allow-remote': { type: 'boolean' },
  'retry-failed': { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  batch: { type: 'boolean' },
  'batch-id': { type: 'string' },
  'poll-interval': { type: 'string' },
  detach: { type: 'boolean' },
} as const satisfies Record<string, { type: 'string' | 'boolean' }>;

export const OPENAI_HELP = `OpenAI-compatible engine (--engine openai; output is append-only JSONL, resumable):
      --model NAME          model to ask (default gpt-4o; for vLLM the served model name)
      --base-url URL        any OpenAI-compatible server, e.g. http://127.0.0.1:8000/v1 (or OPENAI_BASE_URL)
      --azure-deployment D  use Azure OpenAI: deployment name; endpoint from AZURE_OPENAI_ENDPOINT,
                            key from AZURE_OPENAI_API_KEY
      --api-version V       Azure API version (default OPENAI_API_VERSION or 2024-10-21)
      --prompt-profile P    json (structured output, default)
                            | release (the released RadReportX's raw prompts, via /v1/completions, e.g. vLLM)
                            | release-weak-labels (the paper's GPT-4o teacher prompt; --task icd10)
      --sample-seed N       release-weak-labels: seed for drawing 3 of the 11 seed examples per report
                            (default 0; each line records its draw, so a run can be repeated)
      --concurrency N       requests in flight at once (default 8)
      --rpm N / --tpm N     stay under N requests / tokens per minute
      --timeout S           seconds per request before it counts as failed and is retried (default 60)
      --max-retries N       retries per request on 429, 5xx, timeouts, dropped connections (default 6)
      --retry-base-ms MS    first backoff delay; doubles each retry, with jitter (default 1000)
      --price-in/--price-out  dollars per million prompt/answer tokens for the cost estimate
      --retry-failed        send again only the rows whose latest line failed
      --allow-remote        allow sending report text to a host that is not this machine
      --dry-run             check columns, count rows to send, estimate tokens and cost; send nothing
      --batch               use the Batch API (half price, up to 24 h); state kept beside the output
      --batch-id ID         collect an existing batch into the output
      --poll-interval S     seconds between batch status checks (default 30)
      --detach              with --batch: submit and exit; rerun the same command later to collect
      Keys come only from OPENAI_API_KEY / AZURE_OPENAI_API_KEY and are never printed.`;

export const DEFAULT_BASE_URL = 'https://api.openai.com/v1';
export const DEFAULT_AZURE_API_VERSION = '2024-10-21';

export interface OpenAiConfig {
  run: LabelRun;
  model: string;
  /** Where requests go (for Azure, the resource endpoint). */
  baseURL: string;
  azure?: { deployment: string; apiVersion: string; endpoint: string };
  profile: PromptProfileId;
  /** release-weak-labels: the seed of the per-report draw of seed examples. */
  sampleSeed: number;
  concurrency: number;
  rpm?: number;
  tpm?: number;
  timeoutMs: number;
  retry: RetryPolicy;
  price?: Price;
  allowRemote: boolean;
  retryFailed: boolean;
  dryRun: boolean;
  batch: boolean;
  batchId?: string;
  pollIntervalMs: number;
  detach: boolean;
}

type Values = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

/** A positive number option (decimals allowed); `integer` rejects fractions. */
export function positiveNumber(value: unknown, flag: string, fallback: number | undefined, integer = false, allowZero = false): number | undefined {
  const s = str(value);
  if (s === undefined) return fallback;
  const n = Number(s);
  const ok = Number.isFinite(n) && (allowZero ? n >= 0 : n > 0) && (!integer || Number.isInteger(n));
  if (!ok) throw new UsageError(`--${flag} must be a ${allowZero ? 'non-negative' : 'positive'} ${integer ? 'whole number' : 'number'} (got "${s}").`);
  return n;
}

export function resolveConfig(run: LabelRun, values: Values, env: NodeJS.ProcessEnv = process.env): OpenAiConfig {
  const profile = str(values['prompt-profile']) ?? 'json';
  if (!isPromptProfile(profile)) throw new UsageError(`--prompt-profile must be one of ${PROMPT_PROFILES.join(', ')} (got "${profile}").`);
  if (!profileTasks(profile).includes(run.task)) {
    throw new UsageError(
      `--prompt-profile ${profile} is the paper's GPT-4o prompt for ICD-10 phrases only, not --task ${run.task} (the paper's findings labels came from MIMIC-CXR).`,
      'Use --task icd10, or --prompt-profile json for findings.',
    );
  }
  if (str(values['sample-seed']) !== undefined && profile !== 'release-weak-labels') throw new UsageError('--sample-seed only applies with --prompt-profile release-weak-labels.');
  const sampleSeed = positiveNumber(values['sample-seed'], 'sample-seed', 0, true, true)!;
  if (run.output === '-') {
    throw new UsageError('--engine openai needs an output file: it appends finished rows so a rerun can resume.', 'Use --output labels.jsonl.');
  }
  if (run.format !== 'jsonl') {
    throw new UsageError(
      '--engine openai writes JSONL (one line per finished row, so a stopped run loses nothing).',
      'Use --output labels.jsonl, then "radreportx labels-to-csv --input labels.jsonl --output labels.csv".',
    );
  }
  const deployment = str(values['azure-deployment']);
  let azure: OpenAiConfig['azure'];
  let baseURL = str(values['base-url']) ?? str(env.OPENAI_BASE_URL) ?? DEFAULT_BASE_URL;
  if (deployment) {
    const endpoint = str(env.AZURE_OPENAI_ENDPOINT) ?? str(values['base-url']);
    if (!endpoint) throw new UsageError('--azure-deployment needs the resource endpoint in AZURE_OPENAI_ENDPOINT (https://NAME.openai.azure.com).');
    azure = { deployment, endpoint, apiVersion: str(values['api-version']) ?? str(env.OPENAI_API_VERSION) ?? DEFAULT_AZURE_API_VERSION };
    baseURL = endpoint;
  } else if (str(values['api-version'])) {
    throw new UsageError('--api-version is for Azure OpenAI; add --azure-deployment.');
  }
  try {
    const url = new URL(baseURL);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('protocol');
  } catch {
    throw new UsageError(`The server address "${baseURL}" is not an http(s) URL.`, 'For example --base-url http://127.0.0.1:8000/v1.');
  }
  if (profile === 'release' && (azure || baseURL === DEFAULT_BASE_URL)) {
    // GPT-4o has no completions endpoint; the release profile asks the released weights themselves.
    throw new UsageError(
      '--prompt-profile release sends the released RadReportX raw prompts to /v1/completions: it needs a server with those weights (vLLM), not OpenAI or Azure OpenAI.',
      'Give --base-url http://HOST:PORT/v1 and --model with the served model name; for GPT-4o use --prompt-profile json or release-weak-labels.',
    );
  }
  const batch = Boolean(values.batch) || str(values['batch-id']) !== undefined;
  if (values.detach && !batch) throw new UsageError('--detach only applies with --batch.');
  const model = str(values.model) ?? deployment ?? 'gpt-4o';
  const priceIn = positiveNumber(values['price-in'], 'price-in', undefined, false, true);
  const priceOut = positiveNumber(values['price-out'], 'price-out', undefined, false, true);
  return {
    run,
    model,
    baseURL,
    azure,
    profile,
    sampleSeed,
    concurrency: positiveNumber(values.concurrency, 'concurrency', 8, true)!,
    rpm: positiveNumber(values.rpm, 'rpm', undefined),
    tpm: positiveNumber(values.tpm, 'tpm', undefined),
    timeoutMs: positiveNumber(values.timeout, 'timeout', 60)! * 1000,
    retry: {
      maxRetries: positiveNumber(values['max-retries'], 'max-retries', 6, true, true)!,
      baseMs: positiveNumber(values['retry-base-ms'], 'retry-base-ms', 1000)!,
      maxMs: 60_000,
    },
    price: priceFor(model, { input: priceIn, output: priceOut }),
    allowRemote: Boolean(values['allow-remote']),
    retryFailed: Boolean(values['retry-failed']),
    dryRun: Boolean(values['dry-run']),
    batch,
    batchId: str(values['batch-id']),
    pollIntervalMs: positiveNumber(values['poll-interval'], 'poll-interval', 30)! * 1000,
    detach: Boolean(values.detach),
  };
}
