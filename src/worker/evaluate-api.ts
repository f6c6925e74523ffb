/**
 * The evaluate worker's implementation: the core's CSV reader and evaluator (src/lib/evaluate/), the same code
 * `radreportx evaluate` runs; this file only hands it a Blob's slices or a stored job's rows.
 */
import { findingColumns } from '../lib/csv/truth.ts';
import { blobChunks, dataRows, HEAD_BYTES, inspectHead, type CsvInspection } from '../lib/csv/reader.ts';
import { failure } from '../lib/errors.ts';
import { csvSide, evaluateSides, guessFormat, type Disagreement, type EvaluationSummary, type LabelSide, type LabeledRow } from '../lib/evaluate/evaluation.ts';
import { chooseJoin, type JoinRequest } from '../lib/evaluate/join.ts';
import { FINDINGS, findingsFromLetters } from '../lib/findings.ts';
import { guessIdColumn, guessTextColumn } from '../lib/csv/columns.ts';
import { getJob, readRowChunks } from '../platform/storage/jobs.ts';
import type { CsvSide, EvaluateApi, EvaluateProgress, EvaluateRequest, FileInspection } from './evaluate-protocol.ts';

async function inspectFile(file: Blob, name = ''): Promise<CsvInspection> {
  return inspectHead(new Uint8Array(await file.slice(0, HEAD_BYTES).arrayBuffer()), file.size, { header: true, fileName: name, what: name ? `"${name}"` : undefined });
}

async function inspect(file: Blob, name?: string): Promise<FileInspection> {
  const found = await inspectFile(file, name);
  const { header, sample } = found;
  const id = guessIdColumn(header);
  const text = guessTextColumn(header, sample);
  return {
    header,
    delimiter: found.settings.delimiter,
    encoding: found.settings.encoding,
    format: guessFormat(header),
    joinGuess: id === undefined ? undefined : header[id],
    // Only a column that looks like report text by name; a guess by length could be an id or a label list.
    textGuess: text !== undefined && /report|text|note|impression|narrative/i.test(header[text]) ? header[text] : undefined,
    codedFindings: [...findingColumns(header).keys()],
  };
}

/** A CSV file's data rows, read as it was inspected, reporting the fraction read. */
async function* fileRows(file: Blob, onFraction: (f: number) => void) {
  const { settings } = await inspectFile(file);
  let bytes = 0;
  async function* counted() {
    for await (const chunk of blobChunks(file)) {
      bytes += chunk.length;
      yield chunk;
    }
  }
  let n = 0;
  for await (const row of dataRows(counted(), settings)) {
    yield row;
    if (++n % 1000 === 0) onFraction(file.size ? bytes / file.size : 1);
  }
  onFraction(1);
}

async function sideOf(side: CsvSide, idColumn: string | undefined, role: 'reference' | 'predictions', progress: (f: number) => void): Promise<LabelSide> {
  const { header } = await inspectFile(side.file);
  return csvSide(header, fileRows(side.file, progress), side.format, idColumn, role);
}

/** A stored job's rows as predictions, keyed by its first id column. */
function jobSide(jobId: string, idColumn: string | undefined, rowsDone: number, progress: (f: number) => void): LabelSide {
  const at = idColumn === undefined ? -1 : 0;
  async function* rows(): AsyncGenerator<LabeledRow> {
    let row = 0;
    for await (const chunk of readRowChunks(jobId)) {
      for (const stored of chunk.rows) {
        row++;
        yield { row, id: at < 0 ? undefined : (stored.ids[at] ?? '').trim(), status: stored.status, findings: findingsFromLetters(stored.codes) };
      }
      progress(rowsDone ? row / rowsDone : 1);
    }
  }
  return { covers: [...FINDINGS], describe: 'a stored job', rows: rows() };
}

async function run(request: EvaluateRequest, progress: (p: EvaluateProgress) => void): Promise<EvaluationSummary> {
  const ref = request.reference;
  const predictions = request.predictions;
  const job = predictions.kind === 'job' ? await getJob(predictions.jobId) : undefined;
  if (predictions.kind === 'job' && !job) throw new Error('That job is no longer stored in this browser.');
  const referenceHeader = (await inspectFile(ref.file)).header;
  const predictionsHeader = predictions.kind === 'job' ? job!.idColumns.slice(0, 1) : (await inspectFile(predictions.file)).header;
  const refJoin = ref.joinColumns[0];
  const predJoin = predictions.kind === 'job' ? job!.idColumns[0] : predictions.joinColumns[0];
  const joinRequest: JoinRequest = request.join ?? (refJoin && predJoin ? { reference: refJoin, predictions: predJoin } : 'auto');
  const rule = chooseJoin(joinRequest, referenceHeader, predictionsHeader);

  let phase: EvaluateProgress['phase'] = 'reference';
  let rows = 0;
  const report = (fraction: number) => progress({ phase, rows, fraction });
  const reference = await sideOf(ref, rule.kind === 'id' ? rule.reference : rule.referenceId, 'reference', report);
  const predictionId = rule.kind === 'id' ? rule.predictions : rule.predictionsId;
  const predictionSide =
    predictions.kind === 'job' ? jobSide(job!.id, predictionId, job!.rowsDone, report) : await sideOf(predictions, predictionId, 'predictions', report);
  const summary = await evaluateSides(
    reference,
    predictionSide,
    { uncertain: request.uncertain, join: rule, transform: request.transform, bootstrap: request.bootstrap },
    (side, n) => {
      phase = side;
      rows = n;
    },
  );

  // The text of the listed disagreements only, in a second pass: the first kept no text in memory.
  if (ref.textColumn && summary.disagreements.length) {
    const at = referenceHeader.indexOf(ref.textColumn);
    if (at >= 0) {
      const wanted = new Map<number, Disagreement[]>();
      for (const d of summary.disagreements) wanted.set(d.referenceRow, [...(wanted.get(d.referenceRow) ?? []), d]);
      phase = 'text';
      for await (const r of fileRows(ref.file, report)) {
        rows = r.row;
        for (const d of wanted.get(r.row) ?? []) d.text = r.fields[at];
      }
    }
  }
  return summary;
}

export const evaluateApi: EvaluateApi = {
  async inspect(file) {
    try {
      return { ok: true, value: await inspect(file, (file as File).name) };
    } catch (e) {
      return failure(e);
    }
  },
  async run(request, onProgress) {
    try {
      return { ok: true, value: await run(request, onProgress) };
    } catch (e) {
      return failure(e);
    }
  },
};
