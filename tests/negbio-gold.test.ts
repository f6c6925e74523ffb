/**
 * A second reference on the IU X-ray reports: NegBio's human gold standard (openi_gld_std14.csv, 14 ChestX-ray14
 * labels per study "CXR<uid>"), mapped to our findings, next to the MeSH-derived reference of truth.mjs. Both read
 * in place from ../shared; the test skips with a message naming the file when it is absent.
 *
 * Mapping (written down here and in docs/conventions.md):
 *   Atelectasis, Cardiomegaly, Consolidation, Edema, Pneumonia, Pneumothorax → the same finding
 *   Effusion → Pleural Effusion; Mass, Nodule → Lung Lesion; Pleural_Thickening → Pleural Other
 *   Infiltration → Lung Opacity (approximate: NegBio's infiltration is narrower than our opacity)
 *   Fibrosis → Lung Opacity: on a radiograph fibrosis is reticular opacity and scarring, and scarring in the lung is
 *              Lung Opacity in truth.mjs and in our lexicon (the figure without it is printed too)
 *   Emphysema, Hernia → no counterpart (not scored)
 * Scored over the 10 findings that have a counterpart; Enlarged Cardiomediastinum, Fracture and Support Devices
 * have none in ChestX-ray14 and are left out of both figures printed side by side.
 *
 *   npx vitest run tests/negbio-gold.test.ts      # prints the table
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import type { DifferentialMode } from '../src/lib/engine.ts';
import { isFinding, type Finding } from '../src/lib/findings.ts';
import { presentFindings } from '../src/lib/metrics.ts';
import { labelFindings } from '../src/lib/rules/index.ts';

const DIR = fileURLToPath(new URL('../../shared/data/iu-xray/', import.meta.url));
const GOLD = `${DIR}openi_gld_std14.csv`;
const REPORTS = `${DIR}indiana_reports.csv`;

export const NEGBIO_TO_OURS: Record<string, Finding | null> = {
  Atelectasis: 'Atelectasis',
  Cardiomegaly: 'Cardiomegaly',
  Effusion: 'Pleural Effusion',
  Infiltration: 'Lung Opacity',
  Mass: 'Lung Lesion',
  Nodule: 'Lung Lesion',
  Pneumonia: 'Pneumonia',
  Pneumothorax: 'Pneumothorax',
  Consolidation: 'Consolidation',
  Edema: 'Edema',
  Emphysema: null,
  Fibrosis: 'Lung Opacity',
  Pleural_Thickening: 'Pleural Other',
  Hernia: null,
};
const SCORED = [...new Set(Object.values(NEGBIO_TO_OURS).filter((f): f is Finding => f !== null))];

type Row = Record<string, string>;
const text = (r: Row) => [r.findings?.trim() && `FINDINGS: ${r.findings.trim()}`, r.impression?.trim() && `IMPRESSION: ${r.impression.trim()}`].filter(Boolean).join('\n\n');

function micro(pairs: ReadonlyArray<[Set<Finding>, Set<Finding>]>, findings: readonly Finding[]) {
  let tp = 0, fp = 0, fn = 0;
  const per = new Map(findings.map((f) => [f, { tp: 0, fp: 0, fn: 0 }]));
  for (const [truth, pred] of pairs) {
    for (const f of findings) {
      const c = per.get(f)!;
      if (truth.has(f) && pred.has(f)) (tp++, c.tp++);
      else if (pred.has(f)) (fp++, c.fp++);
      else if (truth.has(f)) (fn++, c.fn++);
    }
  }
  const f1 = (t: number, p: number, n: number) => (2 * t) / (2 * t + p + n || 1);
  return { p: tp / (tp + fp), r: tp / (tp + fn), f1: f1(tp, fp, fn), per: [...per].map(([f, c]) => ({ f, ...c, f1: f1(c.tp, c.fp, c.fn) })) };
}

const present = existsSync(GOLD) && existsSync(REPORTS);
if (!present) console.warn(`NegBio gold standard SKIPPED: ${GOLD} (or ${REPORTS}) is missing; needs ../shared/data/iu-xray beside the checkout.`);

describe.skipIf(!present)('rule engine against NegBio gold standard (second reference)', () => {
  it('prints micro-F1 against NegBio labels next to the MeSH figure', () => {
    const gold = Papa.parse<Row>(readFileSync(GOLD, 'utf8'), { header: true, skipEmptyLines: true }).data;
    const reports = new Map(Papa.parse<Row>(readFileSync(REPORTS, 'utf8'), { header: true, skipEmptyLines: true }).data.map((r) => [r.uid, r]));
    const mesh = new Map(
      Papa.parse<Row>(execFileSync(process.execPath, [`${DIR}truth.mjs`, REPORTS], { encoding: 'utf8', maxBuffer: 64 << 20 }), { header: true, skipEmptyLines: true }).data.map(
        (r) => [r.uid, new Set(r.findings.split('; ').filter(isFinding))],
      ),
    );
    expect(gold.length).toBe(3851);
    const lines: string[] = [];
    const figures: Record<string, number> = {};
    for (const differentials of ['uncertain', 'positive'] as DifferentialMode[]) {
      const vsGold: Array<[Set<Finding>, Set<Finding>]> = [];
      const vsGoldNoFibrosis: Array<[Set<Finding>, Set<Finding>]> = [];
      const vsMesh: Array<[Set<Finding>, Set<Finding>]> = [];
      for (const g of gold) {
        const uid = g.filename.replace(/^CXR/, '');
        const report = reports.get(uid);
        expect(report, `gold study ${g.filename} has a report`).toBeDefined();
        const pred = presentFindings(labelFindings(text(report!), { differentials }).findings);
        const truth = new Set<Finding>();
        const truthNoFib = new Set<Finding>();
        for (const [label, ours] of Object.entries(NEGBIO_TO_OURS)) {
          if (ours && g[label] === '1') {
            truth.add(ours);
            if (label !== 'Fibrosis') truthNoFib.add(ours);
          }
        }
        vsGold.push([truth, pred]);
        vsGoldNoFibrosis.push([truthNoFib, pred]);
        vsMesh.push([mesh.get(uid)!, pred]);
      }
      const a = micro(vsGold, SCORED), b = micro(vsMesh, SCORED), c = micro(vsGoldNoFibrosis, SCORED);
      // Infiltration is much narrower than Lung Opacity, so the figure without that pair is printed as well.
      const NO_OPACITY = SCORED.filter((f) => f !== 'Lung Opacity');
      const d = micro(vsGold, NO_OPACITY), e = micro(vsMesh, NO_OPACITY);
      figures[`gold-${differentials}`] = a.f1;
      lines.push(
        `differentials=${differentials}: NegBio gold micro P ${a.p.toFixed(3)} R ${a.r.toFixed(3)} F1 ${a.f1.toFixed(3)} ` +
          `(Fibrosis unmapped: F1 ${c.f1.toFixed(3)}); MeSH (truth.mjs) on the same 10 findings: F1 ${b.f1.toFixed(3)}; ` +
          `without Lung Opacity (9 findings): NegBio F1 ${d.f1.toFixed(3)}, MeSH F1 ${e.f1.toFixed(3)}`,
      );
      if (differentials === 'uncertain') {
        lines.push('| finding | NegBio tp | fp | fn | F1 |', '|---|---|---|---|---|', ...a.per.map((x) => `| ${x.f} | ${x.tp} | ${x.fp} | ${x.fn} | ${x.f1.toFixed(3)} |`));
      }
    }
    console.log(`Second reference, NegBio gold standard (${gold.length} studies, 10 mapped findings):\n${lines.join('\n')}`);
    // A loose floor: a broken mapping or join would fall far below it.
    expect(figures['gold-uncertain']).toBeGreaterThan(0.6);
  });
});
