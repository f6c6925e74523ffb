/**
 * The results screen: one job's table (kept in typed arrays, so 100,000 rows cost a few MB), the filters, the
 * rows that pass them, and the row opened with its evidence.
 */
import { errorMessage } from '../lib/errors.ts';
import { FINDINGS } from '../lib/findings.ts';
import type { ResultsTable, RowView } from '../worker/api.ts';
import { STATUS_CODES } from '../worker/api.ts';
import { alerts } from './alerts.svelte.ts';
import { labeler } from './labeler.ts';

/** `all`, `normal`, or a finding name. */
export type FindingFilter = 'all' | 'normal' | (typeof FINDINGS)[number];
export type StatusFilter = 'any' | 'positive' | 'negative' | 'uncertain' | 'absent';
export type RowStatusFilter = 'any' | (typeof STATUS_CODES)[number];

// Cell codes in ResultsTable.codes.
const CELL: Record<Exclude<StatusFilter, 'any'>, number> = { absent: 0, positive: 1, negative: 2, uncertain: 3 };

class Results {
  jobId = $state<string | undefined>();
  table = $state.raw<ResultsTable | undefined>();
  loading = $state(false);
  finding = $state<FindingFilter>('all');
  status = $state<StatusFilter>('positive');
  rowStatus = $state<RowStatusFilter>('any');
  selected = $state.raw<RowView | undefined>();

  /** Indices of the rows that pass the filters, in file order. */
  visible = $derived.by(() => filterRows(this.table, this.finding, this.status, this.rowStatus));

  async open(jobId: string): Promise<void> {
    this.loading = true;
    if (jobId !== this.jobId) this.selected = undefined;
    this.jobId = jobId;
    try {
      const table = await labeler().loadTable(jobId);
      if (this.jobId === jobId) this.table = table;
    } catch (e) {
      alerts.error(`The results could not be read: ${errorMessage(e)}`);
    } finally {
      this.loading = false;
    }
  }

  async openRow(row: number): Promise<void> {
    const jobId = this.jobId;
    if (!jobId) return;
    try {
      const view = await labeler().readRow(jobId, row);
      if (this.jobId === jobId) this.selected = view;
    } catch (e) {
      alerts.error(`Row ${row + 1} could not be read: ${errorMessage(e)}`);
    }
  }

  close(): void {
    this.jobId = undefined;
    this.table = undefined;
    this.selected = undefined;
  }
}

export function filterRows(table: ResultsTable | undefined, finding: FindingFilter, status: StatusFilter, rowStatus: RowStatusFilter): Int32Array {
  if (!table) return new Int32Array(0);
  const out = new Int32Array(table.rows);
  const wantRow = rowStatus === 'any' ? -1 : STATUS_CODES.indexOf(rowStatus);
  const f = finding === 'all' || finding === 'normal' ? -1 : FINDINGS.indexOf(finding);
  const cell = status === 'any' ? -1 : CELL[status];
  const n = FINDINGS.length;
  let count = 0;
  for (let r = 0; r < table.rows; r++) {
    if (wantRow >= 0 && table.status[r] !== wantRow) continue;
    if (finding === 'normal' && !table.normal[r]) continue;
    if (f >= 0 && cell >= 0 && table.codes[r * n + f] !== cell) continue;
    out[count++] = r;
  }
  return out.subarray(0, count);
}

export const results = new Results();
