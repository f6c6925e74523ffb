/**
 * The Evaluate view's core, DOM-free: how reference and prediction rows are read, joined and scored. It follows
 * the CLI's `radreportx evaluate` (training/commands/evaluate.ts) rule for rule and is built on the same modules
 * (csv/truth.ts reads the label formats, metrics.ts scores), so both give the same numbers for the same files:
 * - the reference is read first into a map by key (first row of a duplicate key kept, malformed rows skipped);
 * - every prediction row is then scored against it, duplicates included; rows the labeler did not label
 *   (status empty/error/unparsed) are counted, not scored; rows that do not join are counted on each side;
 * - only findings both files cover are scored; unknown names or bad codes fail the whole run, naming them.
 */
import { FINDINGS, type Finding, type FindingStatus } from '../findings.ts';
import { findingColumns, parseFindingList, statusesFromCodes, statusesFromNames } from '../csv/truth.ts';
import { RadReportXError, UnknownFindingError } from '../errors.ts';
import { MetricsAccumulator, presentFindings, type MetricsReport, type UncertainPolicy } from '../metrics.ts';
import type { RowStatus } from '../result.ts';

/** How a file holds its labels: one names-list column, or one CheXpert-coded column per finding. */
export type LabelFormat = { kind: 'names'; column: string } | { kind: 'codes' };

/** The format the CLI would use without a column option: coded columns if any, else a `findings` column. */
export function guessFormat(header: readonly string[]): LabelFormat | undefined {
  if (findingColumns(header).size > 0) return { kind: 'codes' };
  const column = header.find((h) => h.trim().toLowerCase() === 'findings');
  return column === undefined ? undefined : { kind: 'names', column };
}

/** The findings a file can speak about: all 13 for a names list, only those with a column for coded files. */
export function coveredFindings(header: readonly string[], format: LabelFormat): Finding[] {
  if (format.kind === 'names') return [...FINDINGS];
  const columns = findingColumns(header);
  return FINDINGS.filter((f) => columns.has(f));
}

const STATUSES = new Set<string>(['ok', 'empty', 'error', 'unparsed']);

/** One data row read from either side. `status` undefined reads as labeled; `error` also marks a malformed row. */
export interface LabeledRow {
  /** 1-based data row. */
  row: number;
  key: string;
  status?: RowStatus;
  findings: Record<Finding, FindingStatus>;
}

/**
 * Reads the rows of one CSV file. Problems (unknown names, bad codes) are collected over the whole file and
 * thrown by `finish`, so one message lists them all.
 */
export class CsvLabelReader {
  readonly covers: Finding[];
  readonly #header: readonly string[];
  readonly #join: number | undefined;
  readonly #status: number;
  readonly #names: number | undefined;
  readonly #coded: Map<Finding, number>;
  readonly #unknown = new Set<string>();
  readonly #badCodes: string[] = [];
  readonly #what: string;

