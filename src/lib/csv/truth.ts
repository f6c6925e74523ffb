/**
 * Reading reference labels (and predictions) from CSV cells in the two shapes people have: a list of finding
 * names (`Cardiomegaly; Pleural Effusion`, `Normal`, blank) or one CheXpert-coded column per finding.
 */
import { FINDINGS, NORMAL, emptyFindings, isNormalName, normaliseFindingName, statusFromChexpertCode } from '../findings.ts';
import type { Finding, FindingStatus } from '../findings.ts';

export interface ParsedFindingList {
  findings: Set<Finding>;
  /** Names that are neither one of the 13 findings (in any spelling normaliseFindingName knows) nor Normal. */
  unknown: string[];
}

/** Parses a names cell. Comma or semicolon separated; blank and `Normal` mean no finding. */
export function parseFindingList(cell: string): ParsedFindingList {
  const findings = new Set<Finding>();
  const unknown: string[] = [];
  for (const part of cell.split(/[;,|]/)) {
    const name = part.trim();
    if (isNormalName(name)) continue;
    const finding = normaliseFindingName(name);
    if (finding) findings.add(finding);
    else unknown.push(name);
  }
  return { findings, unknown };
}

/** The statuses a names list stands for: listed findings positive, the rest absent. */
export function statusesFromNames(findings: ReadonlySet<Finding>): Record<Finding, FindingStatus> {
  const out = emptyFindings();
  for (const f of findings) out[f] = 'positive';
  return out;
}

/**
 * Which header columns are finding columns (`Atelectasis`, ..., matched through normaliseFindingName). A header
 * may hold only some of them; columns that name no finding (`No Finding`, ids, text) are ignored.
 */
export function findingColumns(header: readonly string[]): Map<Finding, number> {
  const columns = new Map<Finding, number>();
  header.forEach((h, i) => {
    if (h.trim().toLowerCase() === NORMAL.toLowerCase()) return;
    const f = normaliseFindingName(h);
    // An exact canonical name wins over an alias seen earlier (`Effusion` vs `Pleural Effusion`).
    if (f && (!columns.has(f) || h.trim() === f)) columns.set(f, i);
  });
  return columns;
}

export interface CodedRow {
  findings: Record<Finding, FindingStatus>;
  /** Cells that are not a CheXpert code, as `Finding="value"`. */
  bad: string[];
}

/** Statuses from CheXpert-coded cells (1, 0, -1, blank; `1.0` style too). Missing columns read as absent. */
export function statusesFromCodes(fields: readonly string[], columns: ReadonlyMap<Finding, number>): CodedRow {
  const findings = emptyFindings();
  const bad: string[] = [];
  for (const f of FINDINGS) {
    const i = columns.get(f);
    if (i === undefined) continue;
    const cell = fields[i] ?? '';
    const status = statusFromChexpertCode(cell);
    if (status) findings[f] = status;
    else bad.push(`${f}="${cell}"`);
  }
  return { findings, bad };
}
