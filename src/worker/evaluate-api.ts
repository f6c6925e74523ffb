/**
 * The evaluate worker's implementation: streams CSV files with the core's reader (src/lib/csv/reader.ts) and
 * stored jobs from IndexedDB into an `Evaluator`. Never holds a whole file as one string.
 */
import { FINDINGS, emptyFindings, type FindingStatus } from '../lib/findings.ts';
import { guessIdColumn, guessTextColumn } from '../lib/csv/columns.ts';
import { findingColumns } from '../lib/csv/truth.ts';
import { errorMessage } from '../lib/errors.ts';
import { blobChunks, HEAD_BYTES, inspectHead, readCsv } from '../lib/csv/reader.ts';
import { getJob, readRowChunks } from '../platform/storage/index.ts';
import { CsvLabelReader, Evaluator, guessFormat, type Disagreement, type EvaluationSummary } from '../lib/evaluate/evaluation.ts';
import type { CsvSide, EvaluateApi, EvaluateProgress, EvaluateRequest, FileInspection } from './evaluate-protocol.ts';

async function inspect(file: Blob): Promise<FileInspection> {
  const found = inspectHead(new Uint8Array(await file.slice(0, HEAD_BYTES).arrayBuffer()), file.size, { header: true });
  const header = found.header;
  const sample = found.sample;
  const id = guessIdColumn(header);
  const text = guessTextColumn(header, sample);
  const format = guessFormat(header);
  return {
    header,
    delimiter: found.settings.delimiter,
    format,
    joinGuess: id === undefined ? undefined : header[id],
    // Only a column that looks like report text by name; a guess by length could be an id or a label list.
    textGuess: text !== undefined && /report|text|note|impression|narrative/i.test(header[text]) ? header[text] : undefined,
    codedFindings: [...findingColumns(header).keys()],
  };
}

/** Rows of a CSV after its header, with the header, as the app's reader yields them. */
async function* csvRows(file: Blob, delimiter: string, onFraction: (f: number) => void) {
  let header: string[] | undefined;
  let row = 0;
  const settings = { ...(await inspect(file).then((i) => ({ delimiter: i.delimiter }))), encoding: 'utf-8' as const, hasHeader: true };
  for await (const batch of readCsv(blobChunks(file), { ...settings, delimiter })) {
    for (let i = 0; i < batch.rows.length; i++) {
      const fields = batch.rows[i].fields;
      if (!header) {
        header = fields;
        continue;
      }
      yield { header, fields, row: row++ };
    }
    onFraction(file.size ? batch.bytesRead / file.size : 1);
  }
  if (!header) throw new Error('The file is empty: it has no header row.');
}

async function readHeader(side: CsvSide): Promise<string[]> {
  return (await inspect(side.file)).header;
}

const STATUS: Record<string, FindingStatus> = { p: 'positive', n: 'negative', u: 'uncertain', a: 'absent' };

function storedFindings(codes: string) {
  const findings = emptyFindings();
  FINDINGS.forEach((f, i) => (findings[f] = STATUS[codes[i]] ?? 'absent'));
  return findings;
}

async function run(request: EvaluateRequest, progress: (p: EvaluateProgress) => void): Promise<EvaluationSummary> {
  const ref = request.reference;
  const referenceReader = new CsvLabelReader(await readHeader(ref), ref.format, ref.joinColumns[0], 'reference');
  const predictions = request.predictions;
  let predictionReader: CsvLabelReader | undefined;
  if (predictions.kind === 'csv') {
    predictionReader = new CsvLabelReader(await readHeader(predictions), predictions.format, predictions.joinColumns[0], 'predictions');
  }
  const predictionCovers = predictionReader?.covers ?? [...FINDINGS];
  const scored = referenceReader.covers.filter((f) => predictionCovers.includes(f));
  if (scored.length === 0) throw new Error('The predictions and the reference have no finding in common to score.');
  const evaluator = new Evaluator({ scored, uncertain: request.uncertain });

  let rows = 0;
  for await (const { fields, row } of csvRows(ref.file, ref.delimiter, (fraction) => progress({ phase: 'reference', rows, fraction }))) {
    rows = row + 1;
    evaluator.addReference(referenceReader.read(fields, rows));
  }
  referenceReader.finish(rows);

  rows = 0;
  if (predictions.kind === 'csv') {
    for await (const { fields, row } of csvRows(predictions.file, predictions.delimiter, (fraction) => progress({ phase: 'predictions', rows, fraction }))) {
      rows = row + 1;
      evaluator.addPrediction(predictionReader!.read(fields, rows));
    }
    predictionReader!.finish(rows);
  } else {
    const job = await getJob(predictions.jobId);
    if (!job) throw new Error('That job is no longer stored in this browser.');
    const joined = job.idColumns.length > 0;
    for await (const chunk of readRowChunks(job.id)) {
      for (const stored of chunk.rows) {
        rows++;
        const key = joined ? (stored.ids[0] ?? '').trim() : String(rows);
        evaluator.addPrediction({ row: rows, key, status: stored.status, findings: storedFindings(stored.codes) });
      }
      progress({ phase: 'predictions', rows, fraction: job.rowsDone ? rows / job.rowsDone : 1 });
    }
  }
  const summary: EvaluationSummary = { ...evaluator.finish(), joinedBy: ref.joinColumns[0] || undefined };

  // The text of the listed disagreements only, in a second pass: the first kept no text in memory.
  if (ref.textColumn && summary.disagreements.length) {
    const header = await readHeader(ref);
    const at = header.indexOf(ref.textColumn);
    if (at >= 0) {
      const wanted = new Map<number, Disagreement[]>();
      for (const d of summary.disagreements) wanted.set(d.referenceRow, [...(wanted.get(d.referenceRow) ?? []), d]);
      rows = 0;
      for await (const { fields, row } of csvRows(ref.file, ref.delimiter, (fraction) => progress({ phase: 'text', rows, fraction }))) {
        rows = row + 1;
        for (const d of wanted.get(rows) ?? []) d.text = fields[at];
      }
    }
  }
  return summary;
}

export const evaluateApi: EvaluateApi = {
  async inspect(file) {
    try {
      return { ok: true, value: await inspect(file) };
    } catch (e) {
      return { ok: false, message: errorMessage(e) };
    }
  },
  async run(request, onProgress) {
    try {
      return { ok: true, value: await run(request, onProgress) };
    } catch (e) {
      return { ok: false, message: errorMessage(e) };
    }
  },
};
