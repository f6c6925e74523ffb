/**
 * The streaming loop behind `label` for row-by-row engines: read a row, prepare it, label it, write it. Memory
 * stays flat whatever the file size (only the set of ids seen, for duplicate detection, grows). Bad rows become
 * `error` rows, empty text becomes `empty`; neither stops the run. The output appears only when the run ends.
 */
import { csvLine } from '../../src/lib/csv/write.ts';
import { engineFailure, prepareRow, unlabelableText } from '../../src/lib/csv/records.ts';
import { EmptyInputError, errorMessage } from '../../src/lib/errors.ts';
import { DuplicateIds, jsonlRecord, outputColumns, outputRecord } from '../../src/lib/output.ts';
import { failedResult, type LabelResult, type RowStatus } from '../../src/lib/result.ts';
import type { LabelRun, RowLabeler } from '../engines.ts';
import { openOutput, writeFileAtomic } from './atomic.ts';
import { openRunInput } from './label-input.ts';
import { Progress } from './progress.ts';

export interface LabelSummary {
  rows: number;
  status: Record<RowStatus, number>;
  /** Labeled rows with no positive finding. */
  normal: number;
  /** Rows whose id was seen before (kept, flagged). */
  duplicates: number;
  seconds: number;
  rowsPerSecond: number;
  /** CPU time of the whole process (all threads); on a busy machine rows per CPU-second is the steadier figure. */
  cpuSeconds: number;
  rowsPerCpuSecond: number;
  bytes: number;
  megabytesPerSecond: number;
  peakRssMb: number;
  engine: LabelResult['engine'];
}

const MAX_ROW_WARNINGS = 10;
const WRITE_BLOCK = 64 * 1024;

export async function labelCsv(run: LabelRun, labeler: RowLabeler, log: (line: string) => void): Promise<LabelSummary> {
  const cpuStart = process.cpuUsage();
  let progress: Progress | undefined;
  // Column problems are usage errors and must surface before any output file is created.
  const { input, layout } = await openRunInput(run, log, (b) => progress?.bytes(b));
  const bytes = input.size;
  progress = new Progress({ mode: run.quiet ? 'off' : run.progress, totalBytes: bytes });
  const idHeader = layout.idNames;

  const status: Record<RowStatus, number> = { ok: 0, empty: 0, error: 0, unparsed: 0 };
  const seen = new DuplicateIds();
  let normal = 0;
  let warnings = 0;
  let row = 0;
  const warn = (message: string) => {
    if (++warnings <= MAX_ROW_WARNINGS) log(`warning: ${message}`);
  };

  let pending = '';
  const sink = openOutput(run.output);
  await sink.ready?.();
  try {
    if (run.format === 'csv') await sink.write(csvLine(outputColumns(idHeader, run.task)));
    for await (const { fields, problem } of input.rows) {
      row++;
      const prepared = prepareRow(fields, layout, row, problem);
      let result: LabelResult;
      if (!prepared.ok) {
        result = failedResult('error', labeler.info, prepared.message);
        warn(prepared.message);
      } else {
        result = unlabelableText(prepared.text, labeler.info) ?? labelOne(labeler, prepared.text, row, warn);
      }
      status[result.status]++;
      if (result.status === 'ok' && result.normal) normal++;

      const duplicateId = seen.check(prepared.ids);

      if (run.format === 'csv') {
        pending += csvLine(outputRecord(prepared.ids, result, run.task));
      } else {
        const text = prepared.ok ? prepared.text : '';
        pending += `${JSON.stringify(jsonlRecord({ row, idNames: idHeader, ids: prepared.ids, text, duplicateId }, result, run.task))}\n`;
      }
      // Rows are handed to the file in blocks: one write (and one wait for the disk) per row costs more than the row.
      if (pending.length >= WRITE_BLOCK) {
        await sink.write(pending);
        pending = '';
      }
      progress.tick();
    }
    if (pending) await sink.write(pending);
    if (row === 0) throw new EmptyInputError(`The file "${run.input}" (a header row, no reports)`);
    await sink.commit();
  } catch (e) {
    await sink.abort();
    throw e;
  } finally {
    progress.done();
  }

  if (warnings > MAX_ROW_WARNINGS) log(`warning: ... and ${warnings - MAX_ROW_WARNINGS} more rows with problems (status "error").`);
  const duplicates = seen.count;
  if (duplicates) {
    log(`warning: ${duplicates} row${duplicates === 1 ? ' has an id' : 's have ids'} seen earlier in the file; kept` +
      (run.format === 'jsonl' ? ' and flagged with "duplicateId": true.' : '. Write JSONL to see which.'));
  }
  const seconds = progress.elapsed();
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const summary: LabelSummary = {
    rows: row,
    status,
    normal,
    duplicates,
    seconds,
    rowsPerSecond: row / Math.max(seconds, 1e-9),
    cpuSeconds,
    rowsPerCpuSecond: row / Math.max(cpuSeconds, 1e-9),
    bytes,
    megabytesPerSecond: bytes / 1e6 / Math.max(seconds, 1e-9),
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    engine: labeler.info,
  };
  if (run.stats) await writeFileAtomic(run.stats, `${JSON.stringify(summary, null, 2)}\n`);
  return summary;
}

function labelOne(labeler: RowLabeler, text: string, row: number, warn: (m: string) => void): LabelResult {
  try {
    return labeler.label(text);
  } catch (e) {
    // The error's own message may quote the report, so stderr only names the kind of failure.
    warn(`row ${row}: the ${labeler.info.name} engine failed (${(e as Error).name ?? 'Error'}); recorded as an error row.`);
    return engineFailure(labeler.info, errorMessage(e));
  }
}

/** The end-of-run line for stderr. */
export function formatSummary(s: LabelSummary, output: string): string {
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  const counts = (['ok', 'empty', 'error', 'unparsed'] as const).filter((k) => s.status[k] > 0 || k === 'ok').map((k) => `${n(s.status[k])} ${k}`);
  return (
    `Labeled ${n(s.rows)} rows in ${s.seconds.toFixed(1)} s (${n(s.rowsPerSecond)} rows/s): ${counts.join(', ')}` +
    ` (${n(s.normal)} Normal). Output: ${output === '-' ? 'standard output' : output}`
  );
}
