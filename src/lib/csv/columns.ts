/**
 * Finding the columns a user named in a CSV header, with a clear error (and a likely-typo suggestion) when one
 * is missing. Shared by the CLI and the browser app's column picker.
 */
import { MissingColumnError } from '../errors.ts';

const loose = (s: string) => s.trim().toLowerCase();

/**
 * Index of `name` in `header`: an exact match first, then one that differs only in case or surrounding spaces.
 * Throws `MissingColumnError` listing the columns that exist and the closest one.
 */
export function resolveColumn(header: readonly string[], name: string, role = 'text'): number {
  const exact = header.indexOf(name);
  if (exact >= 0) return exact;
  const matches = header.flatMap((h, i) => (loose(h) === loose(name) ? [i] : []));
  if (matches.length === 1) return matches[0];
  throw new MissingColumnError(name, [...header], role, closest(name, header));
}

/**
 * Indices of the columns in a `--text-column`-style list. The whole string is tried as one column name first,
 * so a column whose name holds a comma still works; otherwise it is split on commas.
 */
export function resolveColumnList(header: readonly string[], spec: string | readonly string[], role = 'text'): number[] {
  const names = typeof spec === 'string' ? splitColumnSpec(header, spec) : spec;
  return names.map((n) => resolveColumn(header, n, role));
}

/** Splits `findings,impression` into names, unless the header has a column literally named that. */
export function splitColumnSpec(header: readonly string[], spec: string): string[] {
  if (header.includes(spec)) return [spec];
  return spec.split(',').map((s) => s.trim()).filter(Boolean);
}

// Header names that usually hold the report text, best first.
const TEXT_NAMES = ['report', 'report_text', 'text', 'note', 'notes', 'findings', 'impression', 'body', 'narrative'];
// Id column names as people write them ("Accession Number", "accession_no", "StudyID", "MRN"), compared with
// case, spaces, dots and underscores removed; best first.
const ID_NAMES = [
  'id', 'studyid', 'uid', 'reportid', 'accession', 'accessionnumber', 'accessionno', 'accessionnum', 'acc', 'accno',
  'examid', 'examinationid', 'orderid', 'studyuid', 'studyinstanceuid', 'mrn', 'medicalrecordnumber', 'patientid',
  'subjectid', 'encounterid', 'rowid', 'recordid', 'caseid', 'imageid', 'dicomid',
];

/** `Accession Number` → `accessionnumber`: the form id names are compared in. */
export function compactName(name: string): string {
  return name.trim().toLowerCase().replace(/[\s._#-]+/g, '');
}

/**
 * Best guess for the report-text column: a well-known name, else the column whose sample cells are longest on
 * average. Undefined for an empty header. The app preselects it; the CLI always asks for `--text-column`.
 */
export function guessTextColumn(header: readonly string[], sample: readonly (readonly string[])[] = []): number | undefined {
  if (header.length === 0) return undefined;
  for (const name of TEXT_NAMES) {
    const i = header.findIndex((h) => loose(h) === name);
    if (i >= 0) return i;
  }
  let best = 0;
  let bestLength = -1;
  header.forEach((_, i) => {
    const total = sample.reduce((sum, row) => sum + (row[i]?.length ?? 0), 0);
    if (total > bestLength) [best, bestLength] = [i, total];
  });
  return best;
}

/** Best guess for an id column by name ("Accession Number", "study_id", "MRN", ...), or undefined. */
export function guessIdColumn(header: readonly string[]): number | undefined {
  const compact = header.map(compactName);
  for (const name of ID_NAMES) {
    const i = compact.indexOf(name);
    if (i >= 0) return i;
  }
  return undefined;
}

/** Prose, not codes or numbers: some cell has at least three words with letters. */
export function looksLikeText(values: readonly string[]): boolean {
  return values.some((v) => {
    const words = v.trim().split(/\s+/).filter((w) => /[A-Za-z]{2,}/.test(w));
    return words.length >= 3;
  });
}

/** The candidate closest to `word`, when it is close enough to be a likely typo. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(loose(word), loose(c));
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

/** Levenshtein distance (insert, delete, substitute), two rows of memory. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}
