/**
 * How reference and prediction rows are paired: one rule for `radreportx evaluate` and the page.
 * - By id when both sides have an id column: the one named, else one recognised by name on each side
 *   (`id`, `uid`, `study_id`, "Accession Number", `MRN`, ...; see guessIdColumn).
 * - By row order otherwise, or when asked (`order`). A row-order join is never silent: it is reported, and when
 *   both files do have id-like columns their ids are compared row by row and any difference is counted (the CLI
 *   warns on stderr, `--strict` exits 2; the page shows a warning).
 * Ids can be compared through a transform (strip a prefix or suffix, zero-pad), e.g. `CXR123` ↔ `123`.
 */
import { guessIdColumn } from '../csv/columns.ts';
import { RadReportXError } from '../errors.ts';

/** Strip a prefix and/or suffix, then left-pad digits with zeros to `padTo` characters; applied to both sides. */
export interface IdTransform {
  stripPrefix?: string;
  stripSuffix?: string;
  padTo?: number;
}

export function transformId(id: string, t: IdTransform | undefined): string {
  let v = id.trim();
  if (!t) return v;
  if (t.stripPrefix && v.toLowerCase().startsWith(t.stripPrefix.toLowerCase())) v = v.slice(t.stripPrefix.length);
  if (t.stripSuffix && v.toLowerCase().endsWith(t.stripSuffix.toLowerCase())) v = v.slice(0, v.length - t.stripSuffix.length);
  if (t.padTo && /^\d+$/.test(v)) v = v.replace(/^0+(?=\d)/, '').padStart(t.padTo, '0');
  return v;
}

/** What the user asked: `auto` (by id when both sides have one, else by order), `order`, or the columns. */
export type JoinRequest = 'auto' | 'order' | { reference: string; predictions: string };

export type JoinRule =
  | { kind: 'id'; reference: string; predictions: string; /** Found by name, not named by the user. */ guessed: boolean }
  | { kind: 'order'; /** Id-like columns compared row by row, when both sides have one. */ referenceId?: string; predictionsId?: string; asked: boolean };

/** `--join` as typed: nothing → auto, `order`, `COL` (both sides), `PRED=TRUTH`. */
export function parseJoin(value: string | undefined): JoinRequest {
  if (value === undefined || value.trim() === '' || value === 'auto') return 'auto';
  if (value === 'order') return 'order';
  const [predictions, reference] = value.includes('=') ? value.split('=', 2).map((s) => s.trim()) : [value.trim(), value.trim()];
  if (!predictions || !reference) throw new RadReportXError('BadUsage', `--join must be a column, PRED=TRUTH, auto or order (got "${value}").`);
  return { reference, predictions };
}

/**
 * The join for two headers. `predictionsHeader` is the id columns of a stored job when predictions are one.
 * Named columns are checked by the readers (which name the missing one and the closest).
 */
export function chooseJoin(request: JoinRequest, referenceHeader: readonly string[], predictionsHeader: readonly string[]): JoinRule {
  if (typeof request === 'object') return { kind: 'id', reference: request.reference, predictions: request.predictions, guessed: false };
  const r = guessIdColumn(referenceHeader);
  const p = guessIdColumn(predictionsHeader);
  const referenceId = r === undefined ? undefined : referenceHeader[r];
  const predictionsId = p === undefined ? undefined : predictionsHeader[p];
  if (request === 'auto' && referenceId !== undefined && predictionsId !== undefined) {
    return { kind: 'id', reference: referenceId, predictions: predictionsId, guessed: true };
  }
  return { kind: 'order', referenceId, predictionsId, asked: request === 'order' };
}

export function describeJoin(rule: JoinRule): string {
  if (rule.kind === 'id') return rule.reference === rule.predictions ? `joined on ${rule.reference}` : `joined on ${rule.predictions} = ${rule.reference}`;
  return 'joined by row order';
}
