/**
 * DATA: coding rules a coder applies after reading the phrases (Task 1), checked by `validateCoding` against the
 * code table. Code patterns are regular expressions on the code with its dot (`^C34\.`).
 *
 * - HISTORY_RULES: a condition the report places in the past ("history of", "status post", "prior") is not coded
 *   as active. It gets the personal-history code (Z85–Z87) or, when what is seen now is its residue ("old healed
 *   tuberculosis", "findings consistent with previous tuberculosis"), the sequela code (B90). Conditions with
 *   neither are dropped. Status codes (devices, operations: Z90, Z95, Z98) keep their code (phrases.ts `status`).
 * - CHRONIC_CODES: conditions that do not resolve. "History of COPD" means the patient has COPD, so the active
 *   code stays (there is no "history of COPD" code; ICD-10-CM history codes are for conditions that no longer exist).
 * - EXCLUDES1: pairs the FY2023 Tabular List marks Excludes1 ("NOT CODED HERE"): never both in one report. The
 *   `keep` side stays and takes the other's phrases as support; `keep` may name a third code the notes point to.
 *   Where each pair comes from: docs/icd10.md, "Excludes1 pairs".
 * - SPECIFICITY: an unspecified code and a more specific code of the same condition in one report ("emphysema ...
 *   centrilobular emphysema") are one diagnosis: the specific code stays, with both phrases.
 */

export interface HistoryRule {
  /** Active codes the rule covers. */
  codes: string;
  /** Personal-history code ("history of X", "status post X", "prior X"). */
  history?: string;
  /** Sequela code, when the report describes the residue of the old condition ("old", "healed", "previous"). */
  sequela?: string;
  note?: string;
}

export const HISTORY_RULES: HistoryRule[] = [
  { codes: '^C34\\.', history: 'Z85.118', note: 'Lung cancer treated or excised ("status post lobectomy for lung cancer"): Z85.1-.' },
  { codes: '^A15\\.', history: 'Z86.11', sequela: 'B90.9', note: 'Old tuberculosis: its residue on the film is B90.9; a history alone is Z86.11.' },
  { codes: '^J12\\.82$', history: 'Z86.16' },
  { codes: '^(?:J1[2-8]|J69\\.0|J95\\.851)', history: 'Z87.01', note: 'Z87.01 is personal history of pneumonia (recurrent), the only pneumonia history code.' },
  { codes: '^I26\\.', history: 'Z86.711' },
  { codes: '^(?:S22|S42)', history: 'Z87.81', note: 'A healed or old traumatic fracture is a history, not an acute injury with 7th character A.' },
  { codes: '^M80\\.', history: 'Z87.310' },
  { codes: '^(?:J93|J9[01]|J94|J98\\.1|J81|J8[056]|J98\\.2)', history: 'Z87.09', note: 'Other diseases of the respiratory system, resolved.' },
  { codes: '^(?:A31|B44)', history: 'Z86.19' },
];

export const CHRONIC_CODES =
  '^(?:J4[0-7]|J84|J6[0-4]|J70\\.1|D86|E84|I2[57]|I42|I50|I51\\.7|I70|I71|I77|M4[01]|M47|M81|M85|K44|Q)';

export interface Excludes1Pair {
  /** Code patterns of the two sides. */
  a: string;
  b: string;
  /** `a`, `b`, or the code the notes direct to (which must be in the table). */
  keep: string;
  /** The note in the FY2023 Tabular List this pair comes from. */
  source: string;
}

