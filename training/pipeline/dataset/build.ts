/**
 * Building a training set: reports ⋈ labels → filter (failed labels, blank or duplicate reports) → examples with
 * the app's prompts → stratified split → train.jsonl, validation.jsonl, dataset.json, dropped.csv.
 * Nothing is written until everything has been read and checked; each file is written atomically.
 */
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { csvLine, idKey, prepareRow, resolveColumnList, splitColumnSpec } from '../../../src/lib/csv/index.ts';
import { EmptyInputError, UsageError } from '../../../src/lib/errors.ts';
import { PROMPT_VERSION, type PromptProfileId } from '../../../src/lib/prompts/profiles.ts';
import { isBlankReport, type LabelResult, type Task } from '../../../src/lib/result.ts';
import { readCsvRows } from '../../lib/csv-stream.ts';
import { writeFileAtomic, writeJsonAtomic } from '../files.ts';
import { buildExamples, estimateExampleTokens, estimateTokens, evidenceMatches, normaliseForDedupe, type ChatExample } from './examples.ts';
import { readLabels } from './labels.ts';
import { stratifiedSplit, strata } from './split.ts';
import { percentiles, prevalence, type DatasetStats, type DropReason } from './stats.ts';

export interface DatasetOptions {
  reports: string;
  textColumn: string;
  idColumns: string[];
  labels: string;
  task: Task;
  profile: PromptProfileId;
  out: string;
  validation: number;
  seed: string;
}

