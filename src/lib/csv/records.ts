/**
 * Turning one parsed CSV row into what the labeler needs: the id values and the report text, or a plain reason
 * why the row cannot be read. A bad row becomes an `error` result; it never stops the run.
 */

export interface RowLayout {
  /** Number of columns in the header. */
  width: number;
  textColumns: readonly number[];
  idColumns: readonly number[];
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
  return { ok: true, ids, text: joinText(layout.textColumns.map((i) => fields[i])) };
}

export function joinText(parts: readonly string[]): string {
  return parts.filter((p) => p.trim() !== '').join(TEXT_JOINER);
}

/** Key for duplicate detection and joins across several id columns. */
export function idKey(ids: readonly string[]): string {
  return ids.length === 1 ? ids[0] : JSON.stringify(ids);
}
