/**
 * The streaming loop behind `label` for row-by-row engines: read a row, prepare it, label it, write it. Memory
 * stays flat whatever the file size (only the set of ids seen, for duplicate detection, grows). Bad rows become
 * `error` rows, empty text becomes `empty`; neither stops the run. The output appears only when the run ends.
 */
import { csvLine } from '../../src/lib/csv/write.ts';
import { prepareRow } from '../../src/lib/csv/records.ts';
import { EmptyInputError } from '../../src/lib/errors.ts';
import { DuplicateIds, outputColumns } from '../../src/lib/output.ts';
import type { LabelResult, RowStatus } from '../../src/lib/result.ts';
import type { LabelRun, RowLabeler } from '../engines.ts';
import { openOutput, writeFileAtomic } from './atomic.ts';
import { openRunInput } from './label-input.ts';
import { sha256File, writeManifest } from './parallel/manifest.ts';
import { DEFAULT_CHUNK_ROWS, inShard } from './parallel/options.ts';
import { LabelPool, WorkerSet } from './parallel/pool.ts';
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
  /** Rows each labeling thread did: this one first, then each worker (`--jobs`). */
  threadRows: number[];
}

const MAX_ROW_WARNINGS = 10;
const WRITE_BLOCK = 64 * 1024;

/** `workers`: worker threads started ahead (parallel/pool.ts); started here for `run.parallel.jobs` when absent. */
export async function labelCsv(run: LabelRun, labeler: RowLabeler, log: (line: string) => void, workers?: WorkerSet): Promise<LabelSummary> {
  const cpuStart = process.cpuUsage();
  let progress: Progress | undefined;
  // Column problems are usage errors and must surface before any output file is created.
  const { input, layout } = await openRunInput(run, log, (b) => progress?.bytes(b));
  const bytes = input.size;
  progress = new Progress({ mode: run.quiet ? 'off' : run.progress, totalBytes: bytes });
  const idHeader = layout.idNames;

  const status: Record<RowStatus, number> = { ok: 0, empty: 0, error: 0, unparsed: 0 };
  const seen = new DuplicateIds();
  const parallel = run.parallel ?? { jobs: 1, jobsGiven: false, chunkRows: DEFAULT_CHUNK_ROWS };
  let duplicates = 0;
  let normal = 0;
  let warnings = 0;
  let row = 0;
  let labeled = 0;
  const warn = (message: string) => {
    if (++warnings <= MAX_ROW_WARNINGS) log(`warning: ${message}`);
  };

  let pending = '';
  const sink = openOutput(run.output);
  await sink.ready?.();
  // Threads label batches of rows; their outputs come back here in input order (parallel/pool.ts).
  const workerSet = workers ?? (parallel.jobs > 1 ? await WorkerSet.start(run, parallel.jobs - 1) : undefined);
  const inputHash = parallel.shard ? sha256File(run.input) : undefined;
  const pool = new LabelPool({
    labeler,
    workers: workerSet,
    format: { format: run.format, task: run.task, idHeader },
    waitForWorkers: process.env.RADREPORTX_WAIT_FOR_WORKERS === '1',
    async onOutput(out) {
      for (const k of Object.keys(status) as RowStatus[]) status[k] += out.status[k];
      normal += out.normal;
      labeled += out.rows;
      out.warnings.forEach(warn);
      pending += out.text;
      // Rows are handed to the file in blocks: one write (and one wait for the disk) per row costs more than the row.
      if (pending.length >= WRITE_BLOCK) {
        const block = pending;
        pending = '';
        await sink.write(block);
      }
      progress.tick(out.rows);
    },
  });
  try {
    if (run.format === 'csv') await sink.write(csvLine(outputColumns(idHeader, run.task)));
    for await (const { fields, problem } of input.rows) {
      row++;
      const prepared = prepareRow(fields, layout, row, problem);
      // Decided here, over every row in order, so each shard flags the same rows a whole run would.
      const duplicateId = seen.check(prepared.ids);
      if (!inShard(row, parallel.shard, parallel.chunkRows)) continue;
      if (duplicateId) duplicates++;
      const wait = pool.push(prepared.ok ? { row, ids: prepared.ids, text: prepared.text, duplicateId } : { row, ids: prepared.ids, problem: prepared.message, duplicateId });
      if (wait) await wait;
    }
    await pool.finish();
    if (pending) await sink.write(pending);
    if (row === 0) throw new EmptyInputError(`The file "${run.input}" (a header row, no reports)`);
    await sink.commit();
    if (parallel.shard) {
      await writeManifest(run.output, {
        shard: parallel.shard.index, of: parallel.shard.count, chunkRows: parallel.chunkRows, inputRows: row, rows: labeled,
        input: { name: run.input, bytes, sha256: await inputHash! }, format: run.format, task: run.task, engine: labeler.info,
        status, normal, duplicates,
      });
    }
  } catch (e) {
    await sink.abort();
    throw e;
  } finally {
    progress.done();
    // Workers handed in belong to the caller, who closes them.
    if (!workers) await workerSet?.close();
    inputHash?.catch(() => {});
  }

  if (warnings > MAX_ROW_WARNINGS) log(`warning: ... and ${warnings - MAX_ROW_WARNINGS} more rows with problems (status "error").`);
  if (duplicates) {
    log(`warning: ${duplicates} row${duplicates === 1 ? ' has an id' : 's have ids'} seen earlier in the file; kept` +
      (run.format === 'jsonl' ? ' and flagged with "duplicateId": true.' : '. Write JSONL to see which.'));
  }
  const seconds = progress.elapsed();
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const summary: LabelSummary = {
    rows: labeled,
    status,
    normal,
    duplicates,
    seconds,
    rowsPerSecond: labeled / Math.max(seconds, 1e-9),
    cpuSeconds,
    rowsPerCpuSecond: labeled / Math.max(cpuSeconds, 1e-9),
    bytes,
    megabytesPerSecond: bytes / 1e6 / Math.max(seconds, 1e-9),
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    engine: labeler.info,
    threadRows: pool.threadRows,
  };
  if (run.stats) await writeFileAtomic(run.stats, `${JSON.stringify(summary, null, 2)}\n`);
  return summary;
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
