/**
 * A deterministic generator of realistic-looking chest X-ray reports (~600 characters: indication, comparison,
 * findings, impression) for benchmarks and load tests. Same seed, same reports, on Node and in the browser.
 * The text is invented from short phrase pools; it is not drawn from any real report and carries no labels.
 */

/** mulberry32: a tiny, fast, seedable PRNG; quality is ample for picking phrases. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)];

const SIDES = ['right', 'left', 'bilateral'];
const ZONES = ['lower lobe', 'upper lobe', 'lung base', 'perihilar region', 'midlung zone', 'lingula', 'apex'];
const EXAMS = ['CHEST, PA AND LATERAL', 'CHEST, 2 VIEWS', 'PORTABLE AP CHEST', 'CHEST, SINGLE FRONTAL VIEW'];
const INDICATIONS = [
  'Shortness of breath.', 'Cough and fever for 3 days.', 'Chest pain.', 'Preoperative evaluation.',
  'Follow-up of known effusion.', 'Line placement.', 'Fall, rule out rib fracture.', 'Hypoxia.',
  'History of CHF, worsening dyspnea.', 'Evaluate for pneumonia.',
];
const COMPARISONS = ['None.', 'Prior study from 2 weeks ago.', 'Chest radiograph of last month.', 'CT chest from last year.'];

const NORMAL_SENTENCES = [
  'The heart size is within normal limits.',
  'The cardiomediastinal silhouette is unremarkable.',
  'The lungs are clear bilaterally.',
  'No focal airspace consolidation is seen.',
  'There is no pleural effusion or pneumothorax.',
  'No pneumothorax.',
  'Pulmonary vascularity is normal.',
  'The visualized osseous structures are intact.',
  'No acute bony abnormality.',
  'The trachea is midline.',
  'Degenerative changes of the thoracic spine are noted.',
  'There is no evidence of pulmonary edema.',
  'The hila are normal in size and contour.',
  'Both hemidiaphragms are well defined.',
];

// Each abnormal pool yields a findings sentence and an impression phrase; {side}/{zone} are filled in.
// `excludes` drops the normal statements an abnormal finding would contradict.
const ABNORMAL: readonly { findings: readonly string[]; impression: readonly string[]; excludes: RegExp }[] = [
  { findings: ['The heart is enlarged.', 'Moderate cardiomegaly is present.', 'Cardiac silhouette is mildly enlarged.'], impression: ['Cardiomegaly.', 'Stable cardiomegaly.'], excludes: /heart size|cardiomediastinal/ },
  { findings: ['Small {side} pleural effusion with blunting of the costophrenic angle.', 'There is a moderate {side} pleural effusion.'], impression: ['{Side} pleural effusion.', 'Small effusion, slightly increased.'], excludes: /effusion|hemidiaphragms/ },
  { findings: ['Linear opacity in the {side} {zone} likely represents subsegmental atelectasis.', 'Bibasilar atelectasis.'], impression: ['Mild atelectasis.', 'Subsegmental atelectasis.'], excludes: /lungs are clear/ },
  { findings: ['There is patchy airspace opacity in the {side} {zone}.', 'Hazy opacity projects over the {side} {zone}.'], impression: ['{Side} {zone} opacity, possibly pneumonia in the appropriate clinical setting.', 'Airspace disease, which may represent infection.'], excludes: /lungs are clear|airspace/ },
  { findings: ['Dense consolidation in the {side} {zone} with air bronchograms.', 'Focal consolidation in the {side} {zone}.'], impression: ['{Side} {zone} consolidation concerning for pneumonia.', 'Findings consistent with lobar pneumonia.'], excludes: /lungs are clear|consolidation/ },
  { findings: ['Interstitial prominence and vascular congestion suggest mild pulmonary edema.', 'Kerley B lines and cephalization are present.'], impression: ['Mild interstitial edema.', 'Findings compatible with fluid overload.'], excludes: /edema|vascularity|lungs are clear/ },
  { findings: ['There is a small {side} apical pneumothorax.', 'A thin pleural line is seen at the {side} apex, consistent with a small pneumothorax.'], impression: ['Small {side} pneumothorax.', 'Pneumothorax, new since the prior study.'], excludes: /pneumothorax/ },
  { findings: ['Endotracheal tube tip is 4 cm above the carina.', 'Right internal jugular central venous catheter terminates in the SVC.', 'Left chest wall pacemaker with leads in the right atrium and ventricle.', 'Enteric tube courses below the diaphragm.'], impression: ['Support devices in standard position.', 'Lines and tubes as described.'], excludes: /^$/ },
  { findings: ['Healed fractures of the {side} lateral ribs.', 'Acute nondisplaced fracture of the {side} posterior seventh rib.'], impression: ['Rib fracture as described.', 'Old healed rib fractures.'], excludes: /osseous|bony/ },
  { findings: ['A 9 mm nodule projects over the {side} {zone}.', 'There is a 2.5 cm mass in the {side} {zone}.'], impression: ['Pulmonary nodule; CT recommended.', 'Lung mass, further evaluation with CT advised.'], excludes: /lungs are clear/ },
  { findings: ['Apical pleural thickening on the {side}.', 'Calcified pleural plaques are present.'], impression: ['Pleural thickening.', 'Chronic pleural changes.'], excludes: /^$/ },
  { findings: ['The mediastinum appears widened.', 'The cardiomediastinal silhouette is enlarged.'], impression: ['Widened mediastinum; consider CT.', 'Enlarged cardiomediastinal silhouette.'], excludes: /cardiomediastinal|hila|trachea/ },
];

const HEDGES = ['Cannot exclude early pneumonia.', 'Possible small effusion on the {side}.', 'Questionable minimal atelectasis at the bases.', 'No definite consolidation.'];
const NORMAL_IMPRESSIONS = ['No acute cardiopulmonary process.', 'No acute cardiopulmonary abnormality.', 'Normal chest radiograph.', 'No active disease.'];

const TARGET_LENGTH = 600;

function fill(rng: Rng, sentence: string): string {
  const side = pick(rng, SIDES);
  return sentence
    .replace(/\{side\}/g, side)
    .replace(/\{Side\}/g, side[0].toUpperCase() + side.slice(1))
    .replace(/\{zone\}/g, pick(rng, ZONES));
}

/** Builds one report from a random source; about 40% are normal, as in a typical chest X-ray workload. */
export function generateReport(rng: Rng): string {
  const abnormal = rng() < 0.6 ? 1 + Math.floor(rng() * 3) : 0;
  const chosen = new Set<number>();
  while (chosen.size < abnormal) chosen.add(Math.floor(rng() * ABNORMAL.length));
  const findings = [...chosen].map((i) => fill(rng, pick(rng, ABNORMAL[i].findings)));
  const impression = [...chosen].map((i) => fill(rng, pick(rng, ABNORMAL[i].impression)));
  if (rng() < 0.25) findings.push(fill(rng, pick(rng, HEDGES)));
  if (impression.length === 0) impression.push(pick(rng, NORMAL_IMPRESSIONS));

  const head = `EXAMINATION: ${pick(rng, EXAMS)}\nINDICATION: ${pick(rng, INDICATIONS)}\nCOMPARISON: ${pick(rng, COMPARISONS)}\n`;
  const impressionText = `\nIMPRESSION: ${impression.join(' ')}`;
  // Normal statements pad the findings to a realistic length, in a random order without repeats.
  const pool = NORMAL_SENTENCES.filter((n) => ![...chosen].some((i) => ABNORMAL[i].excludes.test(n)));
  let length = head.length + impressionText.length + 10 + findings.join(' ').length;
  while (length < TARGET_LENGTH && pool.length) {
    const sentence = pool.splice(Math.floor(rng() * pool.length), 1)[0];
    findings.splice(Math.floor(rng() * (findings.length + 1)), 0, sentence);
    length += sentence.length + 1;
  }
  return `${head}FINDINGS: ${findings.join(' ')}${impressionText}`;
}

/** An endless stream of reports for one seed, for callers that write them out without holding them. */
export function* reportStream(seed: number): Generator<string, never> {
  const rng = seededRandom(seed);
  for (;;) yield generateReport(rng);
}

/** `n` reports for `seed`: the same reports on every machine and run. */
export function generateReports(n: number, seed = 1): string[] {
  const rng = seededRandom(seed);
  return Array.from({ length: n }, () => generateReport(rng));
}
