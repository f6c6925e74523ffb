/**
 * The results screen: one job's table (kept in typed arrays, so 100,000 rows cost a few MB), the filters, the
 * rows that pass them, and the row opened with its evidence.
 */
import { errorMessage } from '../lib/errors.ts';
import type { ResultsTable, RowView } from '../worker/api.ts';
import { alerts } from './alerts.svelte.ts';
import { filterRows, type FindingFilter, type RowStatusFilter, type StatusFilter } from './filter.ts';
import { labeler } from './labeler.ts';

export type { FindingFilter, RowStatusFilter, StatusFilter } from './filter.ts';

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

export const results = new Results();
