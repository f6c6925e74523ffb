/**
 * Opening `label`'s input the way every labeling path does (rules, openai): the core reader's detection, the
 * columns resolved by `layoutFor`, and a warning on stderr when detection decided something the user should know.
 */
import type { CsvRow } from '../../src/lib/csv/parse.ts';
import { layoutFor, type ColumnLayout } from '../../src/lib/csv/records.ts';
import type { CsvInspection, ReadChoices } from '../../src/lib/csv/reader.ts';
import { RadReportXError } from '../../src/lib/errors.ts';
import { fileSize, openCsv } from './csv-stream.ts';
import type { LabelRun } from './label-run.ts';

export interface RunInput {
  size: number;
  inspection: CsvInspection;
  rows: AsyncGenerator<CsvRow & { row: number }>;
}

const DELIMITER_NAMES: Record<string, string> = { ',': 'comma', '\t': 'tab', ';': 'semicolon', '|': 'pipe' };

export function choicesOf(run: Pick<LabelRun, 'delimiter' | 'encoding' | 'header'>): ReadChoices {
  return { delimiter: run.delimiter, encoding: run.encoding, header: run.header ?? 'auto' };
}

export async function openRunInput(run: LabelRun, log: (line: string) => void, onBytes?: (bytes: number) => void): Promise<{ input: RunInput; layout: ColumnLayout }> {
  const size = await fileSize(run.input);
  const choices = choicesOf(run);
  let opened = await openCsv(run.input, { ...choices, onBytes });
  const autoHeader = choices.header === 'auto';
  // Detection said "no header row", but the user named columns the first row has: the user knows the file.
  if (autoHeader && !opened.inspection.settings.hasHeader) {
    const withHeader = await openCsv(run.input, { ...choices, header: true, onBytes });
    if (fits(withHeader.inspection, run)) opened = withHeader;
  }
  const { inspection } = opened;
  const layout = resolveLayout(inspection, run);
  const d = inspection.settings.delimiter;
  if (choices.delimiter === 'auto' && d !== ',') log(`note: reading "${run.input}" as ${DELIMITER_NAMES[d] ?? `"${d}"`}-separated (detected; --delimiter to change).`);
  if (inspection.detected.encoding && inspection.detected.encoding !== 'utf-8') log(`note: reading "${run.input}" as ${inspection.detected.encoding} (detected).`);
  for (const dup of inspection.duplicates) {
    log(`warning: ${dup.columns.length} columns are named "${dup.name}"; here they are ${dup.names.map((n) => `"${n}"`).join(' and ')}.`);
  }
  return { input: { size, inspection, rows: opened.rows }, layout };
}

function fits(inspection: CsvInspection, run: LabelRun): boolean {
  try {
    resolveLayout(inspection, run);
    return true;
  } catch {
    return false;
  }
}

function resolveLayout(inspection: CsvInspection, run: LabelRun): ColumnLayout {
  try {
    return layoutFor(inspection.header, run.textColumn, run.idColumns, inspection.duplicates);
  } catch (e) {
    if (!(e instanceof RadReportXError) || e.code !== 'MissingColumn') throw e;
    const hints: string[] = [];
    if (!inspection.settings.hasHeader) {
      hints.push(`The first row looks like data (${inspection.detected.header.reason}), so the columns are named by position; use --header yes if it names the columns.`);
    } else if (inspection.header.length === 1 && /[;\t|,:~^#]/.test(inspection.header[0])) {
      hints.push(`The header was read as one column; if the file uses another delimiter, pass --delimiter (e.g. --delimiter ";" or --delimiter tab).`);
    }
    throw hints.length ? new RadReportXError(e.code, e.message, [e.hint, ...hints].filter(Boolean).join(' ')) : e;
  }
}