export const EXCLUDES1: Excludes1Pair[] = [
  {
    a: '^J43\\.',
    b: '^J44\\.',
    keep: 'a',
    source: 'J44 Excludes1: emphysema without chronic bronchitis (J43.-); J43 Excludes1: emphysema with chronic (obstructive) bronchitis (J44.-). Emphysema with COPD is coded to J43 (AHA Coding Clinic 4Q 2017).',
  },
  {
    a: '^J81\\.',
    b: '^I50\\.9$',
    keep: 'I50.1',
    source: 'J81 Excludes1: pulmonary edema with heart disease NOS or heart failure (I50.1); I50.1 includes "edema of lung with heart failure".',
  },
  {
    a: '^J81\\.',
    b: '^I50\\.',
    keep: 'b',
    source: 'J81 Excludes1: pulmonary edema with heart failure (I50.-): a specified heart failure code carries the edema.',
  },
  { a: '^J81\\.', b: '^J18\\.2$', keep: 'b', source: 'J81 Excludes1: hypostatic pneumonia (J18.2).' },
  { a: '^J90$', b: '^J91\\.0$', keep: 'b', source: 'J90 Excludes1: malignant pleural effusion (J91.0).' },
  { a: '^J90$', b: '^J94\\.0$', keep: 'b', source: 'J90 Excludes1: chylous (pleural) effusion (J94.0).' },
  { a: '^J93\\.', b: '^S27\\.0', keep: 'b', source: 'J93 Excludes1: traumatic pneumothorax (S27.0).' },
  { a: '^J93\\.', b: '^J95\\.811$', keep: 'b', source: 'J93 Excludes1: postprocedural pneumothorax (J95.811).' },
  { a: '^J94\\.2$', b: '^S27\\.1', keep: 'b', source: 'J94.2 Excludes1: traumatic hemothorax (S27.1).' },
  { a: '^J18\\.', b: '^J69\\.0$', keep: 'b', source: 'J18 Excludes1: aspiration pneumonia NOS (J69.0).' },
  { a: '^J84\\.1', b: '^J70\\.1$', keep: 'b', source: 'J84.1 Excludes1: pulmonary fibrosis (chronic) following radiation (J70.1).' },
  { a: '^J84\\.', b: '^(?:J6[0-9]|J70)', keep: 'b', source: 'J84 Excludes1: lung diseases due to external agents (J60-J70).' },
  { a: '^J44\\.', b: '^J47\\.', keep: 'b', source: 'J44 Excludes1 (FY2023): bronchiectasis (J47.-).' },
  { a: '^M81\\.', b: '^M80\\.', keep: 'b', source: 'M81 Excludes1: osteoporosis with current pathological fracture (M80.-).' },
];

export interface SpecificityRule {
  /** The unspecified code. */
  general: string;
  /** The specific codes of the same condition (pattern). */
  specific: string;
}

export const SPECIFICITY: SpecificityRule[] = [
  { general: 'J43.9', specific: '^J43\\.[0-8]' },
  { general: 'J18.9', specific: '^(?:J1[2-7]|J18\\.[0-8]|J69\\.0)' },
  { general: 'J93.9', specific: '^J93\\.[0-8]' },
  { general: 'I50.9', specific: '^I50\\.[1-8]' },
  { general: 'J84.10', specific: '^J84\\.1[1-8]' },
  { general: 'J84.9', specific: '^J84\\.[0-8]' },
  { general: 'C34.90', specific: '^C34\\.(?:[0-38]|9[12])' },
  { general: 'C78.00', specific: '^C78\\.0[12]' },
  { general: 'M41.9', specific: '^M41\\.[0-8]' },
  { general: 'M40.209', specific: '^M40\\.20[0-8]' },
  { general: 'M47.9', specific: '^M47\\.[0-8]' },
  { general: 'M47.819', specific: '^M47\\.81[0-8]' },
  { general: 'D86.9', specific: '^D86\\.[0-8]' },
  { general: 'A15.9', specific: '^A15\\.[0-8]' },
  { general: 'I71.9', specific: '^I71\\.[0-8]' },
  { general: 'S22.000A', specific: '^S22\\.0[1-8]' },
  { general: 'S22.009A', specific: '^S22\\.0[1-8]' },
  { general: 'S22.39XA', specific: '^S22\\.3[12]' },
  { general: 'S22.49XA', specific: '^S22\\.4[1-3]' },
  { general: 'R59.9', specific: '^R59\\.[01]' },
  { general: 'I26.99', specific: '^I26\\.(?:0|9[2-4])' },
  { general: 'J81.1', specific: '^J81\\.0' },
];
