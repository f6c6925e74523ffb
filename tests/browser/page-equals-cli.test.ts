/**
 * Page equals CLI: five files that used to come out differently go through the Batch screen (Playwright, the
 * built site) and through `radreportx label`, and the exported CSV and JSONL must be identical row by row:
 * the IU X-ray CSV with indication,findings,impression ticked (sections joined under their headings), a
 * one-column CSV whose reports contain `;`, a file whose last quote is never closed, a TSV, and a CRLF + BOM file.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { csvLine } from '../../src/lib/csv/write.ts';
import { generateReports } from '../../src/lib/synthetic.ts';
import { runCli, tempDir } from '../fixtures/run-cli.ts';
import { downloadText, useApp, waitForJobState } from './app-helpers.ts';
import { chooseBatchFile } from './batch-ui.ts';
import { haveIuReports, ROOT } from './harness.ts';

const dir = tempDir('radreportx-page-cli-');
const write = (name: string, content: string) => {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
};
const reports = generateReports(60, 7);

interface Case {
  name: string;
  file: () => string;
  text: string[];
  ids: string[];
  task: 'findings' | 'both';
  skip?: boolean;
}

const IU = join(ROOT, '../shared/data/iu-xray/indiana_reports.csv');
const HAVE_IU = haveIuReports('page-equals-cli (the IU X-ray case)');

const CASES: Case[] = [
  { name: 'IU X-ray, indication + findings + impression', file: () => IU, text: ['indication', 'findings', 'impression'], ids: ['uid'], task: 'both', skip: !HAVE_IU },
  {
    name: 'one column whose reports contain ;',
    file: () => write('semicolons.csv', 'report\n' + reports.slice(0, 30).map((r) => csvLine([r.replace(/\. /g, '; ')])).join('')),
    text: ['report'],
    ids: [],
    task: 'findings',
  },
  {
    name: 'an unclosed quote at the end',
    file: () => write('unclosed.csv', 'id,report\n1,"Mild cardiomegaly."\n2,"Small left pleural effusion.\n3,No pneumothorax.\n4,Lungs are clear.\n'),
    text: ['report'],
    ids: ['id'],
    task: 'findings',
  },
  {
    name: 'a TSV',
    file: () => write('reports.tsv', 'study_id\treport\n' + reports.slice(30, 50).map((r, i) => `S${i + 1}\t${r.replace(/[\t\n]/g, ' ')}\n`).join('')),
    text: ['report'],
    ids: ['study_id'],
    task: 'both',
  },
  {
    name: 'CRLF line endings and a BOM',
    file: () => write('crlf-bom.csv', '\uFEFFAccession Number,Report Text\r\n' + reports.slice(50).map((r, i) => csvLine([`A${i}`, r.replace(/\n/g, '\r\n')]).replace(/\n$/, '\r\n')).join('')),
    text: ['Report Text'],
    ids: ['Accession Number'],
    task: 'findings',
  },
];

const app = useApp('#batch');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sameLines(what: string, got: string, want: string): void {
  const g = got.split('\n');
  const w = want.split('\n');
  // Row by row, so a failure names the first row that differs.
  for (let i = 0; i < Math.max(g.length, w.length); i++) if (g[i] !== w[i]) expect({ what, line: i, got: g[i] }).toEqual({ what, line: i, got: w[i] });
}

describe('the page and the CLI give the same exports', () => {
  for (const c of CASES) {
    it.skipIf(c.skip)(c.name, async () => {
      const file = c.file();
      const name = file.split('/').pop()!;
      const cli: Record<'csv' | 'jsonl', string> = { csv: '', jsonl: '' };
      for (const format of ['csv', 'jsonl'] as const) {
        const out = join(dir, `${name}.cli.${format}`);
        const ids = c.ids.flatMap((id) => ['--id-column', id]);
        const r = await runCli(['label', '-i', file, '-t', c.text.join(','), ...ids, '--task', c.task, '-o', out, '-q']);
        expect(r.code, r.stderr).toBe(0);
        cli[format] = readFileSync(out, 'utf8');
      }

      await chooseBatchFile(app.page, file, c.text, c.ids);
      await app.page.getByTestId('batch-task').selectOption(c.task);
      await app.page.getByTestId('batch-start').click();
      await waitForJobState(app.page, name, 'done', 240_000);
      const card = app.page.locator('[data-testid="job-card"]', { hasText: name });
      const csv = await downloadText(app.page, () => card.getByTestId('export-csv').click());
      const jsonl = await downloadText(app.page, () => card.getByTestId('export-jsonl').click());

      sameLines('csv', csv.text, cli.csv);
      sameLines('jsonl', jsonl.text, cli.jsonl);
      const lines = cli.jsonl.trimEnd().split('\n').map((l) => JSON.parse(l));
      // The record carries the engine and version and the text its offsets refer to.
      expect(lines[0].engine).toMatchObject({ name: 'rules' });
      for (const l of lines) for (const e of l.evidence) expect(l.text.slice(e.mention.start, e.mention.end)).toBe(e.mention.text);
      if (c.text.length > 1) expect(lines.some((l) => l.text.startsWith('INDICATION: '))).toBe(true);
      if (name === 'unclosed.csv') expect(lines.map((l) => l.status)).toEqual(['ok', 'error', 'ok', 'ok']);
      if (name === 'semicolons.csv') expect(lines.every((l) => l.status === 'ok')).toBe(true);
    });
  }
});
