/**
 * The clinical case table (issue 11): sentences written for this project (no IU report sentence is copied; the
 * test checks that), each with the status every named finding must get and, where a diagnosis code is involved,
 * the exact set of ICD-10-CM codes. Plain data in one shared format, so any engine's test can read it: the rule
 * engine's (tests/clinical-cases.test.ts) checks every row; an LLM engine's agreement run can score against it.
 *
 * - `findings`: finding → expected status (`absent` = not mentioned). Findings a row does not name are not checked.
 * - `icd10`: the exact codes the report must get (order free); `[]` = none. Omitted: codes are not checked.
 * - `options`: label options the row needs (only `differentials` so far).
 */
import type { Finding, FindingStatus } from '../../src/lib/findings.ts';

export type CaseCategory =
  | 'issue table'
  | 'post-position negation'
  | 'pre-position hedge'
  | 'post-position hedge'
  | 'query shorthand'
  | 'structured line'
  | 'differential'
  | 'list, not differential'
  | 'temporality'
  | 'partial resolution'
  | 'question answered'
  | 'typo'
  | 'vocabulary'
  | 'icd10 coding';

export interface ClinicalCase {
  category: CaseCategory;
  text: string;
  findings: Partial<Record<Finding, FindingStatus>>;
  icd10?: string[];
  options?: { differentials?: 'uncertain' | 'positive' };
}

const P = 'positive', N = 'negative', U = 'uncertain', A = 'absent';

const c = (category: CaseCategory, text: string, findings: ClinicalCase['findings'], icd10?: string[], options?: ClinicalCase['options']): ClinicalCase => ({
  category,
  text,
  findings,
  ...(icd10 ? { icd10 } : {}),
  ...(options ? { options } : {}),
});

