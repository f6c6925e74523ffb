/**
 * Turning one parsed CSV row into what the labeler needs: the id values and the report text, or a plain reason
 * why the row cannot be read. A bad row becomes an `error` result; it never stops the run. `layoutFor` is the one
 * place the chosen columns are resolved, for the page's jobs and every CLI command.
 */
import { RadReportXError } from '../errors.ts';
import { failedResult, isBlankReport, type EngineInfo, type LabelResult } from '../result.ts';
import { resolveColumn, splitColumnSpec } from './columns.ts';
import type { DuplicateColumn } from './detect.ts';

export interface RowLayout {
  /** Number of columns in the header. */
  width: number;
  textColumns: readonly number[];
  idColumns: readonly number[];
  /** Section names for the text columns when there are several; see joinSections. */
  headings?: readonly string[];
}

/** A layout with the names of its columns as the header spells them. */
export interface ColumnLayout extends RowLayout {
  textNames: string[];
  /** Each id column once, in the order first named. */
  idNames: string[];
}

/**
 * Resolves the chosen text and id columns against a header. Text columns given as one string are split on
 * commas (`findings,impression`) unless a column has that exact name; several text columns are joined under
 * their names as section headings (see joinSections), one column is taken as it is. Naming an id column twice
 * keeps it once. A name that several columns share is refused with the names to choose from (see uniqueHeader).
 * Throws `MissingColumnError` (with the closest name) for a column that is not there.
 */
export function layoutFor(
  header: readonly string[],
  text: string | readonly string[],
  ids: readonly string[] = [],
  duplicates: readonly DuplicateColumn[] = [],
): ColumnLayout {
  const names = (role: string, specs: readonly string[]) =>
    specs.flatMap((spec) => splitColumnSpec(header, spec)).map((name) => {
      const dup = header.includes(name) ? undefined : duplicates.find((d) => d.name === name);
      if (dup) {
        throw new RadReportXError(
          'MissingColumn',
          `The file has ${dup.columns.length} columns named "${dup.name}" (columns ${dup.columns.map((c) => c + 1).join(' and ')}), so the ${role} column "${name}" is ambiguous.`,
          `Choose one of them: ${dup.names.map((n) => `"${n}"`).join(' or ')}.`,
        );
      }
      return resolveColumn(header, name, role);
    });
  const textColumns = names('text', typeof text === 'string' ? [text] : text);
  if (textColumns.length === 0) throw new RadReportXError('MissingColumn', 'Choose at least one column that holds the report text.');
  const idColumns = [...new Set(names('id', ids))];
  return {
    width: header.length,
    textColumns,
    idColumns,
    headings: textColumns.length > 1 ? textColumns.map((i) => header[i]) : undefined,
    textNames: textColumns.map((i) => header[i]),
    idNames: idColumns.map((i) => header[i]),
  };
}

export type PreparedRow =
  | { ok: true; ids: string[]; text: string }
  | { ok: false; ids: string[]; message: string };

/** Sections split across columns (findings, impression) are joined with a blank line, blanks skipped. */
export const TEXT_JOINER = '\n\n';

/** The row's ids and text, or why it cannot be read: its quoting (`problem`, from the parser) or its width. */
export function prepareRow(fields: readonly string[], layout: RowLayout, rowNumber: number, problem?: string): PreparedRow {
  // Whatever ids the row has are kept even when it is malformed, so the error row can be traced back.
  const ids = layout.idColumns.map((i) => fields[i] ?? '');
  if (problem) return { ok: false, ids, message: `Row ${rowNumber}: ${problem}` };
  if (fields.length !== layout.width) {
    const more = fields.length > layout.width;
    return {
      ok: false,
      ids,
      message:
        `Row ${rowNumber} has ${fields.length} field${fields.length === 1 ? '' : 's'} but the header has ${layout.width}` +
        (more ? ' (an unquoted comma in the text?)' : ' (a missing field or an unclosed quote?)') +
        '; it was not labeled.',
    };
  }
  const parts = layout.textColumns.map((i) => fields[i]);
  return { ok: true, ids, text: layout.headings ? joinSections(parts, layout.headings) : joinText(parts) };
}

export function joinText(parts: readonly string[]): string {
  return parts.filter((p) => p.trim() !== '').join(TEXT_JOINER);
}

/**
 * Joins section columns under their names (`FINDINGS: ...`, blank line, `IMPRESSION: ...`), so the engine's
 * section rules still apply: with `--text-column indication,findings,impression` the clinical question stays
 * marked as such and is skipped by the default sections mode. Blank cells are left out with their heading.
 */
export function joinSections(parts: readonly string[], headings: readonly string[]): string {
  return parts
    .flatMap((p, i) => (p.trim() === '' ? [] : [`${sectionHeading(headings[i])}: ${p.trim()}`]))
    .join(TEXT_JOINER);
}

/** `clinical_history` → `CLINICAL HISTORY`. */
export function sectionHeading(column: string): string {
  return column.trim().replace(/[_\s]+/g, ' ').toUpperCase();
}

/** Key for duplicate detection and joins across several id columns. */
export function idKey(ids: readonly string[]): string {
  return ids.length === 1 ? ids[0] : JSON.stringify(ids);
}

/** The result for text that is not labeled (blank: never `Normal`), the same in the page and the CLI. */
export function unlabelableText(text: string, engine: EngineInfo): LabelResult | undefined {
  if (isBlankReport(text)) return failedResult('empty', engine, 'The report is empty: there is nothing to label.');
  return undefined;
}

/** The result for a report the engine threw on. */
export function engineFailure(engine: EngineInfo, message: string): LabelResult {
  return failedResult('error', engine, `The ${engine.name} engine failed on this report: ${message}`);
}
