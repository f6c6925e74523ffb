/**
 * The one evaluator, DOM-free: `radreportx evaluate` and the page's Evaluate worker both read rows with these
 * readers and score them with `Evaluator`, so the same files give the same numbers, intervals included:
 * - the join follows one rule (join.ts): by id when both sides have an id column, else by row order, reported;
 * - the reference is read first into a map by key (first row of a duplicate key kept, malformed rows skipped);
 * - every prediction row is then scored against it, duplicates included; rows the labeler did not label
 *   (status empty/error/unparsed) are counted, not scored; rows that do not join are counted on each side;
 * - only findings both files cover are scored; unknown names or bad codes fail the whole run, naming them,
 *   and a reports file given as labels is refused without quoting its text.
 */
import { looksLikeText, resolveColumn } from '../csv/columns.ts';
import { FINDING_STATUSES, FINDINGS, isFinding, type Finding, type FindingStatus } from '../findings.ts';
import { findingColumns, parseFindingList, statusesFromCodes, statusesFromNames } from '../csv/truth.ts';
import { RadReportXError, UnknownFindingError } from '../errors.ts';
import { MetricsAccumulator, presentFindings, type MetricsReport, type UncertainPolicy } from '../metrics.ts';
import type { RowStatus } from '../result.ts';
import { BootstrapSamples, type BootstrapOptions, type BootstrapResult } from './bootstrap.ts';
import { describeJoin, transformId, type IdTransform, type JoinRule } from './join.ts';

/** How a file holds its labels: one names-list column, or one CheXpert-coded column per finding. */
export type LabelFormat = { kind: 'names'; column: string } | { kind: 'codes' };

/** The format used without a column option: coded columns if any, else a `findings` column. */
export function guessFormat(header: readonly string[]): LabelFormat | undefined {
  if (findingColumns(header).size > 0) return { kind: 'codes' };
  const column = header.find((h) => h.trim().toLowerCase() === 'findings');
  return column === undefined ? undefined : { kind: 'names', column };
}

/** One line of how a side's labels were read, for the report. */
export function describeFormat(header: readonly string[], format: LabelFormat): string {
  return format.kind === 'names' ? `names in column "${format.column}"` : `${findingColumns(header).size} finding columns (1/0/-1/blank)`;
}

/** The findings a file can speak about: all 13 for a names list, only those with a column for coded files. */
export function coveredFindings(header: readonly string[], format: LabelFormat): Finding[] {
  if (format.kind === 'names') return [...FINDINGS];
  const columns = findingColumns(header);
  return FINDINGS.filter((f) => columns.has(f));
}

const STATUSES = new Set<string>(['ok', 'empty', 'error', 'unparsed']);

export type Role = 'reference' | 'predictions';

/** One data row read from either side. `status` undefined reads as labeled; `error` also marks a malformed row. */
export interface LabeledRow {
  /** 1-based data row (or JSONL row number). */
  row: number;
  /** The id the join uses (or that a row-order join compares), before any transform; undefined without one. */
  id?: string;
  status?: RowStatus;
  findings: Record<Finding, FindingStatus>;
}

/** A label cell that reads like report prose: a reports file given as labels. */
function isProse(name: string): boolean {
  return name.length > 40 || (looksLikeText([name]) && name.split(/\s+/).length >= 4);
}

/** The refusal for a reports file given as labels; names the column, never quotes the text. */
function reportsFileError(role: Role, column: string, where: string): RadReportXError {
  return new RadReportXError(
    'NotCsv',
    `The ${role} file${where} holds report text in column "${column}", not finding labels: it looks like a reports file.`,
    role === 'predictions'
      ? 'Label it first (radreportx label, or the Batch tab), then evaluate the labeled output.'
      : 'Choose the file with the reference labels (finding names, or one 1/0/-1 column per finding).',
  );
}

/**
 * Reads the rows of one CSV file. Problems (unknown names, bad codes) are collected over the whole file and
 * thrown by `finish`, so one message lists them all.
 */
export class CsvLabelReader {
  readonly covers: Finding[];
  readonly describe: string;
  readonly #header: readonly string[];
  readonly #id: number | undefined;
  readonly #status: number;
  readonly #names: number | undefined;
  readonly #coded: Map<Finding, number>;
  readonly #unknown = new Set<string>();
  #prose = false;
  readonly #badCodes: string[] = [];
  readonly #role: Role;
  readonly #where: string;

