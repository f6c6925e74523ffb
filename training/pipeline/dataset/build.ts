/**
 * Building a training set: reports ⋈ labels → filter (failed labels, blank or duplicate reports) → examples with
 * the app's prompts → stratified split → train.jsonl, validation.jsonl, dataset.json, dropped.csv.
 * Nothing is written until everything has been read and checked; each file is written atomically.
 */
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { csvLine, idKey, layoutFor, prepareRow } from '../../../src/lib/csv/index.ts';
import { EmptyInputError, UsageError } from '../../../src/lib/errors.ts';
import { PROMPT_VERSION, type PromptProfileId } from '../../../src/lib/prompts/profiles.ts';
import { isBlankReport, type LabelResult, type Task } from '../../../src/lib/result.ts';
import { readCsvRows } from '../../lib/csv-stream.ts';
import { writeFileAtomic, writeJsonAtomic } from '../files.ts';
import { buildExamples, DATASET_FORMATS, estimateExampleTokens, estimateTokens, evidenceMatches, normaliseForDedupe, type DatasetFormat, type TrainingExample } from './examples.ts';

export { DATASET_FORMATS, type DatasetFormat };
import { readLabels, type LabelIndex } from './labels.ts';
import { seededRandom, stratifiedSplit, strata } from './split.ts';
import { percentiles, prevalence, type DatasetStats, type DropReason } from './stats.ts';

export interface DatasetOptions {
  reports: string;
  textColumn: string;
  idColumns: string[];
  labels: string;
  task: Task;
  profile: PromptProfileId;
  /** chat (default) or alpaca (the paper's instruction/output records). */
  format: DatasetFormat;
  out: string;
  validation: number;
  seed: string;
}

/** dataset.json: what the set was built from and with, read back by finetune and build-model. */
export interface DatasetManifest {
  kind: 'radreportx-dataset';
  createdAt: string;
  task: Task;
  /** Absent in sets written before alpaca existed: chat. */
  format?: DatasetFormat;
  promptProfile: PromptProfileId;
  promptVersion: string;
  seed: string;
  validationFraction: number;
  sources: { reports: string; textColumn: string; idColumns: string[]; labels: string; labelFormat: 'jsonl' | 'csv' };
  files: { train: FileInfo; validation: FileInfo };
  stats: DatasetStats;
  /** The torchtune dataset block that reads these files (finetune writes it for you). */
  torchtuneDataset: Record<string, unknown>;
}

interface FileInfo {
  path: string;
  examples: number;
  sha256: string;
}

export const TRAIN_FILE = 'train.jsonl';
export const VALIDATION_FILE = 'validation.jsonl';
export const MANIFEST_FILE = 'dataset.json';
export const DROPPED_FILE = 'dropped.csv';

/**
 * The torchtune dataset block that reads one of our JSONL files: chat_dataset (torchtune/datasets/_chat.py) or
 * alpaca_dataset (torchtune/datasets/_alpaca.py, whose train_on_input defaults to True; the paper's is False).
 */
export function datasetBlock(format: DatasetFormat, dataFile: string): Record<string, unknown> {
  const common = { source: 'json', data_files: dataFile, split: 'train' };
  return format === 'alpaca'
    ? { _component_: 'torchtune.datasets.alpaca_dataset', ...common, train_on_input: false }
    : { _component_: 'torchtune.datasets.chat_dataset', ...common, conversation_column: 'messages', conversation_style: 'openai', train_on_input: false };
}

interface Kept {
  key: string;
  text: string;
  result: LabelResult;
  examples: TrainingExample[];
}

export interface DatasetResult {
  manifest: DatasetManifest;
  warnings: string[];
}

interface Collected {
  read: number;
  kept: Kept[];
  dropped: Map<DropReason, number>;
  droppedRows: string[];
  usedKeys: Set<string>;
}

/**
 * The paper's mix (entity_9000_mimic_4500.json: 9,000 ICD-10-phrase examples, 4,500 findings examples): with
 * `--format alpaca --task both` every report gives an ICD-10 example and a seeded half of them a findings one.
 */
export const PAPER_FINDINGS_SHARE = 4500 / 9000;

/** Why a readable report cannot be a training example, or undefined when it can. */
function dropReason(text: string, label: LabelResult | undefined, task: Task, seen: Set<string>): DropReason | undefined {
  if (isBlankReport(text)) return 'report_blank';
  if (!label) return 'no_label';
  if (label.status !== 'ok') return `label_${label.status}` as DropReason;
  if (task !== 'findings' && !label.icd10) return 'no_icd10_labels';
  if (!evidenceMatches(text, label)) return 'text_mismatch';
  if (seen.has(normaliseForDedupe(text))) return 'duplicate_report';
  return undefined;
}

