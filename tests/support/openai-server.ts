/**
 * A stand-in OpenAI-compatible server on 127.0.0.1 (node:http), for the tests of weak-label generation. It speaks
 * the parts of the protocol the runner uses: chat completions, (text) completions, file upload and download,
 * batches. Like the real servers it is strict about the request body: the fields each endpoint takes are those of
 * OpenAI's API reference and of vLLM's request models (vllm/entrypoints/openai/protocol.py: ChatCompletionRequest,
 * CompletionRequest); a chat body sent to /v1/completions (or a prompt sent to chat) is a 400, as is a missing
 * `model` or `prompt`, more than 4 stop sequences, or a batch line whose url is not the batch's endpoint. Each chat
 * request gets a scripted reply (an answer, an HTTP error with headers, a hang, a dropped connection, a broken
 * body, a cut-off answer); every request is recorded with its time, headers and body, and the server tracks how
 * many chat requests were in flight at once.
 *
 * Its default "model" answers from keywords in the report so parsing has something real to read; it is no
 * labeler and no test relies on its accuracy.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  /** ms since the server started (performance.now based). */
  time: number;
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body, or undefined for other bodies. */
  body: any;
  /** Chat requests in flight when this one arrived, itself included. */
  inFlight: number;
}

export type Reply =
  | { kind: 'ok'; content?: string; finishReason?: string; delayMs?: number }
  | { kind: 'error'; status: number; headers?: Record<string, string>; body?: unknown; delayMs?: number }
  | { kind: 'hang' }
  | { kind: 'drop' }
  | { kind: 'malformed' }
  | { kind: 'truncated' };

export interface ChatCall {
  body: any;
  /** The report text the prompt carries. */
  report: string;
  /** How many times this exact body has been received, this one included (1 = first try). */
  attempt: number;
  /** Chat requests received so far, this one included. */
  index: number;
  /** True for requests that arrive through a batch rather than HTTP. */
  batch: boolean;
}

export interface StandInOptions {
  /** Delay before every default answer, ms. */
  delayMs?: number;
  /** Batch retrievals before a batch completes. */
  pollsToComplete?: number;
  /** How a batch ends: completed, or expired after answering half of its requests. */
  batchEnd?: 'completed' | 'expired';
}

const KEYWORDS: [string, string, string][] = [
  ['cardiomegaly', 'Cardiomegaly', 'I51.7'],
  ['effusion', 'Pleural Effusion', 'J90'],
  ['pneumothorax', 'Pneumothorax', 'J93.9'],
  ['atelectasis', 'Atelectasis', 'J98.11'],
  ['edema', 'Edema', 'J81.1'],
  ['consolidation', 'Consolidation', 'J18.9'],
];

type Profile = 'json' | 'release' | 'release-weak-labels';

// The authors' prompts put the report after this line and before a blank line and "Output:"/"Expected Output:".
const RELEASE_REPORT = /\*\*Report to Analyze:\*\*\n {4}([\s\S]*)\n\n {4}(?:Expected )?Output:\n {4}$/;

/** Which task and profile a body asks for, from its response_format or its wording. */
export function describeBody(body: any): { profile: Profile; task: 'findings' | 'icd10' | 'both'; report: string } {
  if (typeof body?.prompt === 'string') {
    const prompt: string = body.prompt;
    return { profile: 'release', task: /Only use diseases from this list/.test(prompt) ? 'findings' : 'icd10', report: RELEASE_REPORT.exec(prompt)?.[1] ?? prompt };
  }
  const messages: { role: string; content: string }[] = body?.messages ?? [];
  const last = messages[messages.length - 1]?.content ?? '';
  const release = RELEASE_REPORT.exec(last);
  if (release) return { profile: 'release-weak-labels', task: 'icd10', report: release[1] };
  const report = last.includes('Report:\n') ? last.slice(last.indexOf('Report:\n') + 8) : last;
  const name: string | undefined = body?.response_format?.json_schema?.name;
  return { profile: 'json', task: (name?.replace('radreportx_', '') ?? 'findings') as 'findings', report };
}

