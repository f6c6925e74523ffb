/**
 * The 13 findings RadReportX labels, their canonical names, and every encoding of their statuses: the words
 * (and the words people and models write for them), CheXpert's column codes, the letters stored rows keep, the
 * bytes of the results table, and the precedence that combines two statuses. Every module that names a finding
 * or encodes a status imports it from here.
 */

export const FINDINGS = [
  'Atelectasis',
  'Cardiomegaly',
  'Consolidation',
  'Edema',
  'Enlarged Cardiomediastinum',
  'Fracture',
  'Lung Lesion',
  'Lung Opacity',
  'Pleural Effusion',
  'Pleural Other',
  'Pneumonia',
  'Pneumothorax',
  'Support Devices',
] as const;

export type Finding = (typeof FINDINGS)[number];

/** Written when no finding is present. Not a finding itself. */
export const NORMAL = 'Normal';

/** Per-finding status shared by every engine. `absent` means the report does not mention it. */
export type FindingStatus = 'positive' | 'negative' | 'uncertain' | 'absent';

export const FINDING_STATUSES: readonly FindingStatus[] = ['positive', 'negative', 'uncertain', 'absent'];

/** CheXpert column codes: 1 positive, 0 negative, -1 uncertain, blank when not mentioned. */
export const CHEXPERT_CODE: Record<FindingStatus, '1' | '0' | '-1' | ''> = {
  positive: '1',
  negative: '0',
  uncertain: '-1',
  absent: '',
};

/** CheXpert's precedence, as a rank: positive beats uncertain beats negative beats absent. */
export const STATUS_RANK: Record<FindingStatus, 0 | 1 | 2 | 3> = { absent: 0, negative: 1, uncertain: 2, positive: 3 };

/** One letter per status: a stored row keeps its 13 statuses as 13 letters, in FINDINGS order. */
export const STATUS_LETTER: Record<FindingStatus, 'p' | 'n' | 'u' | 'a'> = { positive: 'p', negative: 'n', uncertain: 'u', absent: 'a' };

const STATUS_OF_LETTER: Record<string, FindingStatus> = { p: 'positive', n: 'negative', u: 'uncertain', a: 'absent' };

/** The 13 letters of a stored row. */
export function findingLetters(findings: Record<Finding, FindingStatus>): string {
  return FINDINGS.map((f) => STATUS_LETTER[findings[f]]).join('');
}

/** The statuses of a stored row's letters; a missing or unknown letter reads as absent. */
export function findingsFromLetters(letters: string): Record<Finding, FindingStatus> {
  return Object.fromEntries(FINDINGS.map((f, i) => [f, STATUS_OF_LETTER[letters[i]] ?? 'absent'])) as Record<Finding, FindingStatus>;
}

/** The byte the results table keeps per cell: 0 absent, 1 positive, 2 negative, 3 uncertain. */
export const STATUS_BYTE: Record<FindingStatus, 0 | 1 | 2 | 3> = { absent: 0, positive: 1, negative: 2, uncertain: 3 };

/** The results-table byte of a stored letter (0, absent, for an unknown one). */
export function byteOfLetter(letter: string | undefined): number {
  const status = letter === undefined ? undefined : STATUS_OF_LETTER[letter];
  return status ? STATUS_BYTE[status] : 0;
}

// Words models and people write for a status in an answer ("present", "no", "-1", ...). "absent" in an answer
// is a denial, negative, not the "not mentioned" of FindingStatus.
const STATUS_WORDS: Record<string, Exclude<FindingStatus, 'absent'>> = {
  positive: 'positive', present: 'positive', yes: 'positive', true: 'positive', '1': 'positive',
  negative: 'negative', absent: 'negative', no: 'negative', false: 'negative', resolved: 'negative', '0': 'negative',
  uncertain: 'uncertain', possible: 'uncertain', maybe: 'uncertain', probable: 'uncertain', '-1': 'uncertain',
};

