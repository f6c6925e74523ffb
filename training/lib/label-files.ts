/**
 * Reading labeled rows for `evaluate`: predictions (label's CSV or JSONL, or any CSV with a names column) and
 * reference labels (a names column, or CheXpert-coded finding columns), each as a stream of keyed rows.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { FINDINGS, FINDING_STATUSES, isFinding, type Finding, type FindingStatus } from '../../src/lib/findings.ts';
import { findingColumns, parseFindingList, resolveColumn, statusesFromCodes, statusesFromNames } from '../../src/lib/csv/index.ts';
import { EmptyInputError, RadReportXError, UnknownFindingError, UsageError } from '../../src/lib/errors.ts';
import type { RowStatus } from '../../src/lib/result.ts';
import { fileSize, readCsvRows } from './csv-stream.ts';

export interface LabeledRow {
  /** Data row (CSV) or line (JSONL) number, 1-based. */
  row: number;
  /** Join key; the row number as a string when joining by position. */
  key: string;
  /** Row status when the file records one (label output does); undefined reads as labeled. */
  status?: RowStatus;
  findings: Record<Finding, FindingStatus>;
}

export interface LabelSource {
  /** Findings the file has labels for: all 13 for names and label output, fewer for partial coded columns. */
  covers: Finding[];
  /** How the labels were read, for the report. */
  describe: string;
  rows: AsyncGenerator<LabeledRow>;
}

export interface SourceOptions {
  /** Column (CSV) or ids/top-level field (JSONL) to join on; by position when absent. */
  join?: string;
  /** Column holding a list of finding names; CheXpert-coded columns are used when absent. */
  namesColumn?: string;
  role: 'predictions' | 'truth';
}

const STATUSES = new Set<string>(['ok', 'empty', 'error', 'unparsed']);