/** The stand-in model's answer: keywords found, negated when "no <keyword>" precedes them. */
export function defaultAnswer(body: any): string {
  const { profile, task, report } = describeBody(body);
  const text = report.toLowerCase();
  const found = KEYWORDS.filter(([k]) => text.includes(k)).map(([k, name, code]) => ({
    k,
    name,
    code,
    status: new RegExp(`\\b(no|without|negative for)\\b[^.]*${k}`).test(text) ? 'negative' : 'positive',
  }));
  const positives = found.filter((f) => f.status === 'positive');
  if (profile !== 'json') {
    // The released model's shapes: a findings list then its evidence; a phrase list then the reason line.
    if (task === 'findings') return `[${positives.map((f) => f.name).join(', ')}]\nEvidence:\n${positives.map((f) => `- ${f.name}: "${f.k}"`).join('\n')}`;
    const list = `[${positives.map((f) => `'${f.k}'`).join(', ')}]`;
    return positives.length ? `${list}\nThe reason is: ${positives.map((f) => `'${f.k}' (${f.code})`).join(', ')}` : list;
  }
  const answer: Record<string, unknown> = {};
  if (task !== 'icd10') answer.findings = found.map((f) => ({ name: f.name, status: f.status, evidence: f.k }));
  if (task !== 'findings') answer.icd10 = positives.map((f) => ({ phrase: f.k, code: f.code }));
  return JSON.stringify(answer);
}

const tokens = (s: string) => Math.max(1, Math.ceil(s.length / 4));

