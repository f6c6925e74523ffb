/**
 * DATA: how chest radiograph reports mention each of the 13 findings. Schema and pattern syntax: see schema.ts
 * (a space matches spaces, line breaks or hyphens; matches respect word boundaries).
 *
 * Mapping choices follow the IU X-ray reference (shared/data/iu-xray/README.md): pulmonary (vascular)
 * congestion is not Edema; a calcified granuloma is not a Lung Lesion (a calcified nodule is); surgical clips and
 * sutures are not Support Devices; scarring in the lung is Lung Opacity and pleural thickening or scarring is
 * Pleural Other; "borderline" cardiomegaly is Cardiomegaly. Findings are not inferred from each other (consolidation does not
 * imply Lung Opacity here): each label is what the report says.
 */
import type { Finding } from '../findings.ts';
import type { LexiconEntry } from './schema.ts';

// Up to N words between two parts of a phrase ("heart is mildly enlarged"), never across a sentence mark.
const W2 = "(?:[\\w'/-]+ ){0,2}";
const W3 = "(?:[\\w'/-]+ ){0,3}";

export const LEXICON_DATA: LexiconEntry[] = [
  {
    finding: 'Atelectasis',
    mentions: [
      'atelecta(?:sis|ses|tic)',
      'subsegmental collapse',
      '(?:lobar|lobe|segmental|lung) collapse',
      `(?:lobe|lung) (?:is |are )?${W2}collapsed`,
      'collapse of the (?:right|left)? ?(?:upper|middle|lower)? ?(?:lobe|lung)',
      // "partial collapse of the left upper and lower lobes", "collapse of a substantial portion of the left lung"
      `(?:partial |complete |total )?collapse of (?:the |a )?(?:[\\w-]+ ){0,5}(?:lobes|lung|lingula)`,
    ],
  },
  {
    finding: 'Cardiomegaly',
    mentions: [
      'cardiomegaly',
      'cardiomegalic',
      `(?:enlarged|enlargement of the) ${W2}(?:heart|cardiac (?:silhouette|shadow|size|contour)s?)`,
      `(?:heart|cardiac (?:silhouette|shadow|contour)s?|heart size|cardiac size) (?:is |are |was |remains |appears |appear )?${W3}(?:enlarged|increased|prominent|large)`,
      'cardiac enlargement',
      'heart enlargement',
      // "Mild prominence of the cardiac silhouette": the silhouette, not a single chamber or the right heart border.
      `prominen(?:ce|t) ${W2}(?:of the )?(?:cardiac (?:silhouette|shadow|size)|heart size)`,
      'cardiac (?:silhouette |shadow )?prominence',
      'borderline (?:heart|cardiac) size',
      `(?:heart|cardiac silhouette|heart size|cardiac size) (?:is |appears |remains )?${W2}borderline(?! normal)`,
      '(?:increase|increased|enlargement) in (?:the )?(?:heart|cardiac) size',
      'enlargement of the heart',
      'enlarged cardiomediastinal (?:silhouette|shadow|contour)s?',
      `cardiomediastinal (?:silhouette|shadow|contour)s? (?:is |are |appears |remains )?${W2}(?:enlarged|increased)`,
    ],
    note: '"Borderline cardiomegaly" and "heart borderline enlarged" count; "upper limits of normal" is normal size.',
  },
  {
    finding: 'Consolidation',
    mentions: ['consolidat(?:ion|ions|ed|ive)'],
  },
  {
    finding: 'Edema',
    mentions: [
      '(?:pulmonary|interstitial|alveolar|airspace|perihilar|lung|pulmonary interstitial|mild|moderate|severe|frank) edema',
      'edema',
      'edematous',
      // Kerley lines (septal lines) are interstitial edema on a radiograph.
      'kerley (?:[abc] )?lines?',
      '(?:interlobular )?septal lines',
    ],
    exclusions: [
      '(?:soft tissue|subcutaneous|chest wall|extremity|peripheral|leg|facial|mucosal|bowel wall|cerebral|scalp) edema',
    ],
    note: 'Pulmonary vascular congestion is a different finding and is not matched (the IU convention: shared/data/iu-xray/README.md). Kerley (septal) lines are interstitial edema.',
  },
  {
    finding: 'Enlarged Cardiomediastinum',
    mentions: [
      '(?:widened|wide|widening of the|enlarged|prominent|prominence of(?: the)?|enlargement of the|fullness of the) (?:superior |upper )?(?:mediastinum|mediastinal (?:silhouette|contour|contours|shadow|width))',
      `(?:mediastinum|mediastinal (?:silhouette|contour|contours|shadow|width)) (?:is |are |appears |remains )?${W2}(?:widened|wide|enlarged|prominent)`,
      '(?:superior |upper )?mediastinal (?:widening|prominence|enlargement|fullness)',
      'mediastinal (?:and hilar )?(?:lymph ?adenopathy|adenopathy)',
      '(?:right )?paratracheal (?:prominence|fullness|widening|soft tissue prominence)',
      'prominence of the (?:right )?paratracheal',
    ],
    note: 'The mediastinum itself. An enlarged cardiomediastinal silhouette is read as a large heart (Cardiomegaly), as the reference indexes it.',
  },
  {
    finding: 'Fracture',
    mentions: ['fractur(?:e|es|ed|ing)', 'fx'],
    exclusions: [
      `(?:catheter|screw|screws|lead|leads|wire|wires|hardware|plate|rod|device) ${W2}fractur(?:e|es|ed)`,
      `fractured ${W2}(?:catheter|screw|lead|wire|wires|hardware|plate|rod)`,
    ],
    note: 'Old, healed and healing fractures are fractures.',
  },
  {
    finding: 'Lung Lesion',
    mentions: [
      'nodules?',
      'micronodul(?:e|es|ar)',
      'mass(?:es)?',
      'masslike',
      'mass like',
      'tumou?rs?',
      'neoplasms?',
      'malignan(?:cy|cies|t)',
      'metasta(?:sis|ses|tic)',
      'carcinoma',
      'cavitary (?:lesion|lesions|mass|nodule|opacity)',
      'cavitation',
      'cavit(?:y|ies)',
      'pneumatoceles?',
      '(?:lung|pulmonary|parenchymal) (?:cyst|cysts|lesion|lesions)',
      'lesions? (?:in|of|within) the (?:right|left)? ?(?:lung|upper lobe|lower lobe|middle lobe|lingula|apex)',
      'lucent lesions? in the (?:lung|lobe)',
    ],
    exclusions: [
      'calcified (?:granuloma|granulomas)',
      '(?:nipple|breast|soft tissue|thyroid|mediastinal|neck|chest wall|axillary|paratracheal|bone|bony|osseous|skin|cutaneous|pleural|pleural based|pericardial|cardiac|adrenal|renal|liver|hepatic|abdominal) (?:mass|masses|nodule|nodules|lesion|lesions)',
      'nipple shadows?',
      'mass effect',
      'body mass',
      '(?:pleural|thoracic|chest|abdominal|peritoneal|oral|nasal|pericardial) cavit(?:y|ies)',
      'noncalcified nodul(?:e|es)',
      'non calcified nodul(?:e|es)',
    ],
    note: 'Calcified granulomas are not lesions, calcified nodules are (R91.1 codes them as nodules); "no noncalcified nodule" is a screening phrase. A "nodular opacity" is an opacity (Lung Opacity), as the reference indexes it.',
  },
  {
    finding: 'Lung Opacity',
    mentions: [
      'opacit(?:y|ies)',
      'opacification',
      'opacified',
      'densit(?:y|ies)',
      'infiltrat(?:e|es|ion|ive)',
      'air ?space (?:disease|process|opacity|opacities)',
      'interstitial (?:lung )?disease',
      'scarring',
      'scar',
      'scars',
      'fibrotic (?:scarring|changes)',
      'haziness',
      'hazy',
    ],
    exclusions: [
      'pleural (?:scarring|scar)',
      // The costophrenic angle is a pleural recess: scarring that blunts it is pleural, not of the lung.
      '(?:scarring|scar|scars) (?:(?:at|of|in|along) )?(?:the )?(?:[\\w-]+ )?costophrenic',
      'costophrenic (?:[\\w-]+ )?(?:scarring|scar|scars)',
      '(?:blunting|blunted) (?:[\\w,-]+ ){0,6}(?:scarring|scar|scars)',
      '(?:bone|bony|breast|soft tissue|nipple|calcified|metallic|osseous|sclerotic) (?:density|densities|opacity|opacities)',
      'calcified (?:granuloma|granulomas|nodule|nodules)',
      'density of the (?:bones|spine)',
      '(?:radiopaque|radio opaque|fat|fatty|fluid containing) (?:density|densities|opacity|opacities)',
      // An opacity placed outside the lung ("density overlying the anterior 4th rib", "substernal density",
      // "paratracheal opacity" is mediastinal) or explained by something that is not lung disease ("... represents
      // a hiatal hernia / nipple shadows / soft tissue / artifact") is not a lung opacity. A granuloma is in the
      // lung, so "nodular opacity consistent with a granuloma" stays one.
      `(?:substernal|retrosternal|paratracheal|mediastinal|cardiophrenic|breast) (?:[\\w-]+ )?(?:density|densities|opacity|opacities)`,
      `(?:density|densities|opacity|opacities|opacification) (?:[\\w'/-]+ ){0,5}(?:overlying|overlies|projecting over|projected over|projects over|over|in|within) (?:the )?(?:[\\w-]+ ){0,4}(?:ribs?|clavicles?|breasts?|breast shadows?|soft tissues?|spine|piriform sinus(?:es)?|subcutaneous)`,
      `(?:density|densities|opacity|opacities|opacification) (?:[\\w'/,-]+ ){0,8}(?:represents?|representing|reflects?|reflecting|consistent with|compatible with|related to|due to|secondary to|suggestive of|suggesting|from|is|are) (?:[\\w'/-]+ ){0,3}(?:hiatal hernia|hiatus hernia|nipples?|nipple shadows?|soft tissues?|artifacts?|(?:healing )?(?:rib )?fractures?|fat|(?:tortuous )?vascula\\w*|aorta|piercings?|skin folds?|(?:coronary )?stents?|foreign bod(?:y|ies)|projectile|fragments?|superimposed|overlapping|pectus|(?:left )?atrial enlargement|lymph nodes?)`,
    ],
    note: 'Scarring in the lung counts; pleural scarring is Pleural Other. An opacity the report places outside the lung or explains by something that is not lung disease is not one.',
  },
  {
    finding: 'Pleural Effusion',
    mentions: [
      'effusions?',
      'pleural fluid',
      'fluid in the (?:pleural space|(?:right |left )?(?:major |minor )?fissure)',
      'hydrothorax',
      'hemothorax',
      'hydropneumothorax',
      'hemopneumothorax',
    ],
    exclusions: ['pericardial effusions?', '(?:joint|knee|shoulder|elbow) effusions?'],
  },
  {
    finding: 'Pleural Other',
    mentions: [
      `pleural ${W2}(?:thickening|scarring|scar|scars|fibrosis)`,
      `(?:thickening|scarring) (?:of|in|along) the ${W2}pleura`,
      `(?:apical|biapical) (?:[\\w/-]+ )?(?:capping|thickening)`,
      'fissural thickening',
      `thickening (?:of|in|along) the ${W2}fissures?`,
      `fissures? (?:is |are )?${W2}thickened`,
      'fibrothorax',
    ],
    note: 'Pleural (and fissural) thickening and pleural scarring, as the reference maps them. "Apical scarring" is scarring of the lung (Lung Opacity).',
  },
  {
    finding: 'Pneumonia',
    mentions: ['pneumonias?', 'pneumonitis', 'bronchopneumonia', 'infectious (?:process|infiltrate|infiltrates)', 'infection'],
    exclusions: ['urinary (?:tract )?infection', '(?:granulomatous|tuberculous|tuberculosis|tb|fungal|mycobacterial|histoplasmosis) infection'],
  },
  {
    finding: 'Pneumothorax',
    // "Pleural air (collection)" is the descriptive name of a pneumothorax.
    mentions: ['pneumothora(?:x|ces|xes)', 'ptx', 'hydropneumothorax', 'hemopneumothorax', 'pleural air(?: collections?)?'],
  },
  {
    finding: 'Support Devices',
    mentions: [
      '(?:endotracheal|tracheostomy|enteric|feeding|nasogastric|orogastric|chest|thoracostomy|ng|og|et|dobhoff|gastric|drainage|pleural) tubes?',
      'tubes?',
      '(?:central|venous|arterial|picc|midline|swan ganz|dialysis|subclavian|jugular|ij) (?:line|lines|catheter|catheters)',
      'picc',
      'catheters?',
      // De-identification often replaces the device word ("left chest XXXX, its tip in the SVC"); the tip's
      // position still says a line or tube is there.
      `tips? (?:[\\w'/-]+ ){0,5}(?:svc|superior vena cava|superior xxxx|cavoatrial|cavo atrial|caval atrial|right atrium|atrium|atrial|carina|ventricles?|brachiocephalic|innominate|stomach)`,
      'xxxx-a-xxxx',
      '(?:in|at|into|within) the (?:[\\w-]+ )?(?:svc|superior vena cava|cavoatrial junction|cavo atrial junction|caval atrial junction)',
      'port a cath(?:eter)?',
      'portacath(?:eter)?',
      'port a cath',
      '(?:power|chest|infusion|venous|mediport|subcutaneous) port',
      'mediport',
      'pacemakers?',
      'pacer',
      '(?:defibrillator|aicd|icd)',
      '(?:pacer|pacemaker|cardiac|transvenous|epicardial) (?:leads?|wires?|generator)',
      'leads? (?:in|terminat\\w*|overl\\w*|project\\w*|tips?)',
      '(?:monitor|monitoring|ekg|ecg|telemetry|external|overlying|cardiac|\\d|two|three|dual|single|biventricular) leads?',
      '(?:neuro|spinal cord |spinal |nerve |vagal |bone growth )?stimulators?',
      'generators?',
      'devices?',
      'occluders?',
      'prosthe(?:sis|ses|tic) (?:aortic |mitral |pulmonic |tricuspid |right |left )?(?:valve|shoulder|humeral|humerus|joint)',
      'implant(?:ed|able) (?:cardiac )?[\\w-]+',
      '(?:valve|shoulder|humeral|joint) prosthe(?:sis|ses)',
      'bone anchors?',
      'internal fixation',
      '(?:ivc|vena cava) (?:filter|xxxx)',
      'tips(?: shunt)?',
      'tracheostomy',
      'stents?',
      'drains?',
      'loop recorder',
      'cardiac (?:device|monitor)',
      '(?:implanted|medical|cardiac|implantable) devices?',
      '(?:valve replacement|prosthetic valve|mechanical valve|annuloplasty ring)',
      'intra aortic balloon pump',
      'iabp',
      'vp shunt',
      'ventriculoperitoneal shunt',
      'shunt catheter',
    ],
    exclusions: ['(?:surgical )?clips?', 'sutures?', 'suture material', 'staples?', 'eustachian tube', 'breast (?:prosthes[ie]s|implants?)'],
    note: 'Surgical clips, sutures and sternotomy wires are not support devices in the reference mapping.',
  },
];