export const CLINICAL_CASES: ClinicalCase[] = [
  // --- Every row of the tables -------------------------------------------------------------------
  c('issue table', 'Pneumonia is unlikely.', { Pneumonia: N }, []),
  c('issue table', 'Findings are unlikely to represent pneumonia.', { Pneumonia: N }, []),
  c('issue table', 'Pneumonia is not favored.', { Pneumonia: N }, []),
  c('issue table', 'Cardiomegaly is unlikely; likely AP technique.', { Cardiomegaly: N }, []),
  c('issue table', '?pneumonia right base', { Pneumonia: U }, []),
  c('issue table', 'Pneumothorax: none. Pleural effusion: none.', { Pneumothorax: N, 'Pleural Effusion': N }, []),
  // A differential still: atelectasis is not asserted and nothing is coded. Scarring is a Lung Opacity term, and
  // both alternatives are opacities, so the opacity itself is certain (docs/conventions.md).
  c('issue table', 'Left basilar atelectasis or scarring.', { Atelectasis: U, 'Lung Opacity': P }, []),
  c('issue table', 'Right lower lobe atelectasis or pneumonia.', { Atelectasis: U, Pneumonia: U }, []),
  c('issue table', 'Right lower lobe atelectasis versus pneumonia.', { Atelectasis: U, Pneumonia: U }, []),
  c('issue table', 'Right lower lobe opacity could also represent pneumonia.', { Pneumonia: U, 'Lung Opacity': P }, ['R91.8']),
  c('issue table', 'A small left effusion may well be present.', { 'Pleural Effusion': U }, []),
  c('issue table', 'Left upper lobe opacity worrisome for pneumonia.', { Pneumonia: U, 'Lung Opacity': P }, ['R91.8']),
  c('issue table', 'A tiny apical pneumothorax cannot be entirely excluded.', { Pneumothorax: U }, []),
  c('issue table', 'Prior right lower lobe pneumonia. Lungs now clear.', { Pneumonia: U }, ['Z87.01']),
  c('issue table', 'Findings consistent with previous active pulmonary tuberculosis.', {}, ['B90.9']),
  c('issue table', 'Status post left lobectomy for lung cancer. No recurrent mass.', { 'Lung Lesion': N }, ['Z85.118', 'Z90.2']),
  c('issue table', 'Nearly resolved left pneumothorax.', { Pneumothorax: P }, ['J93.9']),
  c('issue table', 'Evaluate for pneumothorax. No pneumothorax is identified.', { Pneumothorax: N }, []),
  c('issue table', 'Stable cardiomegally.', { Cardiomegaly: P }),
  c('issue table', 'Minimal bibasilar atelectsis.', { Atelectasis: P }),
  c('issue table', 'Small right efusion.', { 'Pleural Effusion': P }),
  c('issue table', 'No pnuemothorax.', { Pneumothorax: N }),
  c('issue table', 'There is mild prominence of the cardiac silhouette.', { Cardiomegaly: P }, ['I51.7']),
  c('issue table', 'Kerley B lines are present at both bases.', { Edema: P }),
  c('issue table', 'Calcified granuloma projecting over the left lower lobe.', { 'Lung Lesion': A, 'Lung Opacity': A }, ['J98.4']),
  c('issue table', 'Hyperinflated lungs consistent with emphysema, in keeping with the clinical history of COPD.', {}, ['J43.9']),
  c('issue table', 'Pulmonary edema in a patient with CHF.', { Edema: P }, ['I50.1']),
  c('issue table', 'Mild interstitial edema.', { Edema: P }, ['J81.1']),
  c('issue table', 'CHF with pulmonary edema.', { Edema: P }, ['I50.1']),
  c('issue table', 'Emphysema and COPD.', {}, ['J43.9']),
  c('issue table', 'Cardiomegaly. Cardiomegaly is again noted.', { Cardiomegaly: P }, ['I51.7']),
  c('issue table', 'Right pleural effusion. Left pleural effusion, smaller.', { 'Pleural Effusion': P }, ['J90']),
  c('issue table', 'No pleural effusion on the left. Small right pleural effusion.', { 'Pleural Effusion': P }, ['J90']),

  // --- Post-position negation ----------------------------------------------------------------------------
  c('post-position negation', 'Consolidation is unlikely.', { Consolidation: N }, []),
  c('post-position negation', 'A pleural effusion is felt to be unlikely.', { 'Pleural Effusion': N }, []),
  c('post-position negation', 'Edema is thought to be unlikely.', { Edema: N }, []),
  c('post-position negation', 'Pneumothorax is not seen.', { Pneumothorax: N }, []),
  c('post-position negation', 'Effusions are not identified.', { 'Pleural Effusion': N }, []),
  c('post-position negation', 'Pneumonia is not suspected.', { Pneumonia: N }, []),
  c('post-position negation', 'Pneumothorax has been excluded.', { Pneumothorax: N }, []),
  c('post-position negation', 'An acute fracture is not identified.', { Fracture: N }, []),
  c('post-position negation', 'Focal consolidation is absent.', { Consolidation: N }, []),
  c('post-position negation', 'Cardiomegaly is not favored given the AP projection.', { Cardiomegaly: N }, []),
  c('post-position negation', 'These changes are unlikely to represent edema.', { Edema: N }, []),
  c('post-position negation', 'The opacity is unlikely to be pneumonia.', { Pneumonia: N, 'Lung Opacity': P }),
  c('post-position negation', 'The heart is enlarged, an effusion is not seen.', { Cardiomegaly: P, 'Pleural Effusion': N }),

  // --- Pre-position hedges -------------------------------------------------------------------------------
  c('pre-position hedge', 'Possible small left pleural effusion.', { 'Pleural Effusion': U }, []),
  c('pre-position hedge', 'Probable right basilar atelectasis.', { Atelectasis: U }, []),
  c('pre-position hedge', 'Could represent early pneumonia.', { Pneumonia: U }, []),
  c('pre-position hedge', 'This may well reflect developing edema.', { Edema: U }, []),
  c('pre-position hedge', 'Findings may also represent atelectasis.', { Atelectasis: U }, []),
  c('pre-position hedge', 'Appearance suspicious for a right hilar mass.', { 'Lung Lesion': U }, []),
  c('pre-position hedge', 'Concerning for a left lower lobe pneumonia.', { Pneumonia: U }, []),
  c('pre-position hedge', 'Worrisome for an early consolidation.', { Consolidation: U }, []),
  c('pre-position hedge', 'Cannot entirely exclude a small pneumothorax.', { Pneumothorax: U }, []),
  c('pre-position hedge', 'We cannot rule out a subtle rib fracture.', { Fracture: U }, []),
  c('pre-position hedge', 'Raising the possibility of an infiltrate.', { 'Lung Opacity': U }, []),
  c('pre-position hedge', 'Perhaps mild interstitial edema.', { Edema: U }, []),
  c('pre-position hedge', 'Questionable tiny effusion on the right.', { 'Pleural Effusion': U }, []),
  c('pre-position hedge', 'Suggestive of a developing consolidation.', { Consolidation: U }, []),
  c('pre-position hedge', 'Likely atelectasis at the left base.', { Atelectasis: U }, []),
  c('pre-position hedge', 'Findings favor atelectasis at the lung bases.', { Atelectasis: U }, []),
  c('pre-position hedge', 'Differential considerations include pneumonia.', { Pneumonia: U }, []),

  // --- Post-position hedges ------------------------------------------------------------------------------
  c('post-position hedge', 'Small effusions cannot be excluded.', { 'Pleural Effusion': U }, []),
  c('post-position hedge', 'An early pneumonia cannot be completely ruled out.', { Pneumonia: U }, []),
  c('post-position hedge', 'A tiny pneumothorax is not excluded.', { Pneumothorax: U }, []),
  c('post-position hedge', 'Mild edema is possible.', { Edema: U }, []),
  c('post-position hedge', 'A rib fracture is suspected.', { Fracture: U }, []),
  c('post-position hedge', 'Pneumonia could be present.', { Pneumonia: U }, []),
  c('post-position hedge', 'Consolidation is also a consideration.', { Consolidation: U }, []),
  c('post-position hedge', 'Left basilar atelectasis is likely.', { Atelectasis: U }, []),
  c('post-position hedge', 'Pneumonia is in the differential for this.', { Pneumonia: U }, []),

  // --- "?X" query shorthand ------------------------------------------------------------------------------
  c('query shorthand', '?right lower lobe consolidation', { Consolidation: U }, []),
  c('query shorthand', 'Patchy opacity, ?infection.', { Pneumonia: U, 'Lung Opacity': P }, ['R91.8']),
  c('query shorthand', '?small left effusion', { 'Pleural Effusion': U }, []),
  c('query shorthand', 'Is there a pneumothorax?', { Pneumothorax: U }, []),
  c('query shorthand', 'Query interstitial edema.', { Edema: U }, []),

  // --- Structured "Finding: none" lines ------------------------------------------------------------------
  c('structured line', 'Pneumothorax: absent.', { Pneumothorax: N }, []),
  c('structured line', 'Consolidation: negative.', { Consolidation: N }, []),
  c('structured line', 'Pleural effusion: no.', { 'Pleural Effusion': N }, []),
  c('structured line', 'Effusion: none\nPneumothorax: none', { 'Pleural Effusion': N, Pneumothorax: N }, []),
  c('structured line', 'Edema: not seen.', { Edema: N }, []),
  c('structured line', 'Pleural effusion: small on the right.', { 'Pleural Effusion': P }, ['J90']),
  c('structured line', 'Lungs: no consolidation or effusion.', { Consolidation: N, 'Pleural Effusion': N }, []),
  c('structured line', 'Support devices: none.', { 'Support Devices': N }),
  c('structured line', 'Cardiomegaly: present.', { Cardiomegaly: P }, ['I51.7']),

  // --- Differentials -------------------------------------------------------------------------------------
  c('differential', 'Bibasilar scarring or atelectasis.', { Atelectasis: U, 'Lung Opacity': P }, []),
  c('differential', 'Atelectasis and/or pneumonia in the lingula.', { Atelectasis: U, Pneumonia: U }, []),
  c('differential', 'Left base consolidation vs. atelectasis.', { Consolidation: U, Atelectasis: U }, []),
  c('differential', 'Pleural effusion or pleural thickening at the right base.', { 'Pleural Effusion': U, 'Pleural Other': U }, []),
  c('differential', 'Edema or infection, bilateral.', { Edema: U, Pneumonia: U }, []),
  c('differential', 'Mild atelectasis or early infiltrate at the right base.', { Atelectasis: U, 'Lung Opacity': P }, []),
  c('differential', 'Nodule or mass in the right upper lobe.', { 'Lung Lesion': P }),
  c('differential', 'Streaky atelectasis or scarring at the left base.', { Atelectasis: P, 'Lung Opacity': P }, [], { differentials: 'positive' }),
  c('differential', 'Atelectasis versus pneumonia at the left base.', { Atelectasis: P, Pneumonia: P }, [], { differentials: 'positive' }),
  c('differential', 'Subsegmental atelectasis versus scarring; no effusion.', { Atelectasis: U, 'Lung Opacity': P, 'Pleural Effusion': N }, []),
  // All alternatives opacities: the opacity is certain, which one it is is not.
  c('differential', 'Right base airspace disease versus atelectasis.', { 'Lung Opacity': P, Atelectasis: U }),
  c('differential', 'Scarring and/or atelectasis in the lingula.', { 'Lung Opacity': P, Atelectasis: U }),
  c('differential', 'Early infiltrate or pneumonia at the left base, follow up advised.', { 'Lung Opacity': P, Pneumonia: U }),
  // Not all alternatives are opacities of the lung, or only one is named: the opacity stays uncertain.
  c('differential', 'Basilar airspace disease and/or small effusion on the left.', { 'Lung Opacity': U, 'Pleural Effusion': U }),
  c('differential', 'Infiltrate versus bronchovascular crowding at the right hilum.', { 'Lung Opacity': U }),
  c('differential', 'Nodule versus focal scarring in the right upper lobe.', { 'Lung Lesion': U, 'Lung Opacity': U }),
  // No Lung Opacity term named: findings are not inferred from one another.
  c('differential', 'Consolidation or edema in both lower lobes.', { Consolidation: U, Edema: U, 'Lung Opacity': A }),
  // The differential names the alternatives beside it; the opacity they explain is asserted.
  c('differential', 'Patchy left lower lobe opacity may represent atelectasis versus pneumonia.', { 'Lung Opacity': P, Atelectasis: U, Pneumonia: U }),
  c('differential', 'Bandlike density at the right base may be atelectasis or scarring.', { 'Lung Opacity': P, Atelectasis: U }),

  // --- Lists that are not differentials ------------------------------------------------------------------
  c('list, not differential', 'No effusion or pneumothorax on either side.', { 'Pleural Effusion': N, Pneumothorax: N }, []),
  c('list, not differential', 'There is no consolidation, effusion or pneumothorax.', { Consolidation: N, 'Pleural Effusion': N, Pneumothorax: N }, []),
  c('list, not differential', 'Without pneumothorax or pleural effusion.', { Pneumothorax: N, 'Pleural Effusion': N }, []),
  c('list, not differential', 'Effusion or pneumothorax is not seen.', { 'Pleural Effusion': N, Pneumothorax: N }, []),
  c('list, not differential', 'No change in the right effusion or the small pneumothorax.', { 'Pleural Effusion': P, Pneumothorax: P }, ['J90', 'J93.9']),
  c('list, not differential', 'Stable cardiomegaly, small effusions or mild atelectasis are not present.', { Cardiomegaly: P }),
  c('list, not differential', 'Left chest tube or drain in place.', { 'Support Devices': P }),

  // --- Temporality ---------------------------------------------------------------------------------------
  c('temporality', 'History of pneumothorax.', { Pneumothorax: U }, ['Z87.09']),
  c('temporality', 'History of pneumonia. Lungs are clear.', { Pneumonia: U }, ['Z87.01']),
  c('temporality', 'Known history of tuberculosis.', {}, ['Z86.11']),
  c('temporality', 'Old healed tuberculosis in the right apex.', {}, ['B90.9']),
  c('temporality', 'Previous pulmonary embolism.', {}, ['Z86.711']),
  c('temporality', 'Status post right upper lobectomy.', {}, ['Z90.2']),
  c('temporality', 'S/p median sternotomy and CABG.', {}, ['Z95.1', 'Z98.890']),
  c('temporality', 'Status post pacemaker placement, leads in good position.', { 'Support Devices': P }, ['Z95.0']),
  c('temporality', 'Status post chest tube removal.', { 'Support Devices': N }, []),
  c('temporality', 'Old healed left rib fractures.', { Fracture: P }, ['Z87.81']),
  c('temporality', 'Remote fracture of the right clavicle.', { Fracture: P }, ['Z87.81']),
  c('temporality', 'Prior left rib fractures.', { Fracture: P }, ['Z87.81']),
  c('temporality', 'Acute fracture of the left 7th rib.', { Fracture: P }, ['S22.32XA']),
  c('temporality', 'History of COPD with hyperinflated lungs.', {}, ['J44.9']),
  c('temporality', 'History of CHF. No pulmonary edema.', { Edema: N }, ['I50.9']),
  c('temporality', 'Prior right pleural effusion, now smaller.', { 'Pleural Effusion': P }, ['J90']),
  c('temporality', 'Previous left lower lobe pneumonia has resolved.', { Pneumonia: N }, []),
  c('temporality', 'Compared to prior, stable cardiomegaly.', { Cardiomegaly: P }, ['I51.7']),
  c('temporality', 'Unchanged from the prior study, small right effusion.', { 'Pleural Effusion': P }, ['J90']),
  c('temporality', 'History of lung cancer, new right upper lobe mass.', { 'Lung Lesion': P }, ['Z85.118', 'R91.8']),
  // "prior" dates the noun phrase it stands in, not a finding further on in a run-on clause.
  c('temporality', 'Previous left upper lobe and lingular pneumonia.', { Pneumonia: U }),
  c('temporality', 'Prior granulomatous disease and low lung volumes with bibasilar atelectasis.', { Atelectasis: P }),
  // A current-state word cancels a history only between the history and the finding.
  c('temporality', 'Stable right hilar opacity, compatible with a history of right upper lobe mass.', { 'Lung Opacity': P, 'Lung Lesion': U }),
  c('temporality', 'Status post right lobectomy, new small effusion.', { 'Pleural Effusion': P }),

  // --- Partial resolution --------------------------------------------------------------------------------
  c('partial resolution', 'Almost completely resolved right pleural effusion.', { 'Pleural Effusion': P }, ['J90']),
  c('partial resolution', 'The left pneumothorax has nearly resolved.', { Pneumothorax: P }, ['J93.9']),
  c('partial resolution', 'Partially resolved right lower lobe pneumonia.', { Pneumonia: P }, ['J18.9']),
  c('partial resolution', 'Pneumonia has not completely cleared.', { Pneumonia: P }, ['J18.9']),
  c('partial resolution', 'Decreased left pleural effusion.', { 'Pleural Effusion': P }, ['J90']),
  c('partial resolution', 'Residual small apical pneumothorax.', { Pneumothorax: P }, ['J93.9']),
  c('partial resolution', 'Resolving bibasilar atelectasis.', { Atelectasis: P }, ['J98.11']),
  c('partial resolution', 'Interval improvement of the pulmonary edema.', { Edema: P }, ['J81.1']),
  c('partial resolution', 'The right effusion has resolved.', { 'Pleural Effusion': N }, []),
  c('partial resolution', 'Complete resolution of the pneumothorax.', { Pneumothorax: N }, []),
  c('partial resolution', 'Pneumothorax is no longer seen.', { Pneumothorax: N }, []),

  // --- Questions answered in the same report -------------------------------------------------------------
  c('question answered', 'Rule out pneumonia. No focal consolidation and no pneumonia.', { Pneumonia: N, Consolidation: N }, []),
  c('question answered', '?pneumothorax. No pneumothorax.', { Pneumothorax: N }, []),
  c('question answered', 'Assess for effusion. Small left pleural effusion is present.', { 'Pleural Effusion': P }, ['J90']),
  c('question answered', 'Evaluate for pneumonia.', { Pneumonia: U }, []),
  c('question answered', 'Evaluate for fracture. Possible nondisplaced rib fracture.', { Fracture: U }, []),
  c('question answered', 'History of pneumothorax. No pneumothorax today.', { Pneumothorax: N }, ['Z87.09']),
  c('question answered', 'Is there edema? Mild pulmonary edema.', { Edema: P }, ['J81.1']),

  // --- Dictation typos -----------------------------------------------------------------------------------
  c('typo', 'Moderate cardiomeglay.', { Cardiomegaly: P }),
  c('typo', 'Left lower lobe consolidaton.', { Consolidation: P }),
  c('typo', 'Right upper lobe pnuemonia.', { Pneumonia: P }),
  c('typo', 'No pleural effussion.', { 'Pleural Effusion': N }),
  c('typo', 'Possible pneumothroax.', { Pneumothorax: U }),
  c('typo', 'Patchy opacites at the bases.', { 'Lung Opacity': P }),
  c('typo', 'The pacemaker lead is fractured.', { Fracture: A, 'Support Devices': P }),
  c('typo', 'Mild edmea.', { Edema: A }),
  c('typo', 'Possibel pneumonia.', { Pneumonia: P }),

  // --- Vocabulary ----------------------------------------------------------------------------------------
  c('vocabulary', 'Enlarged cardiac silhouette.', { Cardiomegaly: P }, ['I51.7']),
  c('vocabulary', 'The cardiac silhouette is prominent.', { Cardiomegaly: P }, ['I51.7']),
  c('vocabulary', 'Prominent cardiac silhouette, unchanged.', { Cardiomegaly: P }, ['I51.7']),
  c('vocabulary', 'Cardiac silhouette prominence.', { Cardiomegaly: P }),
  c('vocabulary', 'Septal lines at both bases.', { Edema: P }),
  c('vocabulary', 'Kerley lines have cleared.', { Edema: N }),
  c('vocabulary', 'Pulmonary vascular congestion.', { Edema: A }, ['R09.89']),
  c('vocabulary', 'Vascular congestion without frank edema.', { Edema: N }, ['R09.89']),
  c('vocabulary', 'Mild pulmonary vascular congestion and interstitial edema.', { Edema: P }, ['R09.89', 'J81.1']),
  c('vocabulary', 'Prominence of the superior mediastinum.', { 'Enlarged Cardiomediastinum': P, Cardiomegaly: A }),
  c('vocabulary', 'Mild prominence of mediastinum, unchanged.', { 'Enlarged Cardiomediastinum': P }),
  // "Pleural air (collection)" is a pneumothorax described, not named.
  c('vocabulary', 'Small right apical pleural air collection.', { Pneumothorax: P }),
  c('vocabulary', 'No pleural air collection is seen.', { Pneumothorax: N }),
  c('vocabulary', 'Partial collapse of the left upper and lower lobes.', { Atelectasis: P }),
  c('vocabulary', 'Scattered calcified nodules from old granulomatous disease.', { 'Lung Lesion': P }),
  // An opacity placed outside the lung, or explained by something that is not lung disease, is not Lung Opacity.
  c('vocabulary', 'Nodular density projecting over the anterior left fifth rib.', { 'Lung Opacity': A }),
  c('vocabulary', 'Opacity at the left base is due to overlying soft tissue.', { 'Lung Opacity': A }),
  c('vocabulary', 'Substernal density, related to a pectus deformity.', { 'Lung Opacity': A }),
  c('vocabulary', 'Curvilinear densities over the heart compatible with coronary stents.', { 'Lung Opacity': A }),
  c('vocabulary', 'Scarring at the left costophrenic angle.', { 'Lung Opacity': A }),
  c('vocabulary', 'Right lower lobe density consistent with atelectasis.', { 'Lung Opacity': P, Atelectasis: P }),
  // Dictation that drops "of": "clear consolidation" means clear of it.
  c('vocabulary', 'Both lungs are clear focal consolidation.', { Consolidation: N }),

  // --- ICD-10 coding -------------------------------------------------------------------------------------
  c('icd10 coding', 'Emphysema. COPD.', {}, ['J43.9']),
  c('icd10 coding', 'Centrilobular emphysema, with emphysema also at the bases.', {}, ['J43.2']),
  c('icd10 coding', 'Acute pulmonary edema.', { Edema: P }, ['J81.0']),
  c('icd10 coding', 'Congestive heart failure with interstitial edema.', { Edema: P }, ['I50.1']),
  c('icd10 coding', 'Diastolic heart failure with pulmonary edema.', { Edema: P }, ['I50.30']),
  c('icd10 coding', 'Multiple calcified granulomas.', {}, ['J98.4']),
  // A calcified nodule is a nodule (its code says so too); only a calcified granuloma is not a lesion.
  c('icd10 coding', 'A calcified nodule in the right lung base.', { 'Lung Lesion': P }, ['R91.1']),
  c('icd10 coding', 'Granulomatous disease with scattered calcified granulomas.', {}, ['J98.4']),
  c('icd10 coding', 'Pulmonary fibrosis with honeycombing.', {}, ['J84.10']),
  c('icd10 coding', 'Malignant pleural effusion on the right and a small effusion on the left.', { 'Pleural Effusion': P }, ['J91.0']),
  c('icd10 coding', 'Traumatic pneumothorax with a second small pneumothorax at the apex.', { Pneumothorax: P }, ['S27.0XXA']),
  c('icd10 coding', 'Aspiration pneumonia in the right lower lobe; pneumonia also at the left base.', { Pneumonia: P }, ['J69.0']),
  c('icd10 coding', 'Trace right pleural effusion. Trace left pleural effusion. Bilateral pleural effusions, both trace.', { 'Pleural Effusion': P }, ['J90']),
  c('icd10 coding', 'Cardiomegaly; the heart is enlarged on both views.', { Cardiomegaly: P }, ['I51.7']),
  c('icd10 coding', 'Osteoporosis with an osteoporotic compression fracture.', { Fracture: P }, ['M80.08XA']),
  c('icd10 coding', 'Bronchiectasis in a patient with COPD.', {}, ['J47.9']),
  c('icd10 coding', 'Radiation fibrosis in the left upper lobe and pulmonary fibrosis at the bases.', {}, ['J70.1']),
  c('icd10 coding', 'Right pneumothorax. Small tension pneumothorax on the left.', { Pneumothorax: P }, ['J93.0']),
];
