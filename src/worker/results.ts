/** Reading a job's stored results: the table for the results view, one row with its evidence, and exports. */
import { FINDINGS, byteOfLetter } from '../lib/findings.ts';
import { csvLine } from '../lib/csv/write.ts';
import { DuplicateIds, jsonlRecord, outputColumns, outputRecord } from '../lib/output.ts';
import { ROW_STATUSES, type EngineInfo } from '../lib/result.ts';
import { getJob, readChunkPair, readRow, readRowChunks } from '../platform/storage/jobs.ts';
import { CHUNK_ROWS, type JobRecord } from '../platform/storage/schema.ts';
import type { ExportFormat, ResultsTable, RowView } from './api.ts';
import { describeEngines } from './engines.ts';
import { fromStored } from './rows.ts';

function engineInfo(job: JobRecord): EngineInfo {
  if (job.engineInfo) return job.engineInfo;
  const e = describeEngines().find((d) => d.id === job.engine);
  return { name: e?.name ?? job.engine, version: e?.version ?? '' };
}

async function requireJob(jobId: string): Promise<JobRecord> {
  const job = await getJob(jobId);
  if (!job) throw new Error('This job no longer exists (it was deleted).');
  return job;
}

export async function loadTable(jobId: string): Promise<ResultsTable> {
  const job = await requireJob(jobId);
  const n = job.rowsDone;
  const table: ResultsTable = {
    jobId,
    rows: n,
    labels: new Array<string>(n),
    status: new Uint8Array(n),
    codes: new Uint8Array(n * FINDINGS.length),
    normal: new Uint8Array(n),
    icd10Codes: new Array<string>(n).fill(''),
    icd10Text: new Array<string>(n).fill(''),
    icd10Summary: [],
  };
  const byCode = new Map<string, { code: string; title: string; rows: number }>();
  for await (const chunk of readRowChunks(jobId)) {
    const first = chunk.index * CHUNK_ROWS;
    chunk.rows.forEach((row, i) => {
      const r = first + i;
      if (r >= n) return;
      table.labels[r] = row.ids.length ? row.ids.join(' / ') : `row ${r + 1}`;
      table.status[r] = ROW_STATUSES.indexOf(row.status);
      table.normal[r] = row.normal ? 1 : 0;
      for (let f = 0; f < FINDINGS.length; f++) table.codes[r * FINDINGS.length + f] = byteOfLetter(row.codes[f]);
      if (row.icd10?.length) {
        const codes = [...new Set(row.icd10.map((item) => item.code))];
        table.icd10Codes[r] = codes.join(' ');
        table.icd10Text[r] = row.icd10.map((item) => `${item.code} ${item.phrase} ${item.title ?? ''}`).join(' | ').toLowerCase();
        for (const item of row.icd10) {
          if (!codes.includes(item.code)) continue;
          const entry = byCode.get(item.code) ?? { code: item.code, title: item.title ?? '', rows: 0 };
          entry.rows++;
          byCode.set(item.code, entry);
          codes.splice(codes.indexOf(item.code), 1); // count a row once per code
        }
      }
    });
  }
  table.icd10Summary = [...byCode.values()].sort((a, b) => b.rows - a.rows || a.code.localeCompare(b.code));
  return table;
}

export async function readRowView(jobId: string, row: number): Promise<RowView | undefined> {
  const job = await requireJob(jobId);
  const found = await readRow(jobId, row);
  if (!found) return undefined;
  return { row, ids: found.row.ids, text: found.detail.text, result: fromStored(found.row, engineInfo(job), found.detail) };
}

/**
 * The job's results as a file, built from one Blob per stored chunk so no string ever holds the whole export.
 * CSV has the CLI `label` columns; JSONL the CLI's record (jsonlRecord): labels, evidence, engine and the text.
 */
export async function exportJob(jobId: string, format: ExportFormat): Promise<Blob> {
  const job = await requireJob(jobId);
  const info = engineInfo(job);
  const parts: Blob[] = [];
  if (format === 'csv') parts.push(new Blob([csvLine(outputColumns(job.idColumns, job.task))]));
  const chunks = Math.ceil(job.rowsDone / CHUNK_ROWS);
  const duplicates = new DuplicateIds();
  for (let index = 0; index < chunks; index++) {
    const pair = await readChunkPair(jobId, index);
    if (!pair) throw new Error(`Stored results are missing rows ${index * CHUNK_ROWS + 1}–${(index + 1) * CHUNK_ROWS}.`);
    let text = '';
    pair.rows.forEach((row, i) => {
      if (format === 'csv') {
        text += csvLine(outputRecord(row.ids, fromStored(row, info), job.task));
        return;
      }
      const result = fromStored(row, info, pair.details[i]);
      const source = { row: index * CHUNK_ROWS + i + 1, idNames: job.idColumns, ids: row.ids, text: pair.details[i]?.text ?? '', duplicateId: duplicates.check(row.ids) };
      text += `${JSON.stringify(jsonlRecord(source, result, job.task))}\n`;
    });
    parts.push(new Blob([text]));
  }
  return new Blob(parts, { type: format === 'csv' ? 'text/csv;charset=utf-8' : 'application/x-ndjson' });
}