/** Collects unknown finding names across a whole file so one error lists them all. */
class UnknownNames {
  readonly #names = new Set<string>();
  add(names: string[]): void {
    for (const n of names) this.#names.add(n);
  }
  throwIfAny(where: string): void {
    if (this.#names.size) throw new UnknownFindingError([...this.#names], where);
  }
}

export async function openLabelSource(path: string, options: SourceOptions): Promise<LabelSource> {
  if (/\.(jsonl|ndjson)$/i.test(path)) return openJsonl(path, options);
  return openCsv(path, options);
}

async function openCsv(path: string, options: SourceOptions): Promise<LabelSource> {
  const rows = readCsvRows(path);
  const first = await rows.next();
  if (first.done) throw new EmptyInputError(`The ${options.role} file "${path}"`);
  const header = first.value;
  const joinAt = options.join === undefined ? undefined : resolveColumn(header, options.join, `join (${options.role})`);
  const statusAt = header.indexOf('status');
  const coded = findingColumns(header);

  let namesAt: number | undefined;
  if (options.namesColumn !== undefined) namesAt = resolveColumn(header, options.namesColumn, `${options.role} labels`);
  else if (coded.size === 0) {
    const fallback = header.findIndex((h) => h.trim().toLowerCase() === 'findings');
    if (fallback < 0) {
      throw new UsageError(
        `The ${options.role} file "${path}" has no finding columns (Atelectasis, ..., Support Devices) and no "findings" column.`,
        options.role === 'truth' ? 'Name the column that lists the findings with --truth-column.' : 'Name the column that lists the findings with --prediction-column.',
      );
    }
    namesAt = fallback;
  }
  const covers = namesAt === undefined ? FINDINGS.filter((f) => coded.has(f)) : [...FINDINGS];
  const describe = namesAt === undefined ? `${coded.size} finding columns (1/0/-1/blank)` : `names in column "${header[namesAt]}"`;

  async function* read(): AsyncGenerator<LabeledRow> {
    const unknown = new UnknownNames();
    const badCodes: string[] = [];
    let row = 0;
    for await (const fields of rows) {
      row++;
      if (fields.length !== header.length) {
        // A malformed row cannot be trusted to line up with the header; it is reported, not scored.
        yield { row, key: keyOf(fields, joinAt, row), status: 'error', findings: statusesFromNames(new Set()) };
        continue;
      }
      const status = statusAt >= 0 && STATUSES.has(fields[statusAt]) ? (fields[statusAt] as RowStatus) : undefined;
      let findings: Record<Finding, FindingStatus>;
      if (namesAt !== undefined) {
        const parsed = parseFindingList(fields[namesAt]);
        unknown.add(parsed.unknown);
        findings = statusesFromNames(parsed.findings);
      } else {
        const parsed = statusesFromCodes(fields, coded);
        // Blank cells are valid (not mentioned); anything else that is not a code is collected and reported.
        if (parsed.bad.length && badCodes.length < 10) badCodes.push(`row ${row}: ${parsed.bad.join(', ')}`);
        findings = parsed.findings;
      }
      yield { row, key: keyOf(fields, joinAt, row), status, findings };
    }
    if (row === 0) throw new EmptyInputError(`The ${options.role} file "${path}" (a header row, no rows)`);
    unknown.throwIfAny(`Column "${header[namesAt!]}" of the ${options.role} file "${path}"`);
    if (badCodes.length) {
      throw new RadReportXError(
        'UnknownFinding',
        `The ${options.role} file "${path}" has finding cells that are not 1, 0, -1 or blank: ${badCodes.join('; ')}.`,
      );
    }
  }
  return { covers, describe, rows: read() };
}

function keyOf(fields: readonly string[], joinAt: number | undefined, row: number): string {
  return joinAt === undefined ? String(row) : (fields[joinAt] ?? '').trim();
}

async function openJsonl(path: string, options: SourceOptions): Promise<LabelSource> {
  if ((await fileSize(path)) === 0) throw new EmptyInputError(`The ${options.role} file "${path}"`);
  // Append-only logs (label --engine openai, resumed or retried runs) can hold several lines for one input row:
  // the last line for a row wins, so the file is read whole before any row is scored.
  const latest = new Map<string, LabeledRow>();
  let superseded = 0;
  let order = 0;
  let line = 0;
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const text of lines) {
    line++;
    if (!text.trim()) continue;
    order++;
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new RadReportXError('NotCsv', `Line ${line} of "${path}" is not valid JSON; a JSONL file holds one JSON object per line.`);
    }
    const row = typeof record.row === 'number' ? record.row : order;
    const ids = (record.ids ?? {}) as Record<string, unknown>;
    const joinValue = options.join === undefined ? row : (ids[options.join] ?? record[options.join]);
    if (joinValue === undefined) {
      throw new UsageError(`Line ${line} of "${path}" has no "${options.join}" id to join on.`, 'Label with --id-column so the ids are in the output.');
    }
    const findings = statusesFromNames(new Set());
    for (const [name, value] of Object.entries((record.findings ?? {}) as Record<string, unknown>)) {
      if (!isFinding(name)) continue;
      if (!(FINDING_STATUSES as readonly unknown[]).includes(value)) {
        throw new RadReportXError('UnknownFinding', `Line ${line} of "${path}" gives ${name} the status ${JSON.stringify(value)}; expected one of ${FINDING_STATUSES.join(', ')}.`);
      }
      findings[name] = value as FindingStatus;
    }
    const status = typeof record.status === 'string' && STATUSES.has(record.status) ? (record.status as RowStatus) : undefined;
    const slot = String(row);
    if (latest.has(slot)) superseded++;
    latest.set(slot, { row, key: String(joinValue).trim(), status, findings });
  }
  async function* read(): AsyncGenerator<LabeledRow> {
    yield* latest.values();
  }
  const note = superseded ? ` (${superseded} earlier line${superseded === 1 ? '' : 's'} for the same row ignored)` : '';
  return { covers: [...FINDINGS], describe: `label JSONL${note}`, rows: read() };
}