/** Reads the reports, joins each to its label, and keeps the usable ones as examples (in file order). */
async function collectExamples(o: DatasetOptions, labels: LabelIndex): Promise<Collected> {
  const rows = readCsvRows(o.reports);
  const first = await rows.next();
  if (first.done) throw new EmptyInputError(`The reports file "${o.reports}"`);
  const header = first.value;
  // Same layout as `label` (layoutFor), so the text here is the very text the labels were made from.
  const layout = layoutFor(header, o.textColumn, o.idColumns);
  const { idColumns } = layout;
  const c: Collected = { read: 0, kept: [], dropped: new Map(), droppedRows: [csvLine(['key', 'reason'])], usedKeys: new Set() };
  const seenText = new Set<string>();
  for await (const fields of rows) {
    const read = ++c.read;
    const prepared = prepareRow(fields, layout, read);
    // Keys as the labelers write them: trimmed id values; `row-N` (label --engine openai) or `N` (label CSV) for
    // rows without an id.
    const blankId = prepared.ids.every((v) => v.trim() === '');
    const key = idColumns.length && !blankId ? idKey(prepared.ids.map((v) => v.trim())) : String(read);
    const matched = [key, `row-${read}`].find((k, i) => (i === 0 || blankId) && labels.byKey.has(k));
    const label = matched === undefined ? undefined : labels.byKey.get(matched);
    if (matched !== undefined) c.usedKeys.add(matched);
    const reason = prepared.ok ? dropReason(prepared.text, label, o.task, seenText) : 'report_unreadable';
    if (reason || !prepared.ok) {
      c.dropped.set(reason!, (c.dropped.get(reason!) ?? 0) + 1);
      c.droppedRows.push(csvLine([key, reason!]));
      continue;
    }
    seenText.add(normaliseForDedupe(prepared.text));
    const withFindings = o.format !== 'alpaca' || o.task !== 'both' || seededRandom(`${o.seed}:mix:${key}`)() < PAPER_FINDINGS_SHARE;
    c.kept.push({ key, text: prepared.text, result: label!, examples: buildExamples(o.profile, o.task, key, prepared.text, label!, { format: o.format, withFindings }) });
  }
  if (c.read === 0) throw new EmptyInputError(`The reports file "${o.reports}" (a header row, no reports)`);
  return c;
}

/** Warnings about the labels' evidence: json answers quote it, so labels without it train empty quotes. */
function evidenceWarnings(o: DatasetOptions, labels: LabelIndex, c: Collected): string[] {
  const out: string[] = [];
  if (!labels.hasEvidence && o.profile === 'json' && o.task !== 'icd10') {
    out.push('CSV labels carry no evidence quotes, so the json answers will have empty "evidence". Build from the JSONL labels to keep them.');
  }
  if ((c.dropped.get('text_mismatch') ?? 0) > 0) out.push(`${c.dropped.get('text_mismatch')} report(s) do not match their labels' evidence: were they labeled with another --text-column?`);
  if (labels.hasEvidence && o.profile === 'json' && o.task !== 'icd10') {
    const mentioned = c.kept.filter((k) => Object.values(k.result.findings).some((st) => st !== 'absent'));
    const bare = mentioned.filter((k) => k.result.evidence.length === 0).length;
    if (mentioned.length && bare / mentioned.length > 0.5) {
      out.push(`${bare} of ${mentioned.length} labeled reports have no evidence quotes (labels from the release profile, which carries none?), so their json answers have empty "evidence".`);
    }
  }
  return out;
}