/** dataset.json: what the set was built from and with, read back by finetune and build-model. */
export interface DatasetManifest {
  kind: 'radreportx-dataset';
  createdAt: string;
  task: Task;
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

/** The dataset block for torchtune's chat_dataset reading one of our JSONL files. */
export function torchtuneDatasetBlock(dataFile: string): Record<string, unknown> {
  return {
    _component_: 'torchtune.datasets.chat_dataset',
    source: 'json',
    data_files: dataFile,
    split: 'train',
    conversation_column: 'messages',
    conversation_style: 'openai',
    train_on_input: false,
    packed: false,
  };
}

interface Kept {
  key: string;
  text: string;
  result: LabelResult;
  examples: ChatExample[];
}

export interface DatasetResult {
  manifest: DatasetManifest;
  warnings: string[];
}

export async function buildDataset(o: DatasetOptions, log: (line: string) => void): Promise<DatasetResult> {
  const warnings: string[] = [];
  const warn = (m: string) => {
    warnings.push(m);
    log(`warning: ${m}`);
  };
  const labels = await readLabels(o.labels, { idColumns: o.idColumns, task: o.task });
  if (labels.invalid) warn(`${labels.invalid} label line(s) could not be read and were skipped, e.g. ${labels.invalidExamples.slice(0, 3).join('; ')}.`);
  if (!labels.hasEvidence && o.profile === 'json' && o.task !== 'icd10') {
    warn('CSV labels carry no evidence quotes, so the json answers will have empty "evidence". Build from the JSONL labels to keep them.');
  }
  log(`Read ${labels.byKey.size.toLocaleString('en-US')} labels from ${o.labels}.`);

  const rows = readCsvRows(o.reports);
  const first = await rows.next();
  if (first.done) throw new EmptyInputError(`The reports file "${o.reports}"`);
  const header = first.value;
  const textColumns = resolveColumnList(header, o.textColumn, 'text');
  const idNames = o.idColumns.flatMap((spec) => splitColumnSpec(header, spec));
  const idColumns = resolveColumnList(header, idNames, 'id');
  // Same layout as `label`, so the text here is the very text the labels were made from.
  const layout = { width: header.length, textColumns, idColumns, headings: textColumns.length > 1 ? textColumns.map((i) => header[i]) : undefined };

  const dropped = new Map<DropReason, number>();
  const droppedRows: string[] = [csvLine(['key', 'reason'])];
  const drop = (key: string, reason: DropReason) => {
    dropped.set(reason, (dropped.get(reason) ?? 0) + 1);
    droppedRows.push(csvLine([key, reason]));
  };
  const seenText = new Set<string>();
  const usedKeys = new Set<string>();
  const kept: Kept[] = [];
  let read = 0;
  for await (const fields of rows) {
    read++;
    const prepared = prepareRow(fields, layout, read);
    // Keys as the labelers write them: trimmed id values; `row-N` (label --engine openai) or `N` (label CSV) for
    // rows without an id.
    const blankId = prepared.ids.every((v) => v.trim() === '');
    const key = idColumns.length && !blankId ? idKey(prepared.ids.map((v) => v.trim())) : String(read);
    const matched = [key, `row-${read}`].find((k, i) => (i === 0 || blankId) && labels.byKey.has(k));
    const label = matched === undefined ? undefined : labels.byKey.get(matched);
    if (matched !== undefined) usedKeys.add(matched);
    if (!prepared.ok) {
      drop(key, 'report_unreadable');
      continue;
    }
    if (isBlankReport(prepared.text)) {
      drop(key, 'report_blank');
      continue;
    }
    if (!label) {
      drop(key, 'no_label');
      continue;
    }
    if (label.status !== 'ok') {
      drop(key, `label_${label.status}` as DropReason);
      continue;
    }
    if (o.task !== 'findings' && !label.icd10) {
      drop(key, 'no_icd10_labels');
      continue;
    }
    if (!evidenceMatches(prepared.text, label)) {
      drop(key, 'text_mismatch');
      continue;
    }
    const norm = normaliseForDedupe(prepared.text);
    if (seenText.has(norm)) {
      drop(key, 'duplicate_report');
      continue;
    }
    seenText.add(norm);
    kept.push({ key, text: prepared.text, result: label, examples: buildExamples(o.profile, o.task, key, prepared.text, label) });
  }
  if (read === 0) throw new EmptyInputError(`The reports file "${o.reports}" (a header row, no reports)`);
  if ((dropped.get('text_mismatch') ?? 0) > 0) {
    warn(`${dropped.get('text_mismatch')} report(s) do not match their labels' evidence: were they labeled with another --text-column?`);
  }
  if (!kept.length) {
    const matched = read - (dropped.get('no_label') ?? 0);
    throw new UsageError(
      `No usable examples: ${read} reports read, ${matched} matched a label, none had an ok label and usable text.`,
      matched === 0
        ? `No report id matched a label id. Check --id-column (${o.idColumns.length ? o.idColumns.join(', ') : 'none given, so rows are matched by row number'}).`
        : 'See the dropped counts above.',
    );
  }

  if (labels.hasEvidence && o.profile === 'json' && o.task !== 'icd10') {
    const mentioned = kept.filter((k) => Object.values(k.result.findings).some((s) => s !== 'absent'));
    const bare = mentioned.filter((k) => k.result.evidence.length === 0).length;
    if (mentioned.length && bare / mentioned.length > 0.5) {
      warn(`${bare} of ${mentioned.length} labeled reports have no evidence quotes (labels from the release profile, which carries none?), so their json answers have empty "evidence".`);
    }
  }
  const results = kept.map((k) => k.result);
  const validation = stratifiedSplit(strata(results), o.validation, o.seed);
  const train: ChatExample[] = [];
  const val: ChatExample[] = [];
  kept.forEach((k, i) => (validation.has(i) ? val : train).push(...k.examples));

  const tokens = kept.flatMap((k) => k.examples.map(estimateExampleTokens));
  const icdItems = kept.flatMap((k) => k.result.icd10 ?? []);
  const codeCounts = new Map<string, number>();
  for (const item of icdItems) codeCounts.set(item.code, (codeCounts.get(item.code) ?? 0) + 1);
  const stats: DatasetStats = {
    reports: { read, kept: kept.length, train: kept.length - validation.size, validation: validation.size },
    examples: { train: train.length, validation: val.length },
    dropped: Object.fromEntries(dropped),
    labels: {
      read: labels.byKey.size + labels.invalid,
      invalid: labels.invalid,
      duplicateIds: labels.duplicateKeys,
      withoutReport: [...labels.byKey.keys()].filter((k) => !usedKeys.has(k)).length,
    },
    normal: results.filter((r) => r.normal).length,
    prevalence: prevalence(results, (i) => validation.has(i)),
    icd10: {
      items: icdItems.length,
      reportsWithCodes: kept.filter((k) => (k.result.icd10 ?? []).length > 0).length,
      topCodes: [...codeCounts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 8),
    },
    reportChars: percentiles(kept.map((k) => k.text.length)),
    reportTokens: percentiles(kept.map((k) => estimateTokens(k.text))),
    promptTokens: percentiles(tokens.map((t) => t.prompt)),
    answerTokens: percentiles(tokens.map((t) => t.answer)),
  };
  if (stats.labels.withoutReport) warn(`${stats.labels.withoutReport} label(s) have no report with the same id.`);

  await mkdir(o.out, { recursive: true });
  const jsonl = (examples: ChatExample[]) => examples.map((e) => `${JSON.stringify(e)}\n`).join('');
  const trainText = jsonl(train);
  const valText = jsonl(val);
  const sha = (s: string) => createHash('sha256').update(s).digest('hex');
  await writeFileAtomic(join(o.out, TRAIN_FILE), trainText);
  await writeFileAtomic(join(o.out, VALIDATION_FILE), valText);
  await writeFileAtomic(join(o.out, DROPPED_FILE), droppedRows.join(''));
  const manifest: DatasetManifest = {
    kind: 'radreportx-dataset',
    createdAt: new Date().toISOString(),
    task: o.task,
    promptProfile: o.profile,
    promptVersion: PROMPT_VERSION[o.profile],
    seed: o.seed,
    validationFraction: o.validation,
    sources: { reports: o.reports, textColumn: o.textColumn, idColumns: o.idColumns, labels: o.labels, labelFormat: labels.format },
    files: {
      train: { path: TRAIN_FILE, examples: train.length, sha256: sha(trainText) },
      validation: { path: VALIDATION_FILE, examples: val.length, sha256: sha(valText) },
    },
    stats,
    torchtuneDataset: torchtuneDatasetBlock(`<data-dir>/${TRAIN_FILE}`),
  };
  // The manifest goes last: its presence says the set is complete.
  await writeJsonAtomic(join(o.out, MANIFEST_FILE), manifest);
  return { manifest, warnings };
}
