/**
 * Old rule engine against new, in ONE run on the same reports: output differences by class, and speed as a ratio
 * (the development machine is shared and noisy, so only ratios measured side by side mean anything).
 *
 *   git -C /work/main archive <old-commit> src | tar -x -C /tmp/old        # a copy of the previous version's src/
 *   npx tsx tests/rules-ab.ts --old /tmp/old [--input ../shared/data/iu-xray/indiana_reports.csv] [--rounds 5]
 *   npx tsx tests/rules-ab.ts --old /tmp/old --generated 20000      # bench's default corpus (seed 1) instead
 *   npx tsx tests/rules-ab.ts --old /tmp/main --base /tmp/older     # also time a third tree (speed only)
 *   npx tsx tests/rules-ab.ts --old /tmp/main --fuzz 20000 --sections all --rounds 0   # random tricky texts
 *
 * `--base DIR` adds a third engine that is timed in the same rounds but not compared for output: a speed goal set
 * against an older commit (issue 10's "2x bc624a2") whose output later work changed on purpose, while `--old`
 * stays the output reference a refactor must match.
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
    base: { type: 'string' },
    fuzz: { type: 'string' },
    sections: { type: 'string' },
  },
});
if (!values.old) {
  console.error('Usage: tsx tests/rules-ab.ts --old DIR [--new DIR] [--base DIR] [--input CSV | --generated N | --fuzz N] [--sections all] [--rounds N] [--tasks findings,icd10,both]');
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

/**
 * `n` random texts (seeded) made of the pieces the rule engine treats specially: end marks, line breaks, list
 * markers, abbreviations, headers, de-identification marks, typos, triggers, digits and underscores glued to words,
 * non-ASCII letters and spaces. A refactor of the matchers must give the same output on these as on real reports.
 */
function fuzzTexts(n: number): string[] {
  const pieces = ['No', ' ', '.', '. ', '\n', '\n\n', '1. ', '2) ', '- ', '* ', '\u2022 ', 'pneumothorax', 'effusion', 'cardiomegally',
    'Pnuemothorax', 'atelectsis', 'or', 'and/or', 'versus', 'e.g.', 'vs.', 'Dr.', '1.5 cm', 'X', 'XX', 'XXXX', 'FINDINGS:', 'IMPRESSION:',
    'INDICATION:', 'History:', '?', '!', 'T12', '_', '3', '\u00e9', '\u00a0', '\t', ',', ';', 'There is', 'no', 'prior', 'pneumonia',
    'Heart', 'is enlarged', 'unlikely', 'a', 'consolidation', 'mediastinum', 'fracture', 'healed', 'old', 'edema', 'Kerley B lines', 'COPD',
    'emphysema', 'granuloma', 'calcified', '\r\n', ':', 'nodules', 'pacemaker', 'pleural effusion', 'malignant', 'status post', 'lobectomy'];
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  return Array.from({ length: n }, () => {
    let t = '';
    for (let j = 1 + Math.floor(random() * 25); j > 0; j--) t += pieces[Math.floor(random() * pieces.length)] + (random() < 0.5 ? ' ' : '');
    return t;
  });
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
  for (const t of texts) label(t, { task, sections });
  const cpu = process.cpuUsage(cpu0);
  return { seconds: (performance.now() - t0) / 1000, cpu: (cpu.user + cpu.system) / 1e6 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const oldLabel = await engineOf(values.old);
const newLabel = await engineOf(values.new!);
const baseLabel = values.base ? await engineOf(values.base) : undefined;
const texts = values.fuzz ? fuzzTexts(Number(values.fuzz)) : values.generated ? generateReports(Number(values.generated), 1) : readTexts(values.input!);
const corpus = values.fuzz
  ? `${texts.length} random texts`
  : values.generated
    ? `${texts.length} generated reports (seed 1)`
    : `${texts.length} reports from ${values.input}`;
const sections = values.sections as LabelOptions['sections'];
const tasks = values.tasks!.split(',') as Task[];
const rounds = Number(values.rounds);
let differing = 0;
console.log(`${corpus}; old = ${values.old}, new = ${values.new}${values.base ? `, base = ${values.base}` : ''}\n`);
for (const task of tasks) {
  const classes = new Map<string, number[]>();
  texts.forEach((text, i) => {
    for (const d of differences(task, oldLabel(text, { task, sections }), newLabel(text, { task, sections }))) {
      const list = classes.get(d) ?? [];
      list.push(i);
      classes.set(d, list);
    }
  });
  // --rounds 0: outputs only.
  if (rounds === 0) console.log(`task ${task}: outputs compared, not timed`);
  else {
    // Warm every engine up, then rotate which goes first, so none always runs on a cooler or busier moment.
    const engines = baseLabel ? [oldLabel, newLabel, baseLabel] : [oldLabel, newLabel];
    for (const l of engines) time(l, texts.slice(0, 500), task);
    const rates: number[][] = engines.map(() => []);
    for (let r = 0; r < rounds; r++) {
      for (let j = 0; j < engines.length; j++) {
        const e = (r + j) % engines.length;
        rates[e].push(texts.length / time(engines[e], texts, task).cpu);
      }
    }
    const [oldRates, newRates, baseRates] = rates;
    const ratios = oldRates.map((o, i) => newRates[i] / o);
    console.log(
      `task ${task}: old ${Math.round(median(oldRates))} / new ${Math.round(median(newRates))} reports per CPU-second ` +
        `(median of ${rounds}); new/old ${median(ratios).toFixed(2)}x (rounds: ${ratios.map((x) => x.toFixed(2)).join(', ')})`,
    );
    if (baseRates) {
      const vsBase = baseRates.map((b, i) => newRates[i] / b);
      const oldVsBase = baseRates.map((b, i) => oldRates[i] / b);
      console.log(
        `  base ${Math.round(median(baseRates))}; new/base ${median(vsBase).toFixed(2)}x (rounds: ${vsBase.map((x) => x.toFixed(2)).join(', ')}); ` +
          `old/base ${median(oldVsBase).toFixed(2)}x`,
      );
    }
  }
  if (!classes.size) console.log('  output identical on every report');
  for (const [d, rows] of [...classes].sort((a, b) => b[1].length - a[1].length)) {
    differing++;
    console.log(`  ${rows.length} report(s): ${d}  (rows ${rows.slice(0, Number(values.examples)).join(', ')})`);
  }
  console.log('');
}
process.exit(differing ? 1 : 0);
