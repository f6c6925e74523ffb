/**
 * The input rows as the runner needs them: a stable id per row (for resume), the report text joined as `label`
 * joins it, or the reason the row cannot be read. Read twice per run (count, then send) so memory stays flat.
 */
import { idKey, prepareRow } from '../../src/lib/csv/records.ts';
import { EmptyInputError } from '../../src/lib/errors.ts';
import type { LabelRun } from '../lib/label-run.ts';
import { openRunInput } from '../lib/label-input.ts';

export interface InputRow {
  row: number;
  id: string;
  ids: Record<string, string>;
  /** The report text, when the row could be read. */
  text?: string;
  /** Why the row could not be read (wrong number of fields). */
  problem?: string;
  /** True when an earlier row had the same id (the row is skipped: the output is keyed by id). */
  duplicate: boolean;
  /** True when the id column was blank and the row number stands in for it. */
  rowNumberId: boolean;
}

export async function* readInputRows(run: LabelRun, log: (line: string) => void = () => {}): AsyncGenerator<InputRow> {
  const { input, layout } = await openRunInput(run, log);
  const { idColumns, idNames } = layout;
  const seen = new Set<string>();
  let row = 0;
  for await (const { fields, problem } of input.rows) {
    row++;
    const prepared = prepareRow(fields, layout, row, problem);
    const blankId = idColumns.length === 0 || prepared.ids.every((v) => v.trim() === '');
    // Row-number ids cannot clash with real ones that look alike only if they are marked; "row-" keeps them apart
    // from numeric study ids.
    const id = blankId ? `row-${row}` : idKey(prepared.ids.map((v) => v.trim()));
    const ids = blankId && idColumns.length === 0 ? { row: String(row) } : Object.fromEntries(idNames.map((n, i) => [n, prepared.ids[i] ?? '']));
    const duplicate = seen.has(id);
    seen.add(id);
    yield {
      row,
      id,
      ids,
      text: prepared.ok ? prepared.text : undefined,
      problem: prepared.ok ? undefined : prepared.message,
      duplicate,
      rowNumberId: blankId,
    };
  }
  if (row === 0) throw new EmptyInputError(`The file "${run.input}" (a header row, no reports)`);
}
