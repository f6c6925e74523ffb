/**
 * The results screen: one job's table (kept in typed arrays, so 100,000 rows cost a few MB), the filters, the
 * rows that pass them, and the row opened with its evidence.
 */
import { errorMessage } from '../lib/errors.ts';
import type { ResultsTable, RowView } from '../worker/api.ts';
import { alerts } from './alerts.svelte.ts';
import { filterIcd10Rows, filterRows, type FindingFilter, type RowStatusFilter, type StatusFilter } from './filter.ts';
import { labeler } from './labeler.ts';

export type { FindingFilter, RowStatusFilter, StatusFilter } from './filter.ts';

class Results {
  #jobId = $state<string | undefined>();
  #table = $state.raw<ResultsTable | undefined>();
  #loading = $state(false);
  #finding = $state<FindingFilter>('all');
  #status = $state<StatusFilter>('positive');
  #rowStatus = $state<RowStatusFilter>('any');
  #selected = $state.raw<RowView | undefined>();

  /** Indices of the rows that pass the filters, in file order. */
  #visible = $derived.by(() => filterRows(this.#table, this.#finding, this.#status, this.#rowStatus));

  get jobId(): string | undefined {
    return this.#jobId;
  }
  get table(): ResultsTable | undefined {
    return this.#table;
  }
  get loading(): boolean {
    return this.#loading;
  }
  get finding(): FindingFilter {
    return this.#finding;
  }
  set finding(value: FindingFilter) {
    this.#finding = value;
  }
  get status(): StatusFilter {
    return this.#status;
  }
  set status(value: StatusFilter) {
    this.#status = value;
  }
  get rowStatus(): RowStatusFilter {
    return this.#rowStatus;
  }
  set rowStatus(value: RowStatusFilter) {
    this.#rowStatus = value;
  }
  get selected(): RowView | undefined {
    return this.#selected;
  }
  set selected(value: RowView | undefined) {
    this.#selected = value;
  }
  get visible(): Int32Array {
    return this.#visible;
  }

  /** Which view of the job: the 13 findings, or the ICD-10 codes. */
  #view = $state<'findings' | 'icd10'>('findings');
  #icd10Code = $state('');
  #icd10Query = $state('');
  #icd10Visible = $derived.by(() => filterIcd10Rows(this.#table, this.#icd10Code, this.#icd10Query));

  get view(): 'findings' | 'icd10' {
    return this.#view;
  }
  set view(view: 'findings' | 'icd10') {
    this.#view = view;
  }
  /** The ICD-10 code the rows are filtered by ('' for any). */
  get icd10Code(): string {
    return this.#icd10Code;
  }
  set icd10Code(code: string) {
    this.#icd10Code = code;
  }
  /** Words that a row's codes, phrases or titles must contain. */
  get icd10Query(): string {
    return this.#icd10Query;
  }
  set icd10Query(query: string) {
    this.#icd10Query = query;
  }
  /** Rows with ICD-10 codes that pass the code and text filters, in file order. */
  get icd10Visible(): Int32Array {
    return this.#icd10Visible;
  }

  async open(jobId: string): Promise<void> {
    this.#loading = true;
    if (jobId !== this.#jobId) {
      this.#selected = undefined;
      this.#icd10Code = '';
      this.#icd10Query = '';
    }
    this.#jobId = jobId;
    try {
      const table = await labeler().loadTable(jobId);
      if (this.#jobId === jobId) {
        this.#table = table;
        // An ICD-10-only job has no findings to show.
        if (table.icd10Summary.length && table.codes.every((c) => c === 0)) this.#view = 'icd10';
        else if (!table.icd10Summary.length) this.#view = 'findings';
      }
    } catch (e) {
      alerts.error(`The results could not be read: ${errorMessage(e)}`);
    } finally {
      this.#loading = false;
    }
  }

  async openRow(row: number): Promise<void> {
    const jobId = this.#jobId;
    if (!jobId) return;
    try {
      const view = await labeler().readRow(jobId, row);
      if (this.#jobId === jobId) this.#selected = view;
    } catch (e) {
      alerts.error(`Row ${row + 1} could not be read: ${errorMessage(e)}`);
    }
  }

  close(): void {
    this.#jobId = undefined;
    this.#table = undefined;
    this.#selected = undefined;
  }
}

export const results = new Results();