/** The status an answer's word stands for (any case, spaces trimmed), or undefined. */
export function statusFromWord(word: string): Exclude<FindingStatus, 'absent'> | undefined {
  return Object.hasOwn(STATUS_WORDS, word.trim().toLowerCase()) ? STATUS_WORDS[word.trim().toLowerCase()] : undefined;
}

export function statusFromChexpertCode(code: string): FindingStatus | undefined {
  switch (code.trim()) {
    case '1':
    case '1.0':
      return 'positive';
    case '0':
    case '0.0':
      return 'negative';
    case '-1':
    case '-1.0':
      return 'uncertain';
    case '':
      return 'absent';
    default:
      return undefined;
  }
}

export function isFinding(name: string): name is Finding {
  return (FINDINGS as readonly string[]).includes(name);
}

export function emptyFindings(): Record<Finding, FindingStatus> {
  return Object.fromEntries(FINDINGS.map((f) => [f, 'absent'])) as Record<Finding, FindingStatus>;
}

// Keys are squashed (lower case, letters only) so spacing, punctuation and case never matter.
const squash = (s: string) => s.toLowerCase().replace(/[^a-z]/g, '');

// Spellings humans and models write for each finding, beyond the canonical name itself.
const ALIASES: Record<Finding, string[]> = {
  Atelectasis: ['atelectases', 'ateletasis', 'atelectisis', 'atelactasis', 'atelectatic'],
  Cardiomegaly: ['cardiomegally', 'cardiomegaley', 'enlarged heart', 'cardiac enlargement'],
  Consolidation: ['consolidations', 'consolodation', 'consolidaton'],
  Edema: ['oedema', 'pulmonary edema', 'pulmonary oedema', 'edma'],
  'Enlarged Cardiomediastinum': ['enlarged cardiomediastinal silhouette', 'enlarged mediastinum', 'widened mediastinum', 'enlarged cardio mediastinum', 'enlarged cardiomediastinal'],
  Fracture: ['fractures', 'fx', 'fracure', 'fractue'],
  'Lung Lesion': ['lung lesions', 'lung nodule', 'lung mass', 'pulmonary nodule', 'lunglesion', 'lung leison'],
  'Lung Opacity': ['lung opacities', 'lung opacy', 'lung opacitiy', 'airspace opacity', 'pulmonary opacity', 'lung opacites'],
  'Pleural Effusion': ['pleural effusions', 'effusion', 'effusions', 'pleural efusion', 'plueral effusion'],
  'Pleural Other': ['pleural others', 'pleural thickening', 'other pleural', 'pleural other finding'],
  Pneumonia: ['pneumonias', 'pnuemonia', 'pneumona', 'pneumonie'],
  Pneumothorax: ['pneumothoraces', 'pneumothoraxes', 'ptx', 'pnemothorax', 'pneumothorx'],
  'Support Devices': ['support device', 'supportdevices', 'support devise', 'support devices present', 'devices', 'lines and tubes'],
};

const BY_KEY = new Map<string, Finding>();
for (const f of FINDINGS) {
  BY_KEY.set(squash(f), f);
  for (const a of ALIASES[f]) BY_KEY.set(squash(a), f);
}
// A plural "s" (or "es") on the last word is the most common variation; accept it for every name.
for (const [key, f] of [...BY_KEY]) {
  if (!BY_KEY.has(`${key}s`)) BY_KEY.set(`${key}s`, f);
}

/** Maps a messy finding name to its canonical form, or `undefined` when it is not one of the 13. */
export function normaliseFindingName(name: string): Finding | undefined {
  const key = squash(name.replace(/[,;.:]+\s*$/, ''));
  if (!key) return undefined;
  return BY_KEY.get(key);
}

/** True for the ways people write "no finding": `Normal`, `No Finding`, `none`, an empty list. */
export function isNormalName(name: string): boolean {
  const key = squash(name);
  return key === 'normal' || key === 'nofinding' || key === 'nofindings' || key === 'none' || key === '';
}