function datasetStats(labels: LabelIndex, c: Collected, validation: Set<number>, train: TrainingExample[], val: TrainingExample[]): DatasetStats {
  const results = c.kept.map((k) => k.result);
  const tokens = c.kept.flatMap((k) => k.examples.map(estimateExampleTokens));
  const icdItems = c.kept.flatMap((k) => k.result.icd10 ?? []);
  const codeCounts = new Map<string, number>();
  for (const item of icdItems) codeCounts.set(item.code, (codeCounts.get(item.code) ?? 0) + 1);
  return {
    reports: { read: c.read, kept: c.kept.length, train: c.kept.length - validation.size, validation: validation.size },
    examples: { train: train.length, validation: val.length },
    dropped: Object.fromEntries(c.dropped),
    labels: {
      read: labels.byKey.size + labels.invalid,
      invalid: labels.invalid,
      duplicateIds: labels.duplicateKeys,
      withoutReport: [...labels.byKey.keys()].filter((k) => !c.usedKeys.has(k)).length,
    },
    normal: results.filter((r) => r.normal).length,
    prevalence: prevalence(results, (i) => validation.has(i)),
    icd10: {
      items: icdItems.length,
      reportsWithCodes: c.kept.filter((k) => (k.result.icd10 ?? []).length > 0).length,
      topCodes: [...codeCounts].sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0])).slice(0, 8),
    },
    reportChars: percentiles(c.kept.map((k) => k.text.length)),
    reportTokens: percentiles(c.kept.map((k) => estimateTokens(k.text))),
    promptTokens: percentiles(tokens.map((t) => t.prompt)),
    answerTokens: percentiles(tokens.map((t) => t.answer)),
  };
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const jsonl = (examples: TrainingExample[]) => examples.map((e) => `${JSON.stringify(e)}\n`).join('');

/** Writes the four files, each atomically; the manifest last, as its presence says the set is complete. */
async function writeDataset(o: DatasetOptions, c: Collected, train: TrainingExample[], val: TrainingExample[], labelFormat: 'jsonl' | 'csv', stats: DatasetStats): Promise<DatasetManifest> {
  await mkdir(o.out, { recursive: true });
  const trainText = jsonl(train);
  const valText = jsonl(val);
  await writeFileAtomic(join(o.out, TRAIN_FILE), trainText);
  await writeFileAtomic(join(o.out, VALIDATION_FILE), valText);
  await writeFileAtomic(join(o.out, DROPPED_FILE), c.droppedRows.join(''));
  const manifest: DatasetManifest = {
    kind: 'radreportx-dataset',
    createdAt: new Date().toISOString(),
    task: o.task,
    format: o.format,
    promptProfile: o.profile,
    promptVersion: PROMPT_VERSION[o.profile],
    seed: o.seed,
    validationFraction: o.validation,
    sources: { reports: o.reports, textColumn: o.textColumn, idColumns: o.idColumns, labels: o.labels, labelFormat },
    files: {
      train: { path: TRAIN_FILE, examples: train.length, sha256: sha(trainText) },
      validation: { path: VALIDATION_FILE, examples: val.length, sha256: sha(valText) },
    },
    stats,
    torchtuneDataset: { ...datasetBlock(o.format, `<data-dir>/${TRAIN_FILE}`), packed: false },
  };
  await writeJsonAtomic(join(o.out, MANIFEST_FILE), manifest);
  return manifest;
}

export async function buildDataset(o: DatasetOptions, log: (line: string) => void): Promise<DatasetResult> {
  const warnings: string[] = [];
  const warn = (m: string) => {
    warnings.push(m);
    log(`warning: ${m}`);
  };
  const labels = await readLabels(o.labels, { idColumns: o.idColumns, task: o.task });
  if (labels.invalid) warn(`${labels.invalid} label line(s) could not be read and were skipped, e.g. ${labels.invalidExamples.slice(0, 3).join('; ')}.`);
  log(`Read ${labels.byKey.size.toLocaleString('en-US')} labels from ${o.labels}.`);
  const c = await collectExamples(o, labels);
  for (const w of evidenceWarnings(o, labels, c)) warn(w);
  if (!c.kept.length) {
    const matched = c.read - (c.dropped.get('no_label') ?? 0);
    throw new UsageError(
      `No usable examples: ${c.read} reports read, ${matched} matched a label, none had an ok label and usable text.`,
      matched === 0
        ? `No report id matched a label id. Check --id-column (${o.idColumns.length ? o.idColumns.join(', ') : 'none given, so rows are matched by row number'}).`
        : 'See the dropped counts above.',
    );
  }
  const validation = stratifiedSplit(strata(c.kept.map((k) => k.result)), o.validation, o.seed);
  const train: TrainingExample[] = [];
  const val: TrainingExample[] = [];
  c.kept.forEach((k, i) => (validation.has(i) ? val : train).push(...k.examples));
  const stats = datasetStats(labels, c, validation, train, val);
  if (stats.labels.withoutReport) warn(`${stats.labels.withoutReport} label(s) have no report with the same id.`);
  const manifest = await writeDataset(o, c, train, val, labels.format, stats);
  return { manifest, warnings };
}