function completion(body: any, content: string, finishReason = 'stop') {
  if (typeof body?.prompt === 'string') return textCompletion(body, content, finishReason);
  const prompt = (body?.messages ?? []).map((m: { content: string }) => m.content).join('');
  return {
    id: `chatcmpl-${Math.random().toString(36).slice(2)}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: `${body?.model ?? 'model'}-2024-08-06`,
    choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, finish_reason: finishReason, logprobs: null }],
    usage: { prompt_tokens: tokens(prompt), completion_tokens: tokens(content), total_tokens: tokens(prompt) + tokens(content) },
  };
}

/** A /v1/completions response (OpenAI's Completion object; vLLM's CompletionResponse). */
function textCompletion(body: any, text: string, finishReason = 'stop') {
  return {
    id: `cmpl-${Math.random().toString(36).slice(2)}`,
    object: 'text_completion',
    created: Math.floor(Date.now() / 1000),
    model: body?.model ?? 'model',
    choices: [{ index: 0, text, logprobs: null, finish_reason: finishReason }],
    usage: { prompt_tokens: tokens(body.prompt), completion_tokens: tokens(text), total_tokens: tokens(body.prompt) + tokens(text) },
  };
}

// Body fields each endpoint accepts (OpenAI's API reference; vLLM's protocol.py adds sampling extras such as
// top_k, min_p, repetition_penalty, stop_token_ids). Anything else is refused as OpenAI refuses it.
const SHARED_FIELDS = ['model', 'max_tokens', 'temperature', 'top_p', 'n', 'stop', 'seed', 'stream', 'stream_options', 'presence_penalty', 'frequency_penalty', 'logit_bias', 'logprobs', 'user', 'top_k', 'min_p', 'repetition_penalty', 'stop_token_ids'];
const CHAT_FIELDS = new Set([...SHARED_FIELDS, 'messages', 'response_format', 'max_completion_tokens', 'top_logprobs', 'tools', 'tool_choice', 'parallel_tool_calls', 'metadata', 'store']);
const COMPLETION_FIELDS = new Set([...SHARED_FIELDS, 'prompt', 'suffix', 'echo', 'best_of']);

/** The 400 the real server would send for this body, or undefined when it is acceptable. */
export function invalidBody(endpoint: 'chat' | 'completions', body: any): string | undefined {
  if (!body || typeof body !== 'object') return 'We could not parse the JSON body of your request.';
  const allowed = endpoint === 'chat' ? CHAT_FIELDS : COMPLETION_FIELDS;
  const unknown = Object.keys(body).filter((k) => !allowed.has(k));
  if (unknown.length) return `Unrecognized request argument supplied: ${unknown.join(', ')}`;
  if (typeof body.model !== 'string' || !body.model) return "you must provide a model parameter";
  if (endpoint === 'chat') {
    if (!Array.isArray(body.messages) || !body.messages.length) return "Missing required parameter: 'messages'.";
  } else if (typeof body.prompt !== 'string' && !Array.isArray(body.prompt)) return "Missing required parameter: 'prompt'.";
  if (Array.isArray(body.stop) && body.stop.length > 4) return `Invalid 'stop': array too long. Expected an array with maximum length 4, but got an array with length ${body.stop.length} instead.`;
  if (body.max_tokens !== undefined && !(Number.isInteger(body.max_tokens) && body.max_tokens > 0)) return "Invalid 'max_tokens': expected a positive integer.";
  return undefined;
}

interface StoredFile {
  id: string;
  purpose: string;
  filename: string;
  content: string;
}

export class StandInServer {
  readonly requests: RecordedRequest[] = [];
  readonly files = new Map<string, StoredFile>();
  readonly batches = new Map<string, any>();
  /** Replies per chat call; return undefined for the default answer. */
  script: (call: ChatCall) => Reply | undefined = () => undefined;
  maxInFlight = 0;
  #inFlight = 0;
  #server: Server;
  #start = performance.now();
  #seen = new Map<string, number>();
  #calls = 0;
  #ids = 0;
  // Ids unique across servers, as the real service's are (a test may restart the server mid-story).
  readonly #tag = Math.random().toString(36).slice(2, 8);
  #polls = new Map<string, number>();
  readonly #options: StandInOptions;
  url = '';

  constructor(options: StandInOptions = {}) {
    this.#options = options;
    this.#server = createServer((req, res) => void this.#handle(req, res));
  }

  /** Starts listening on 127.0.0.1 and an unused port; `baseURL` ends in /v1. */
  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  get baseURL(): string {
    return `${this.url}/v1`;
  }

  get chatRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.path.endsWith('/chat/completions'));
  }

  /** Requests to the (text) completions endpoint. */
  get completionRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.path.endsWith('/completions') && !r.path.endsWith('/chat/completions'));
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #now(): number {
    return performance.now() - this.#start;
  }

  #chatCall(body: any, batch: boolean): ChatCall {
    const key = JSON.stringify(body);
    const attempt = (this.#seen.get(key) ?? 0) + 1;
    this.#seen.set(key, attempt);
    return { body, report: describeBody(body).report, attempt, index: ++this.#calls, batch };
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const path = (req.url ?? '').split('?')[0];
    const isJson = (req.headers['content-type'] ?? '').includes('application/json');
    let body: any;
    if (isJson) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        body = undefined;
      }
    }
    // Azure OpenAI puts the deployment in the path: /openai/deployments/NAME/chat/completions?api-version=...
    const chatPath = path === '/v1/chat/completions' || /^\/openai\/deployments\/[^/]+\/chat\/completions$/.test(path);
    const completionsPath = path === '/v1/completions' || /^\/openai\/deployments\/[^/]+\/completions$/.test(path);
    const chat = req.method === 'POST' && (chatPath || completionsPath);
    if (chat) {
      this.#inFlight++;
      this.maxInFlight = Math.max(this.maxInFlight, this.#inFlight);
      res.once('close', () => this.#inFlight--);
    }
    this.requests.push({ time: this.#now(), method: req.method ?? '', path, query: new URL(req.url ?? '/', 'http://x').searchParams, headers: req.headers, body, inFlight: this.#inFlight });
    try {
      if (chat) {
        const invalid = invalidBody(chatPath ? 'chat' : 'completions', body);
        if (invalid) return json(res, 400, { error: { message: invalid, type: 'invalid_request_error', param: null, code: null } });
        return await this.#chat(body, res);
      }
      if (req.method === 'POST' && path === '/v1/files') return await this.#upload(req, raw, res);
      let m = /^\/v1\/files\/([^/]+)\/content$/.exec(path);
      if (req.method === 'GET' && m) return this.#fileContent(m[1], res);
      if (req.method === 'POST' && path === '/v1/batches') return this.#createBatch(body, res);
      if (req.method === 'GET' && path === '/v1/batches') return json(res, 200, { object: 'list', data: [...this.batches.values()], has_more: false });
      m = /^\/v1\/batches\/([^/]+)$/.exec(path);
      if (req.method === 'GET' && m) return this.#retrieveBatch(m[1], res);
      json(res, 404, { error: { message: `no route ${req.method} ${path}`, type: 'invalid_request_error' } });
    } catch (e) {
      json(res, 500, { error: { message: String(e), type: 'server_error' } });
    }
  }

  async #chat(body: any, res: ServerResponse): Promise<void> {
    const reply = this.script(this.#chatCall(body, false)) ?? { kind: 'ok' };
    switch (reply.kind) {
      case 'ok':
        await sleep(reply.delayMs ?? this.#options.delayMs ?? 0);
        return json(res, 200, completion(body, reply.content ?? defaultAnswer(body), reply.finishReason));
      case 'error':
        await sleep(reply.delayMs ?? 0);
        return json(res, reply.status, reply.body ?? { error: { message: `scripted ${reply.status}`, type: reply.status === 429 ? 'rate_limit_exceeded' : 'server_error' } }, reply.headers);
      case 'hang':
        return; // never answered; the client's timeout ends it
      case 'drop':
        res.socket?.destroy();
        return;
      case 'malformed':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"id": "chatcmpl-x", "choices": [{"message": {"content": "[Cardio');
        return;
      case 'truncated': {
        const full = defaultAnswer(body);
        return json(res, 200, completion(body, full.slice(0, Math.max(1, Math.floor(full.length / 2))), 'length'));
      }
    }
  }

  async #upload(req: IncomingMessage, raw: Buffer, res: ServerResponse): Promise<void> {
    // undici's Request parses multipart bodies, the same code the SDK's fetch uses to build them.
    const form = await new Request('http://127.0.0.1/', { method: 'POST', headers: { 'content-type': req.headers['content-type'] ?? '' }, body: new Uint8Array(raw) }).formData();
    const file = form.get('file') as File | null;
    if (!file) return json(res, 400, { error: { message: 'file is required', type: 'invalid_request_error' } });
    const stored: StoredFile = { id: `file-${this.#tag}${++this.#ids}`, purpose: String(form.get('purpose') ?? ''), filename: file.name, content: await file.text() };
    this.files.set(stored.id, stored);
    json(res, 200, { id: stored.id, object: 'file', bytes: Buffer.byteLength(stored.content), created_at: Math.floor(Date.now() / 1000), filename: stored.filename, purpose: stored.purpose, status: 'processed' });
  }

  #fileContent(id: string, res: ServerResponse): void {
    const file = this.files.get(id);
    if (!file) return json(res, 404, { error: { message: 'no such file', type: 'invalid_request_error' } });
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    res.end(file.content);
  }

  #createBatch(body: any, res: ServerResponse): void {
    const input = this.files.get(body?.input_file_id);
    if (!input) return json(res, 400, { error: { message: 'input file not found', type: 'invalid_request_error' } });
    const total = input.content.split('\n').filter((l) => l.trim()).length;
    const batch = {
      id: `batch_${this.#tag}${++this.#ids}`,
      object: 'batch',
      endpoint: body.endpoint,
      input_file_id: input.id,
      completion_window: body.completion_window,
      status: 'validating',
      output_file_id: null,
      error_file_id: null,
      created_at: Math.floor(Date.now() / 1000),
      errors: null,
      metadata: body.metadata ?? null,
      request_counts: { total, completed: 0, failed: 0 },
    };
    this.batches.set(batch.id, batch);
    json(res, 200, batch);
  }

  #retrieveBatch(id: string, res: ServerResponse): void {
    const batch = this.batches.get(id);
    if (!batch) return json(res, 404, { error: { message: 'no such batch', type: 'invalid_request_error' } });
    const polls = (this.#polls.get(id) ?? 0) + 1;
    this.#polls.set(id, polls);
    if (batch.status === 'validating' || batch.status === 'in_progress') {
      if (polls >= (this.#options.pollsToComplete ?? 2)) this.#finishBatch(batch);
      else batch.status = 'in_progress';
    }
    json(res, 200, batch);
  }

  /** Answers every line of the batch through the same script, then writes the output and error files. */
  #finishBatch(batch: any): void {
    const lines = this.files.get(batch.input_file_id)!.content.split('\n').filter((l) => l.trim());
    // The real service fails the whole batch at validation when a line's url is not the batch's endpoint.
    const kind = (url: string) => (String(url).endsWith('/chat/completions') ? 'chat' : 'completions');
    const problems = lines.map((l) => JSON.parse(l)).map((l) => (l.url !== batch.endpoint ? `The url ${l.url} does not match the batch endpoint ${batch.endpoint}.` : invalidBody(kind(l.url), l.body)));
    const wrong = problems.findIndex((p) => p !== undefined);
    if (wrong >= 0) {
      batch.status = 'failed';
      batch.errors = { object: 'list', data: [{ code: 'invalid_request', message: problems[wrong], line: wrong + 1 }] };
      return;
    }
    const expired = this.#options.batchEnd === 'expired';
    const answered = expired ? lines.slice(0, Math.floor(lines.length / 2)) : lines;
    const out: string[] = [];
    const err: string[] = [];
    for (const line of answered) {
      const { custom_id, body } = JSON.parse(line);
      const reply = this.script(this.#chatCall(body, true)) ?? { kind: 'ok' };
      const id = `batch_req_${++this.#ids}`;
      if (reply.kind === 'ok' || reply.kind === 'truncated') {
        const content = reply.kind === 'ok' ? (reply.content ?? defaultAnswer(body)) : defaultAnswer(body).slice(0, 5);
        out.push(JSON.stringify({ id, custom_id, response: { status_code: 200, request_id: id, body: completion(body, content, reply.kind === 'ok' ? reply.finishReason : 'length') }, error: null }));
      } else {
        const status = reply.kind === 'error' ? reply.status : 500;
        err.push(JSON.stringify({ id, custom_id, response: { status_code: status, request_id: id, body: { error: { message: `scripted ${status}`, type: 'server_error' } } }, error: null }));
      }
    }
    const save = (content: string[]) => {
      if (!content.length) return null;
      const f: StoredFile = { id: `file-${this.#tag}${++this.#ids}`, purpose: 'batch_output', filename: 'out.jsonl', content: `${content.join('\n')}\n` };
      this.files.set(f.id, f);
      return f.id;
    };
    batch.output_file_id = save(out);
    batch.error_file_id = save(err);
    batch.status = expired ? 'expired' : 'completed';
    batch.request_counts = { total: lines.length, completed: out.length, failed: err.length };
  }
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startStandIn(options: StandInOptions = {}): Promise<StandInServer> {
  return new StandInServer(options).start();
}

/**
 * Writes `rows` reports to a CSV in `dir` (a temporary folder, never the repo) with the columns uid, findings and
 * impression: the first reports of the real IU X-ray set, read in place from ../shared, or generated reports
 * split at their IMPRESSION header when ../shared is absent (said on stderr).
 */
export async function writeIuSample(dir: string, rows: number): Promise<{ path: string; reports: { uid: string; findings: string; impression: string }[] }> {
  const { existsSync } = await import('node:fs');
  const { readFile, writeFile } = await import('node:fs/promises');
  const { fileURLToPath } = await import('node:url');
  const Papa = (await import('papaparse')).default;
  const source = fileURLToPath(new URL('../../../shared/data/iu-xray/indiana_reports.csv', import.meta.url));
  let reports: { uid: string; findings: string; impression: string }[];
  if (existsSync(source)) {
    const parsed = Papa.parse<Record<string, string>>(await readFile(source, 'utf8'), { header: true, skipEmptyLines: true });
    reports = parsed.data.slice(0, rows).map((r) => ({ uid: r.uid, findings: r.findings, impression: r.impression }));
  } else {
    process.stderr.write(`${source} is absent: the OpenAI tests use generated reports instead.\n`);
    const { generateReports } = await import('../../src/lib/synthetic.ts');
    reports = generateReports(rows, 11).map((text, i) => {
      const [findings, impression = ''] = text.split(/IMPRESSION:\s*/);
      return { uid: String(i + 1), findings: findings.replace(/^[\s\S]*FINDINGS:\s*/, '').trim(), impression: impression.trim() };
    });
  }
  const path = `${dir}/reports.csv`;
  await writeFile(path, Papa.unparse(reports, { columns: ['uid', 'findings', 'impression'] }));
  return { path, reports };
}
