/**
 * `npm run bench:llm`: what each prompt profile costs in tokens on real reports, per profile and task: the prompt
 * as the model sees it and the answer in the profile's shape, counted with a real Llama 3 tokenizer
 * (llama3-tokenizer-js 1.2.0, the Llama 3 vocabulary and merges baked in; it runs offline).
 *
 * - Prompt tokens: `release` is a raw completion, so BOS + the prompt; chat profiles go through Llama 3's chat
 *   template (`<|begin_of_text|>`, a header per message, `<|eot_id|>`, then the assistant header), as WebLLM and
 *   vLLM render it with the template's system message emptied. The `release-weak-labels` prompt is for GPT-4o,
 *   whose own tokenizer (o200k) differs: its figure is the Llama 3 count of the same text.
 * - Answer tokens: the answer each profile's format gives for the rule engine's labels of the report
 *   (formatAnswers, the training targets), plus the stop token. The released model also writes an `Evidence:`
 *   block after its findings list, up to the 150-token limit, which this does not count.
 *
 * Usage: npm run bench:llm -- [-i FILE] [-t findings,impression] [--rows N] [--json FILE]
 * Default input: ../shared/data/iu-xray/indiana_reports.csv (read in place), columns findings,impression.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import llama3Tokenizer from 'llama3-tokenizer-js';
import { prepareRow, resolveColumnList } from '../src/lib/csv/index.ts';
import { buildRequests, type PromptProfileId, type PromptRequest } from '../src/lib/prompts/index.ts';
import { formatAnswers } from '../src/lib/prompts/target.ts';
import { profileTasks, promptText, PROMPT_PROFILES } from '../src/lib/prompts/profiles.ts';
import { isBlankReport, type Task } from '../src/lib/result.ts';
import { labelReport } from '../src/lib/rules/engine.ts';
import { readCsvRows } from '../training/lib/csv-stream.ts';

const IU = new URL('../../shared/data/iu-xray/indiana_reports.csv', import.meta.url).pathname;

const count = (text: string) => llama3Tokenizer.encode(text, { bos: false, eos: false }).length;

/** Tokens of a request as the model's input: BOS + prompt, or the Llama 3 chat template around the messages. */
export function promptTokens(r: PromptRequest): number {
  if (r.kind === 'completion') return llama3Tokenizer.encode(promptText(r, { addBos: true }), { bos: false, eos: false }).length;
  const rendered = r.messages.map((m) => `<|start_header_id|>${m.role}<|end_header_id|>\n\n${m.content}<|eot_id|>`).join('');
  return llama3Tokenizer.encode(`<|begin_of_text|>${rendered}<|start_header_id|>assistant<|end_header_id|>\n\n`, { bos: false, eos: false }).length;
}

interface Stat {
  profile: PromptProfileId;
  task: Task;
  calls: number;
  reports: number;
  /** Prompt tokens of the template alone (the report left empty), per call. */
  template: number[];
  prompt: number[];
  answer: number[];
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
};
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { input: { type: 'string', short: 'i' }, 'text-column': { type: 'string', short: 't' }, rows: { type: 'string', short: 'n' }, json: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write('Usage: npm run bench:llm -- [-i FILE] [-t findings,impression] [--rows N] [--json FILE]\n');
    return;
  }
  const input = values.input ?? IU;
  if (!existsSync(input)) {
    process.stderr.write(`bench:llm: ${input} is absent; give a CSV of reports with -i FILE -t COLUMNS.\n`);
    process.exitCode = 2;
    return;
  }
  const limit = values.rows ? Number(values.rows) : Infinity;
  if (!(limit > 0) || (limit !== Infinity && !Number.isInteger(limit))) {
    process.stderr.write(`bench:llm: --rows must be a positive whole number (got "${values.rows}").\n`);
    process.exitCode = 2;
    return;
  }
  const rows = readCsvRows(input);
  const header = (await rows.next()).value as string[];
  const textColumns = resolveColumnList(header, values['text-column'] ?? 'findings,impression', 'text');
  const layout = { width: header.length, textColumns, idColumns: [], headings: textColumns.length > 1 ? textColumns.map((i) => header[i]) : undefined };
  const stats: Stat[] = PROMPT_PROFILES.flatMap((profile) => profileTasks(profile).map((task) => ({ profile, task, calls: 0, reports: 0, template: [], prompt: [], answer: [] })));
  for (const s of stats) s.template = buildRequests(s.profile, s.task, '').map(promptTokens);
  let row = 0;
  let used = 0;
  for await (const fields of rows) {
    const prepared = prepareRow(fields, layout, ++row);
    if (!prepared.ok || isBlankReport(prepared.text)) continue;
    if (used >= limit) break;
    used++;
    const text = prepared.text;
    const labels = labelReport(text, { task: 'both' });
    for (const s of stats) {
      const requests = buildRequests(s.profile, s.task, text);
      const answers = labels.status === 'ok' ? formatAnswers(requests, labels, text) : [];
      s.reports++;
      requests.forEach((r, i) => {
        s.calls++;
        s.prompt.push(promptTokens(r));
        // +1: the stop token (<|eot_id|>) the model writes last.
        if (answers[i] !== undefined) s.answer.push(count(answers[i]) + 1);
      });
    }
  }
  const lines = [
    `bench:llm: ${used.toLocaleString('en-US')} reports from ${input} (${textColumns.map((i) => header[i]).join(' + ')}); tokenizer: llama3-tokenizer-js 1.2.0 (Llama 3 vocabulary)`,
    '',
    '| profile | task | calls/report | template tokens | prompt tokens mean / p95 / max | answer tokens mean / p95 / max | max_tokens |',
    '|---|---|---|---|---|---|---|',
    ...stats.map((s) => {
      const max = buildRequests(s.profile, s.task, 'x').map((r) => r.maxTokens).join(' + ');
      return `| ${s.profile} | ${s.task} | ${s.calls / Math.max(s.reports, 1)} | ${s.template.join(' + ')} | ${mean(s.prompt).toFixed(0)} / ${pct(s.prompt, 95)} / ${Math.max(0, ...s.prompt)} | ${mean(s.answer).toFixed(1)} / ${pct(s.answer, 95)} / ${Math.max(0, ...s.answer)} | ${max} |`;
    }),
    '',
    'Prompt: per call, BOS + raw prompt (release) or the Llama 3 chat template (json, release-weak-labels; the teacher prompt is for GPT-4o, counted here with Llama 3).',
    "Answer: per call, the profile's answer format for the rule engine's labels + the stop token; release's Evidence block is not counted. release-weak-labels draws 3 of 11 seed examples per report (seed 0).",
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  if (values.json) {
    const summary = stats.map((s) => ({ profile: s.profile, task: s.task, reports: s.reports, calls: s.calls, templateTokens: s.template, promptMean: mean(s.prompt), promptP95: pct(s.prompt, 95), promptMax: Math.max(0, ...s.prompt), answerMean: mean(s.answer), answerP95: pct(s.answer, 95), answerMax: Math.max(0, ...s.answer) }));
    await writeFile(values.json, `${JSON.stringify({ input, reports: used, tokenizer: 'llama3-tokenizer-js@1.2.0', stats: summary }, null, 2)}\n`);
  }
}

await main();