  constructor(header: readonly string[], format: LabelFormat, joinColumn: string | undefined, what: string) {
    this.#header = header;
    this.#what = what;
    this.#join = joinColumn ? columnIndex(header, joinColumn, `join (${what})`) : undefined;
    this.#status = header.indexOf('status');
    this.#coded = findingColumns(header);
    this.#names = format.kind === 'names' ? columnIndex(header, format.column, `${what} labels`) : undefined;
    if (format.kind === 'codes' && this.#coded.size === 0) throw new RadReportXError('BadUsage', `The ${what} file has no finding columns (Atelectasis, ..., Support Devices).`);
    this.covers = coveredFindings(header, format);
  }

  read(fields: readonly string[], row: number): LabeledRow {
    const key = this.#join === undefined ? String(row) : (fields[this.#join] ?? '').trim();
    if (fields.length !== this.#header.length) {
      // A malformed row cannot be trusted to line up with the header; it is reported, not scored.
      return { row, key, status: 'error', findings: statusesFromNames(new Set()) };
    }
    const cell = this.#status >= 0 ? fields[this.#status] : undefined;
    const status = cell !== undefined && STATUSES.has(cell) ? (cell as RowStatus) : undefined;
    if (this.#names !== undefined) {
      const parsed = parseFindingList(fields[this.#names]);
      for (const n of parsed.unknown) this.#unknown.add(n);
      return { row, key, status, findings: statusesFromNames(parsed.findings) };
    }
    const parsed = statusesFromCodes(fields, this.#coded);
    if (parsed.bad.length && this.#badCodes.length < 10) this.#badCodes.push(`row ${row}: ${parsed.bad.join(', ')}`);
    return { row, key, status, findings: parsed.findings };
  }

  finish(rows: number): void {
    if (rows === 0) throw new RadReportXError('EmptyInput', `The ${this.#what} file has a header row and no rows.`);
    if (this.#unknown.size) throw new UnknownFindingError([...this.#unknown], `Column "${this.#header[this.#names!]}" of the ${this.#what} file`);
    if (this.#badCodes.length) {
      throw new RadReportXError('UnknownFinding', `The ${this.#what} file has finding cells that are not 1, 0, -1 or blank: ${this.#badCodes.join('; ')}.`);
    }
  }
}

function columnIndex(header: readonly string[], name: string, role: string): number {
  const i = header.indexOf(name);
  if (i < 0) throw new RadReportXError('MissingColumn', `The ${role} column "${name}" is not in the file.`);
  return i;
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

export interface EvaluationSummary {
  metrics: MetricsReport;
  /** The reference's join column; undefined when rows were joined by order. */
  joinedBy?: string;
  /** Findings scored: those both files cover. */
  scored: Finding[];
  uncertain: UncertainPolicy;
  referenceRows: number;
  /** Reference rows skipped because they were malformed. */
  referenceMalformed: number;
  /** Prediction rows left out because they were not labeled, by status. */
  notScored: Partial<Record<RowStatus, number>>;
  unjoined: { predictions: number; truth: number };
  duplicates: { predictions: number; truth: number };
  disagreements: Disagreement[];
  /** All disagreeing rows, of which `disagreements` holds the first `maxDisagreements`. */
  disagreementCount: number;
}

export interface EvaluatorOptions {
  scored: readonly Finding[];
  uncertain: UncertainPolicy;
  maxDisagreements?: number;
}

// The reference is held as one small number per row (a bit per present finding), not a record of 13 statuses:
// a 100,000-row reference then takes a few MB.
const BIT = new Map(FINDINGS.map((f, i) => [f, 1 << i]));
const toMask = (present: ReadonlySet<Finding>) => [...present].reduce((m, f) => m | BIT.get(f)!, 0);
const fromMask = (mask: number) => new Set(FINDINGS.filter((f) => mask & BIT.get(f)!));

export class Evaluator {
  readonly #truth = new Map<string, { row: number; mask: number }>();
  readonly #matched = new Set<string>();
  readonly #seen = new Set<string>();
  readonly #acc: MetricsAccumulator;
  readonly #scored: readonly Finding[];
  readonly #uncertain: UncertainPolicy;
  readonly #max: number;
  #referenceRows = 0;
  #referenceMalformed = 0;
  #truthDuplicates = 0;
  #predictionDuplicates = 0;
  #unjoinedPredictions = 0;
  #notScored: Partial<Record<RowStatus, number>> = {};
  #disagreements: Disagreement[] = [];
  #disagreementCount = 0;

  constructor(options: EvaluatorOptions) {
    this.#scored = options.scored;
    this.#uncertain = options.uncertain;
    this.#max = options.maxDisagreements ?? 2000;
    this.#acc = new MetricsAccumulator(options.scored);
  }

  addReference(row: LabeledRow): void {
    this.#referenceRows++;
    if (row.status === 'error') {
      this.#referenceMalformed++;
      return;
    }
    if (this.#truth.has(row.key)) this.#truthDuplicates++;
    else this.#truth.set(row.key, { row: row.row, mask: toMask(presentFindings(row.findings, this.#uncertain)) });
  }

  addPrediction(row: LabeledRow): void {
    if (this.#seen.has(row.key)) this.#predictionDuplicates++;
    this.#seen.add(row.key);
    const reference = this.#truth.get(row.key);
    if (!reference) {
      this.#unjoinedPredictions++;
      return;
    }
    this.#matched.add(row.key);
    if (row.status !== undefined && row.status !== 'ok') {
      this.#notScored[row.status] = (this.#notScored[row.status] ?? 0) + 1;
      return;
    }
    const truth = fromMask(reference.mask);
    const predicted = presentFindings(row.findings, this.#uncertain);
    this.#acc.add(truth, predicted);
    const expectedList = this.#scored.filter((f) => truth.has(f));
    const predictedList = this.#scored.filter((f) => predicted.has(f));
    if (expectedList.join() !== predictedList.join()) {
      this.#disagreementCount++;
      if (this.#disagreements.length < this.#max) {
        this.#disagreements.push({ key: row.key, referenceRow: reference.row, predictionRow: row.row, expected: expectedList, predicted: predictedList });
      }
    }
  }

  finish(): EvaluationSummary {
    let unjoinedTruth = 0;
    for (const key of this.#truth.keys()) if (!this.#matched.has(key)) unjoinedTruth++;
    return {
      metrics: this.#acc.report(),
      scored: [...this.#scored],
      uncertain: this.#uncertain,
      referenceRows: this.#referenceRows,
      referenceMalformed: this.#referenceMalformed,
      notScored: this.#notScored,
      unjoined: { predictions: this.#unjoinedPredictions, truth: unjoinedTruth },
      duplicates: { predictions: this.#predictionDuplicates, truth: this.#truthDuplicates },
      disagreements: this.#disagreements,
      disagreementCount: this.#disagreementCount,
    };
  }
}