  /**
   * `format` undefined: coded finding columns if there are any, else a `findings` names column (the default
   * of both the CLI and the page). `idColumn`: the join column, or the id compared in a row-order join.
   * `where` names the file in messages (` "x.csv"`).
   */
  constructor(header: readonly string[], format: LabelFormat | undefined, idColumn: string | undefined, role: Role, where = '') {
    this.#header = header;
    this.#role = role;
    this.#where = where;
    const found = format ?? guessFormat(header);
    if (!found) {
      const text = header.find((h) => /report|text|note|narrative/i.test(h));
      if (text && role === 'predictions') throw reportsFileError(role, text, where);
      throw new RadReportXError(
        'BadUsage',
        `The ${role} file${where} has no finding columns (Atelectasis, ..., Support Devices) and no "findings" column.`,
        role === 'reference' ? 'Name the column that lists the findings (--truth-column).' : 'Name the column that lists the findings (--prediction-column).',
      );
    }
    this.#id = idColumn ? resolveColumn(header, idColumn, `join (${role === 'reference' ? 'truth' : role})`) : undefined;
    this.#status = header.indexOf('status');
    this.#coded = findingColumns(header);
    this.#names = found.kind === 'names' ? resolveColumn(header, found.column, `${role === 'reference' ? 'truth' : role} labels`) : undefined;
    if (found.kind === 'codes' && this.#coded.size === 0) throw new RadReportXError('BadUsage', `The ${role} file${where} has no finding columns (Atelectasis, ..., Support Devices).`);
    this.covers = coveredFindings(header, found);
    this.describe = describeFormat(header, found.kind === 'names' ? { kind: 'names', column: header[this.#names!] } : found);
  }

  read(fields: readonly string[], row: number, problem?: string): LabeledRow {
    const id = this.#id === undefined ? undefined : (fields[this.#id] ?? '').trim();
    if (problem || fields.length !== this.#header.length) {
      // A malformed row cannot be trusted to line up with the header; it is reported, not scored.
      return { row, id, status: 'error', findings: statusesFromNames(new Set()) };
    }
    const cell = this.#status >= 0 ? fields[this.#status] : undefined;
    const status = cell !== undefined && STATUSES.has(cell) ? (cell as RowStatus) : undefined;
    if (this.#names !== undefined) {
      const parsed = parseFindingList(fields[this.#names]);
      for (const n of parsed.unknown) {
        if (isProse(n)) this.#prose = true;
        else this.#unknown.add(n);
      }
      return { row, id, status, findings: statusesFromNames(parsed.findings) };
    }
    const parsed = statusesFromCodes(fields, this.#coded);
    if (parsed.bad.length && this.#badCodes.length < 10) this.#badCodes.push(`row ${row}: ${parsed.bad.join(', ')}`);
    return { row, id, status, findings: parsed.findings };
  }

  finish(rows: number): void {
    if (rows === 0) throw new RadReportXError('EmptyInput', `The ${this.#role} file${this.#where} has a header row and no rows.`);
    if (this.#prose) throw reportsFileError(this.#role, this.#header[this.#names!], this.#where);
    if (this.#unknown.size) throw new UnknownFindingError([...this.#unknown], `Column "${this.#header[this.#names!]}" of the ${this.#role === 'reference' ? 'truth' : this.#role} file${this.#where}`);
    if (this.#badCodes.length) {
      throw new RadReportXError('UnknownFinding', `The ${this.#role} file${this.#where} has finding cells that are not 1, 0, -1 or blank: ${this.#badCodes.join('; ')}.`);
    }
  }
}

/**
 * Reads label JSONL (the `label` output, or an append-only weak-label log): one object per line with `row`,
 * `ids`, `status` and `findings`. A log can hold several lines for one input row: the last one wins.
 */
export class JsonlLabelReader {
  readonly covers: Finding[] = [...FINDINGS];
  readonly #latest = new Map<number, LabeledRow>();
  readonly #idColumn: string | undefined;
  readonly #where: string;
  #superseded = 0;
  #order = 0;

  constructor(idColumn: string | undefined, where = '') {
    this.#idColumn = idColumn;
    this.#where = where;
  }

  get describe(): string {
    const n = this.#superseded;
    return `label JSONL${n ? ` (${n} earlier line${n === 1 ? '' : 's'} for the same row ignored)` : ''}`;
  }

  add(text: string, line: number): void {
    if (!text.trim()) return;
    this.#order++;
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new RadReportXError('NotCsv', `Line ${line} of${this.#where || ' the file'} is not valid JSON; a JSONL file holds one JSON object per line.`);
    }
    const row = typeof record.row === 'number' ? record.row : this.#order;
    const ids = (record.ids ?? {}) as Record<string, unknown>;
    let id: string | undefined;
    if (this.#idColumn !== undefined) {
      const value = ids[this.#idColumn] ?? record[this.#idColumn];
      if (value === undefined) {
        throw new RadReportXError('BadUsage', `Line ${line} of${this.#where || ' the file'} has no "${this.#idColumn}" id to join on.`, 'Label with --id-column so the ids are in the output.');
      }
      id = String(value).trim();
    }
    const findings = statusesFromNames(new Set());
    for (const [name, value] of Object.entries((record.findings ?? {}) as Record<string, unknown>)) {
      if (!isFinding(name)) continue;
      if (!(FINDING_STATUSES as readonly unknown[]).includes(value)) {
        throw new RadReportXError('UnknownFinding', `Line ${line} of${this.#where || ' the file'} gives ${name} the status ${JSON.stringify(value)}; expected one of ${FINDING_STATUSES.join(', ')}.`);
      }
      findings[name] = value as FindingStatus;
    }
    const status = typeof record.status === 'string' && STATUSES.has(record.status) ? (record.status as RowStatus) : undefined;
    if (this.#latest.has(row)) {
      this.#superseded++;
      this.#latest.delete(row);
    }
    this.#latest.set(row, { row, id, status, findings });
  }

  /** The rows, the last line per row, in the order their last lines came. */
  rows(): LabeledRow[] {
    return [...this.#latest.values()];
  }
}

/** The first id keys of JSONL records (`ids` object), to choose a join column like a CSV header. */
export function jsonlIdNames(firstLine: string): string[] {
  try {
    const ids = (JSON.parse(firstLine) as { ids?: Record<string, unknown> }).ids;
    return ids && typeof ids === 'object' ? Object.keys(ids) : [];
  } catch {
    return [];
  }
}

export interface Disagreement {
  key: string;
  /** 1-based data row in the reference file. */
  referenceRow: number;
  /** 1-based row in the predictions file or stored job. */
  predictionRow: number;
  expected: Finding[];
  predicted: Finding[];
  /** Report text, filled in from the reference's text column when it has one. */
  text?: string;
}

/** How a row-order join's ids compared row by row (when both sides had an id-like column). */
export interface OrderCheck {
  compared: number;
  mismatches: number;
  /** The first row whose ids differ. */
  first?: { row: number; reference: string; predictions: string };
}

export interface EvaluationSummary {
  metrics: MetricsReport;
  /** The reference's join column; undefined when rows were joined by order. */
  joinedBy?: string;
  joinRule: JoinRule;
  /** "joined on uid", "joined by row order". */
  joinDescription: string;
  transform?: IdTransform;
  /** Row-order joins: the ids compared row by row, when both files have an id-like column. */
  orderCheck?: OrderCheck;
  /** Findings scored: those both files cover. */
  scored: Finding[];
  uncertain: UncertainPolicy;
  referenceRows: number;
  /** Reference rows skipped because they were malformed. */
  referenceMalformed: number;
  /** Prediction rows left out because they were not labeled, by status. */
  notScored: Partial<Record<RowStatus, number>>;
  unjoined: { predictions: number; truth: number; predictionKeys: string[]; truthKeys: string[] };
  duplicates: { predictions: number; truth: number };
  disagreements: Disagreement[];
  /** All disagreeing rows, of which `disagreements` holds the first `maxDisagreements`. */
  disagreementCount: number;
  /** 95% bootstrap intervals for micro-F1 and each finding's F1 (seeded). */
  ci?: BootstrapResult;
}

export interface EvaluatorOptions {
  scored: readonly Finding[];
  uncertain: UncertainPolicy;
  join: JoinRule;
  transform?: IdTransform;
  maxDisagreements?: number;
  bootstrap?: BootstrapOptions;
}

// The reference is held as one small number per row (a bit per present finding), not a record of 13 statuses:
// a 100,000-row reference then takes a few MB.
const BIT = new Map(FINDINGS.map((f, i) => [f, 1 << i]));
const toMask = (present: ReadonlySet<Finding>) => [...present].reduce((m, f) => m | BIT.get(f)!, 0);
const fromMask = (mask: number) => new Set(FINDINGS.filter((f) => mask & BIT.get(f)!));
const SHOW_KEYS = 10;

export class Evaluator {
  readonly #truth = new Map<string, { row: number; mask: number; id?: string }>();
  readonly #matched = new Set<string>();
  readonly #seen = new Set<string>();
  readonly #acc: MetricsAccumulator;
  readonly #samples = new BootstrapSamples();
  readonly #options: EvaluatorOptions;
  readonly #max: number;
  readonly #unjoinedKeys: string[] = [];
  readonly #order: OrderCheck = { compared: 0, mismatches: 0 };
  #referenceRows = 0;
  #referenceMalformed = 0;
  #truthDuplicates = 0;
  #predictionDuplicates = 0;
  #unjoinedPredictions = 0;
  #notScored: Partial<Record<RowStatus, number>> = {};
  #disagreements: Disagreement[] = [];
  #disagreementCount = 0;

  constructor(options: EvaluatorOptions) {
    this.#options = options;
    this.#max = options.maxDisagreements ?? 2000;
    this.#acc = new MetricsAccumulator(options.scored);
  }

  #key(row: LabeledRow): string {
    return this.#options.join.kind === 'id' ? transformId(row.id ?? '', this.#options.transform) : String(row.row);
  }

  addReference(row: LabeledRow): void {
    this.#referenceRows++;
    if (row.status === 'error') {
      this.#referenceMalformed++;
      return;
    }
    const key = this.#key(row);
    if (this.#truth.has(key)) this.#truthDuplicates++;
    else this.#truth.set(key, { row: row.row, mask: toMask(presentFindings(row.findings, this.#options.uncertain)), id: row.id });
  }

  addPrediction(row: LabeledRow): void {
    const key = this.#key(row);
    if (this.#seen.has(key)) this.#predictionDuplicates++;
    this.#seen.add(key);
    const reference = this.#truth.get(key);
    if (!reference) {
      this.#unjoinedPredictions++;
      if (this.#unjoinedKeys.length < SHOW_KEYS) this.#unjoinedKeys.push(key);
      return;
    }
    this.#matched.add(key);
    if (this.#options.join.kind === 'order' && reference.id !== undefined && row.id !== undefined) {
      this.#order.compared++;
      const [a, b] = [transformId(reference.id, this.#options.transform), transformId(row.id, this.#options.transform)];
      if (a !== b) {
        this.#order.mismatches++;
        this.#order.first ??= { row: row.row, reference: reference.id, predictions: row.id };
      }
    }
    if (row.status !== undefined && row.status !== 'ok') {
      this.#notScored[row.status] = (this.#notScored[row.status] ?? 0) + 1;
      return;
    }
    const truth = fromMask(reference.mask);
    const predicted = presentFindings(row.findings, this.#options.uncertain);
    this.#acc.add(truth, predicted);
    const scored = this.#options.scored;
    let tp = 0;
    let fp = 0;
    let fn = 0;
    scored.forEach((f, i) => {
      const t = truth.has(f);
      const p = predicted.has(f);
      if (t && p) tp |= 1 << i;
      else if (p) fp |= 1 << i;
      else if (t) fn |= 1 << i;
    });
    this.#samples.add(tp, fp, fn);
    if (fp || fn) {
      this.#disagreementCount++;
      if (this.#disagreements.length < this.#max) {
        this.#disagreements.push({
          key,
          referenceRow: reference.row,
          predictionRow: row.row,
          expected: scored.filter((f) => truth.has(f)),
          predicted: scored.filter((f) => predicted.has(f)),
        });
      }
    }
  }

  finish(): EvaluationSummary {
    const truthKeys: string[] = [];
    let unjoinedTruth = 0;
    for (const key of this.#truth.keys()) {
      if (this.#matched.has(key)) continue;
      unjoinedTruth++;
      if (truthKeys.length < SHOW_KEYS) truthKeys.push(key);
    }
    const { join, transform, scored, uncertain } = this.#options;
    const ci = this.#samples.intervals(scored, this.#options.bootstrap);
    return {
      metrics: this.#acc.report(),
      joinedBy: join.kind === 'id' ? join.reference : undefined,
      joinRule: join,
      joinDescription: describeJoin(join),
      ...(transform ? { transform } : {}),
      ...(join.kind === 'order' && this.#order.compared ? { orderCheck: this.#order } : {}),
      scored: [...scored],
      uncertain,
      referenceRows: this.#referenceRows,
      referenceMalformed: this.#referenceMalformed,
      notScored: this.#notScored,
      unjoined: { predictions: this.#unjoinedPredictions, truth: unjoinedTruth, predictionKeys: this.#unjoinedKeys, truthKeys },
      duplicates: { predictions: this.#predictionDuplicates, truth: this.#truthDuplicates },
      disagreements: this.#disagreements,
      disagreementCount: this.#disagreementCount,
      ...(ci ? { ci } : {}),
    };
  }
}

/** The findings both sides can speak about; refuses when there are none. */
export function scoredFindings(reference: readonly Finding[], predictions: readonly Finding[]): Finding[] {
  const scored = reference.filter((f) => predictions.includes(f));
  if (scored.length === 0) throw new RadReportXError('BadUsage', 'The predictions and the reference have no finding in common to score.');
  return scored;
}

/** The warning for a row-order join, or undefined when there is nothing to warn about. */
export function orderWarning(summary: EvaluationSummary): string | undefined {
  const rule = summary.joinRule;
  if (rule.kind !== 'order') return undefined;
  const check = summary.orderCheck;
  if (check?.mismatches) {
    const f = check.first!;
    return (
      `Rows were joined by row order, but the ids differ on ${check.mismatches.toLocaleString('en')} of ${check.compared.toLocaleString('en')} rows ` +
      `(first at row ${f.row}: "${f.predictions}" in the predictions, "${f.reference}" in the reference), so these scores pair different reports. ` +
      `Join by id instead (--join ${rule.predictionsId === rule.referenceId ? rule.referenceId : `${rule.predictionsId}=${rule.referenceId}`}).`
    );
  }
  if (check) return undefined;
  return 'Rows were joined by row order: nothing checks that row k of each file is the same report. Give both files an id column to join on (--join).';
}

/** One side of an evaluation: what it covers, how it was read, and its rows (see csvSide, jsonlSide). */
export interface LabelSide {
  covers: Finding[];
  describe: string;
  rows: AsyncIterable<LabeledRow> | Iterable<LabeledRow>;
  /** Called after the last row with the row count; throws what the reader collected (unknown names, ...). */
  finish?(rows: number): void;
}

/** A CSV side: its data rows (from the core reader) read as labels. */
export function csvSide(
  header: readonly string[],
  rows: AsyncIterable<{ fields: string[]; row: number; problem?: string }>,
  format: LabelFormat | undefined,
  idColumn: string | undefined,
  role: Role,
  where = '',
): LabelSide {
  const reader = new CsvLabelReader(header, format, idColumn, role, where);
  async function* read() {
    for await (const r of rows) yield reader.read(r.fields, r.row, r.problem);
  }
  return { covers: reader.covers, describe: reader.describe, rows: read(), finish: (n) => reader.finish(n) };
}

/** A JSONL side, from its lines. */
export async function jsonlSide(lines: AsyncIterable<string>, idColumn: string | undefined, where = ''): Promise<LabelSide> {
  const reader = new JsonlLabelReader(idColumn, where);
  let line = 0;
  for await (const text of lines) reader.add(text, ++line);
  const rows = reader.rows();
  return {
    covers: reader.covers,
    describe: reader.describe,
    rows,
    finish: () => {
      if (rows.length === 0) throw new RadReportXError('EmptyInput', `The predictions file${where} is empty: there is nothing to score.`);
    },
  };
}

export interface EvaluationRun extends EvaluationSummary {
  formats: { reference: string; predictions: string };
}

/**
 * Scores predictions against a reference: the reference is read whole (keys and masks only), then the
 * predictions stream past it. `onRows` hears the row count as each side is read.
 */
export async function evaluateSides(
  reference: LabelSide,
  predictions: LabelSide,
  options: Omit<EvaluatorOptions, 'scored'>,
  onRows?: (side: Role, rows: number) => void,
): Promise<EvaluationRun> {
  const evaluator = new Evaluator({ ...options, scored: scoredFindings(reference.covers, predictions.covers) });
  let rows = 0;
  for await (const row of reference.rows) {
    evaluator.addReference(row);
    if (++rows % 1000 === 0) onRows?.('reference', rows);
  }
  reference.finish?.(rows);
  rows = 0;
  for await (const row of predictions.rows) {
    evaluator.addPrediction(row);
    if (++rows % 1000 === 0) onRows?.('predictions', rows);
  }
  predictions.finish?.(rows);
  return { ...evaluator.finish(), formats: { reference: reference.describe, predictions: predictions.describe } };
}
