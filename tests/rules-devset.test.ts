/**
 * Accuracy of the rule engine on the IU X-ray development set, read in place from ../shared (never copied).
 * Reference labels come from the data set's own truth.mjs (run as a child process, as its README says).
 * Text labeled = FINDINGS + IMPRESSION with their headers. Prints per-finding P/R/F1 and asserts a floor a little
 * under the measured micro-F1, so a rule change that costs accuracy fails here.
 *
 *   npx vitest run tests/rules-devset.test.ts                       # the table
 *   RULES_DEVSET_ERRORS="Lung Lesion" npx vitest run tests/rules-devset.test.ts   # also list that finding's errors
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { FINDINGS, isFinding, type Finding } from '../src/lib/findings.ts';
import { MetricsAccumulator, presentFindings } from '../src/lib/metrics.ts';
import { labelFindings } from '../src/lib/rules/index.ts';

const DATA_DIR = fileURLToPath(new URL('../../shared/data/iu-xray/', import.meta.url));
const REPORTS = `${DATA_DIR}indiana_reports.csv`;
const TRUTH = `${DATA_DIR}truth.mjs`;

// Measured 2026-12-01 (issue-11b) with the defaults (differentials uncertain): micro-F1 0.922 (P 0.937, R 0.907),
// macro-F1 0.894; with `differentials: 'positive'`, the IU indexers' own convention (they list both diagnoses of
// "atelectasis or scarring"), micro-F1 0.941. The floors sit at or a little under each (docs/rules.md,
// docs/conventions.md); issue 11 asks for 0.92 with the defaults.
const MICRO_F1_FLOOR = 0.92;
const MACRO_F1_FLOOR = 0.885;
const MICRO_F1_FLOOR_DIFFERENTIALS_POSITIVE = 0.935;

type Row = Record<string, string>;

function readReference(): Map<string, Set<Finding>> {
  const csv = execFileSync(process.execPath, [TRUTH, REPORTS], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const rows = Papa.parse<Row>(csv, { header: true, skipEmptyLines: true }).data;
  return new Map(rows.map((r) => [r.uid, new Set(r.findings.split('; ').filter(isFinding))]));
}

/** The report as a radiologist writes it: the two sections the reference was indexed from, with headers. */
function reportText(row: Row): string {
  const parts: string[] = [];
  if (row.findings?.trim()) parts.push(`FINDINGS: ${row.findings.trim()}`);
  if (row.impression?.trim()) parts.push(`IMPRESSION: ${row.impression.trim()}`);
  return parts.join('\n\n');
}

const pct = (x: number) => x.toFixed(3);

if (!existsSync(REPORTS) || !existsSync(TRUTH)) {
  console.warn(`rules dev-set accuracy SKIPPED: ${DATA_DIR} is missing (needs ../shared/data/iu-xray beside the checkout).`);
  describe('rules engine on the IU X-ray development set', () => {
    it.skip(`needs ${REPORTS} and ${TRUTH}`, () => {});
  });
} else {
  describe('rules engine on the IU X-ray development set', () => {
    it(`reaches micro-F1 >= ${MICRO_F1_FLOOR} over the 13 findings`, () => {
      const reference = readReference();
      const rows = Papa.parse<Row>(readFileSync(REPORTS, 'utf8'), { header: true, skipEmptyLines: true }).data;
      expect(rows.length).toBe(3851);
      const showErrors = process.env.RULES_DEVSET_ERRORS?.split(',').map((s) => s.trim());
      const acc = new MetricsAccumulator();
      const accUncertain = new MetricsAccumulator();
      const accDifferentials = new MetricsAccumulator();
      let blank = 0;
      for (const row of rows) {
        const truth = reference.get(row.uid);
        expect(truth, `uid ${row.uid} has a reference label`).toBeDefined();
        const text = reportText(row);
        const result = labelFindings(text);
        if (result.status === 'empty') blank++;
        const predicted = presentFindings(result.findings);
        acc.add(truth!, predicted);
        accUncertain.add(truth!, presentFindings(result.findings, 'positive'));
        accDifferentials.add(truth!, presentFindings(labelFindings(text, { differentials: 'positive' }).findings));
        for (const f of FINDINGS) {
          if (!showErrors?.includes(f) || truth!.has(f) === predicted.has(f)) continue;
          const ev = result.evidence.filter((e) => e.finding === f).map((e) => `${e.mention.text}:${e.status}${e.trigger ? `(${e.trigger.text})` : ''}`);
          console.log(`${predicted.has(f) ? 'FP' : 'FN'} ${f} uid=${row.uid} [${ev.join(' | ')}]\n  ${text.replace(/\s+/g, ' ')}`);
        }
      }
      const report = acc.report();
      const lines = [
        `| Finding | Precision | Recall | F1 | Support |`,
        `|---|---|---|---|---|`,
        ...report.findings.map((f) => `| ${f.finding} | ${pct(f.precision)} | ${pct(f.recall)} | ${pct(f.f1)} | ${f.support} |`),
        `| **micro** | ${pct(report.micro.precision)} | ${pct(report.micro.recall)} | **${pct(report.micro.f1)}** | ${report.micro.support} |`,
        `| **macro** | ${pct(report.macro.precision)} | ${pct(report.macro.recall)} | ${pct(report.macro.f1)} | |`,
        `Normal: P ${pct(report.normal.precision)} R ${pct(report.normal.recall)} F1 ${pct(report.normal.f1)} (support ${report.normal.support}); exact match ${pct(report.exactMatch)}; ${report.rows} reports, ${blank} with no text.`,
      ];
      const u = accUncertain.report();
      lines.push(`With uncertain counted as positive: micro P ${pct(u.micro.precision)} R ${pct(u.micro.recall)} F1 ${pct(u.micro.f1)}; macro F1 ${pct(u.macro.f1)}.`);
      const d = accDifferentials.report();
      lines.push(`With differentials counted as positive (--differentials positive): micro P ${pct(d.micro.precision)} R ${pct(d.micro.recall)} F1 ${pct(d.micro.f1)}; macro F1 ${pct(d.macro.f1)}.`);
      console.log(`IU X-ray dev set, rules engine (uncertain = not positive):\n${lines.join('\n')}`);
      expect(d.micro.f1).toBeGreaterThanOrEqual(MICRO_F1_FLOOR_DIFFERENTIALS_POSITIVE);
      // Rows with neither section have nothing to label and must come back empty, not Normal.
      expect(blank).toBeGreaterThan(0);
      expect(report.micro.f1).toBeGreaterThanOrEqual(MICRO_F1_FLOOR);
      expect(report.macro.f1).toBeGreaterThanOrEqual(MACRO_F1_FLOOR);
    });
  });
}
