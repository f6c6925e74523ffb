/**
 * Turning one parsed CSV row into what the labeler needs: the id values and the report text, or a plain reason
 * why the row cannot be read. A bad row becomes an `error` result; it never stops the run.
 */

export interface RowLayout {
  /** Number of columns in the header. */
  width: number;
  textColumns: readonly number[];
  idColumns: readonly number[];
  /** Section names for the text columns when there are several; see joinSections. */
  headings?: readonly string[];
}

export type PreparedRow =
  | { ok: true; ids: string[]; text: string }
  | { ok: false; ids: string[]; message: string };

/** Sections split across columns (findings, impression) are joined with a blank line, blanks skipped. */
export const TEXT_JOINER = '\n\n';

export function prepareRow(fields: readonly string[], layout: RowLayout, rowNumber: number): PreparedRow {
  // Whatever ids the row has are kept even when it is malformed, so the error row can be traced back.
  const ids = layout.idColumns.map((i) => fields[i] ?? '');
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
