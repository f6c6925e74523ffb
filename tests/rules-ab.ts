/**
 * Old rule engine against new, in ONE run on the same reports: output differences by class, and speed as a ratio
 * (the development machine is shared and noisy, so only ratios measured side by side mean anything).
 *
 *   git -C /work/main archive <old-commit> src | tar -x -C /tmp/old        # a copy of the previous version's src/
 *   npx tsx tests/rules-ab.ts --old /tmp/old [--input ../shared/data/iu-xray/indiana_reports.csv] [--rounds 5]
 *   npx tsx tests/rules-ab.ts --old /tmp/old --generated 20000      # bench's default corpus (seed 1) instead
 *
 * Text = FINDINGS + IMPRESSION with their headings, as `label -t findings,impression` and the dev-set test join
 * them. Task `icd10` compares only the status and the ICD-10 items: the new engine labels no findings for it.
 * Exit status 1 when any output differs (the classes are printed), so it can gate a refactor.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import Papa from 'papaparse';
import { FINDINGS } from '../src/lib/findings.ts';
import { generateReports } from '../src/lib/synthetic.ts';
import type { LabelOptions } from '../src/lib/engine.ts';
import type { LabelResult, Task } from '../src/lib/result.ts';

type Label = (text: string, options?: LabelOptions) => LabelResult;

const { values } = parseArgs({
  options: {
    old: { type: 'string' },
    new: { type: 'string', default: '.' },
    input: { type: 'string', default: '../shared/data/iu-xray/indiana_reports.csv' },
    rounds: { type: 'string', default: '5' },
    tasks: { type: 'string', default: 'findings,icd10,both' },
    examples: { type: 'string', default: '2' },
    generated: { type: 'string' },
  },
});
if (!values.old) {
  console.error('Usage: tsx tests/rules-ab.ts --old DIR [--new DIR] [--input CSV] [--rounds N] [--tasks findings,icd10,both]');
  process.exit(2);
}

/** The tree's rule engine, wherever that version keeps it. */
async function engineOf(dir: string): Promise<Label> {
  for (const rel of ['src/lib/rules/engine.ts', 'src/lib/rules-engine.ts']) {
    const path = resolve(dir, rel);
    if (existsSync(path)) return ((await import(pathToFileURL(path).href)) as { labelReport: Label }).labelReport;
  }
  throw new Error(`No rule engine under ${dir}/src/lib`);
}

function readTexts(path: string): string[] {
  const rows = Papa.parse<Record<string, string>>(readFileSync(path, 'utf8'), { header: true, skipEmptyLines: true }).data;
  return rows.map((r) =>
    [['FINDINGS', r.findings], ['IMPRESSION', r.impression]]
      .filter(([, v]) => v?.trim())
      .map(([h, v]) => `${h}: ${v!.trim()}`)
      .join('\n\n'),
  );
}

/** Difference classes between two results of one report, each a short label ("Edema positive→negative", ...). */
function differences(task: Task, a: LabelResult, b: LabelResult): string[] {
  const out: string[] = [];
  if (a.status !== b.status) out.push(`status ${a.status}→${b.status}`);
  if (task !== 'icd10') {
    for (const f of FINDINGS) if (a.findings[f] !== b.findings[f]) out.push(`${f} ${a.findings[f]}→${b.findings[f]}`);
    if (a.normal !== b.normal) out.push(`normal ${a.normal}→${b.normal}`);
    if (JSON.stringify(a.evidence) !== JSON.stringify(b.evidence)) out.push('evidence');
  }
  if (task !== 'findings') {
    const key = (i: { code: string; phrase: string; start: number | null }) => `${i.code} "${i.phrase}"@${i.start}`;
    const before = new Set((a.icd10 ?? []).map(key));
    const after = new Set((b.icd10 ?? []).map(key));
    for (const k of before) if (!after.has(k)) out.push(`icd10 dropped ${k.split(' ')[0]}`);
    for (const k of after) if (!before.has(k)) out.push(`icd10 added ${k.split(' ')[0]}`);
    if (!out.some((d) => d.startsWith('icd10')) && JSON.stringify(a.icd10) !== JSON.stringify(b.icd10)) out.push('icd10 order or fields');
  }
  if (a.message !== b.message) out.push('message');
  return out;
}

function time(label: Label, texts: readonly string[], task: Task): { seconds: number; cpu: number } {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (const t of texts) label(t, { task });
  const cpu = process.cpuUsage(cpu0);
  return { seconds: (performance.now() - t0) / 1000, cpu: (cpu.user + cpu.system) / 1e6 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const oldLabel = await engineOf(values.old);
const newLabel = await engineOf(values.new!);
const texts = values.generated ? generateReports(Number(values.generated), 1) : readTexts(values.input!);
const corpus = values.generated ? `${texts.length} generated reports (seed 1)` : `${texts.length} reports from ${values.input}`;
const tasks = values.tasks!.split(',') as Task[];
const rounds = Number(values.rounds);
let differing = 0;
console.log(`${corpus}; old = ${values.old}, new = ${values.new}\n`);
for (const task of tasks) {
  const classes = new Map<string, number[]>();
  texts.forEach((text, i) => {
    for (const d of differences(task, oldLabel(text, { task }), newLabel(text, { task }))) {
      const list = classes.get(d) ?? [];
      list.push(i);
      classes.set(d, list);
    }
  });
  // Warm both up, then alternate which goes first, so neither always runs on a cooler or busier moment.
  time(oldLabel, texts.slice(0, 500), task);
  time(newLabel, texts.slice(0, 500), task);
  const oldRates: number[] = [];
  const newRates: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const pair = r % 2 ? [newLabel, oldLabel] : [oldLabel, newLabel];
    const [first, second] = pair.map((l) => time(l, texts, task).cpu);
    const [o, n] = r % 2 ? [second, first] : [first, second];
    oldRates.push(texts.length / o);
    newRates.push(texts.length / n);
  }
  const ratios = oldRates.map((o, i) => newRates[i] / o);
  console.log(
    `task ${task}: old ${Math.round(median(oldRates))} / new ${Math.round(median(newRates))} reports per CPU-second ` +
      `(median of ${rounds}); new/old ${median(ratios).toFixed(2)}x (rounds: ${ratios.map((x) => x.toFixed(2)).join(', ')})`,
  );
  if (!classes.size) console.log('  output identical on every report');
  for (const [d, rows] of [...classes].sort((a, b) => b[1].length - a[1].length)) {
    differing++;
    console.log(`  ${rows.length} report(s): ${d}  (rows ${rows.slice(0, Number(values.examples)).join(', ')})`);
  }
  console.log('');
}
process.exit(differing ? 1 : 0);