/**
 * Head words for typo matching (typos.ts): one word each, seven letters or more, the finding's own name as reports
 * spell it. A word of the report within one edit of one of these ("cardiomegally", "atelectsis", "efusion",
 * "pnuemothorax") is a mention. Only these: never the many phrase patterns above, and never trigger words.
 */
export const TYPO_HEAD_WORDS: ReadonlyArray<readonly [Finding, readonly string[]]> = [
  ['Atelectasis', ['atelectasis', 'atelectatic']],
  ['Cardiomegaly', ['cardiomegaly']],
  ['Consolidation', ['consolidation']],
  ['Edema', []],
  ['Enlarged Cardiomediastinum', ['mediastinum']],
  ['Fracture', ['fracture', 'fractures']],
  ['Lung Lesion', ['nodules', 'metastasis', 'metastases', 'carcinoma']],
  ['Lung Opacity', ['opacity', 'opacities', 'infiltrate', 'infiltrates', 'opacification']],
  ['Pleural Effusion', ['effusion', 'effusions']],
  ['Pleural Other', []],
  ['Pneumonia', ['pneumonia', 'pneumonitis']],
  ['Pneumothorax', ['pneumothorax']],
  ['Support Devices', ['pacemaker', 'catheter']],
];

/**
 * Findings that are, on a radiograph, an opacity of the lung: a differential whose alternatives are all of these
 * ("atelectasis or scarring", "atelectasis versus infiltrate") is uncertain about WHICH opacity, not about the
 * opacity itself, so its Lung Opacity mention is positive (docs/conventions.md). Lung Lesion is not one: "nodule
 * versus nipple shadow" doubts that anything is in the lung at all.
 */
export const OPACITY_FINDINGS: readonly Finding[] = ['Atelectasis', 'Consolidation', 'Edema', 'Lung Opacity', 'Pneumonia'];
