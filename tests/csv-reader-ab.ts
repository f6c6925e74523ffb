/**
 * The core CSV reader (src/lib/csv/reader.ts, what every path uses now) against the papaparse stream the CLI
 * used before, in ONE run on the same file: the rows must be identical, and speed is printed as a ratio (the
 * machine is shared and noisy, so only ratios measured side by side mean anything).
 *
 *   npx tsx tests/csv-reader-ab.ts [--rows 100000] [--rounds 3] [--input file.csv]
 *
 * Exit status 1 when the rows differ.
 */
import { createReadStream, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Papa from 'papaparse';
import { csvLine } from '../src/lib/csv/write.ts';
import { generateReports } from '../src/lib/synthetic.ts';
import { readCsvRows } from '../training/lib/csv-stream.ts';

const { values } = parseArgs({ options: { rows: { type: 'string' }, rounds: { type: 'string' }, input: { type: 'string' } } });
const rows = Number(values.rows ?? 100_000);
const path = values.input ?? join(tmpdir(), `radreportx-csv-ab-${rows}.csv`);
if (!values.input && !existsSync(path)) writeFileSync(path, 'id,report\n' + generateReports(rows, 3).map((r, i) => csvLine([String(i), r])).join(''));

/** The previous CLI reader: papaparse on a Node stream (UTF-8, CRLF left to papaparse's newline guess). */
async function* papaRows(file: string): AsyncGenerator<string[]> {
  const parser = Papa.parse(Papa.NODE_STREAM_INPUT, { delimiter: ',', skipEmptyLines: true }) as unknown as NodeJS.ReadWriteStream;
  createReadStream(file, { encoding: 'utf8', highWaterMark: 256 * 1024 }).pipe(parser);
  yield* parser as AsyncIterable<string[]>;
}

async function run(read: (f: string) => AsyncGenerator<string[]>) {
  const started = performance.now();
  const out: string[][] = [];
  for await (const r of read(path)) out.push(r);
  return { rows: out, seconds: (performance.now() - started) / 1000 };
}

const rounds = Number(values.rounds ?? 3);
let papa = 0;
let core = 0;
let same = true;
let count = 0;
for (let k = 0; k < rounds; k++) {
  const a = await run(papaRows);
  const b = await run((f) => readCsvRows(f));
  papa += a.seconds;
  core += b.seconds;
  same &&= JSON.stringify(a.rows) === JSON.stringify(b.rows);
  count = b.rows.length - 1;
}
console.log(`${path}: ${count.toLocaleString('en')} data rows, ${rounds} rounds`);
console.log(`papaparse stream ${(papa / rounds).toFixed(2)} s, core reader ${(core / rounds).toFixed(2)} s: core is ${(papa / core).toFixed(2)}x; rows ${same ? 'identical' : 'DIFFER'}`);
process.exit(same ? 0 : 1);
