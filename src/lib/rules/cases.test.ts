/**
 * Sentence-level behaviour of the rule engine, one row per case: the text, then the status each named finding
 * must get (`absent` = not mentioned). Grouped by what the case exercises. Findings a row does not name are not
 * checked, so each row states exactly what it is about.
 */
import { describe, expect, it } from 'vitest';
import type { Finding, FindingStatus } from '../findings.ts';
import { labelFindings } from './index.ts';

type Expect = Partial<Record<Finding, FindingStatus>>;
type Case = [text: string, expected: Expect];

const P = 'positive', N = 'negative', U = 'uncertain', A = 'absent';

const GROUPS: Record<string, Case[]> = {
  'plain mentions are positive': [
    ['Cardiomegaly.', { Cardiomegaly: P }],
    ['The heart is enlarged.', { Cardiomegaly: P }],
    ['Heart size is mildly enlarged.', { Cardiomegaly: P }],
    ['Enlarged cardiac silhouette.', { Cardiomegaly: P }],
    ['Borderline cardiomegaly.', { Cardiomegaly: P }],
    ['The heart is borderline enlarged.', { Cardiomegaly: P }],
    ['Left lower lobe atelectasis.', { Atelectasis: P }],
    ['Plate-like atelectasis at the right base.', { Atelectasis: P }],
    ['Bibasilar atelectatic changes.', { Atelectasis: P }],
    ['Right middle lobe collapse.', { Atelectasis: P }],
    ['Dense consolidation in the right lower lobe.', { Consolidation: P }],
    ['Mild interstitial pulmonary edema.', { Edema: P }],
    ['Widened mediastinum.', { 'Enlarged Cardiomediastinum': P }],
    ['The superior mediastinum is widened.', { 'Enlarged Cardiomediastinum': P }],
    ['Acute fracture of the left 6th rib.', { Fracture: P }],
    ['A 1.5 cm nodule in the right upper lobe.', { 'Lung Lesion': P }],
    ['Left hilar mass.', { 'Lung Lesion': P }],
    ['Patchy airspace opacity in the lingula.', { 'Lung Opacity': P }],
    ['Left basilar air-space disease.', { 'Lung Opacity': P }],
    ['Right upper lobe infiltrate.', { 'Lung Opacity': P }],
    ['Small left pleural effusion.', { 'Pleural Effusion': P }],
    ['Bilateral effusions, left greater than right.', { 'Pleural Effusion': P }],
    ['Biapical pleural thickening.', { 'Pleural Other': P }],
    ['Right lower lobe pneumonia.', { Pneumonia: P }],
    ['Small right apical pneumothorax.', { Pneumothorax: P }],
    ['Endotracheal tube 4 cm above the carina.', { 'Support Devices': P }],
    ['Left subclavian PICC line terminates in the SVC.', { 'Support Devices': P }],
    ['Dual-chamber pacemaker in place.', { 'Support Devices': P }],
    ['Right chest tube in place.', { 'Support Devices': P }],
    ['Nasogastric tube courses below the diaphragm.', { 'Support Devices': P }],
  ],
  'negation before the mention': [
    ['No pneumothorax.', { Pneumothorax: N }],
    ['There is no pleural effusion.', { 'Pleural Effusion': N }],
    ['No evidence of pneumonia.', { Pneumonia: N }],
    ['Negative for pneumothorax.', { Pneumothorax: N }],
    ['Lungs are clear without consolidation.', { Consolidation: N }],
    ['Free of focal infiltrate.', { 'Lung Opacity': N }],
    ['Absence of pulmonary edema.', { Edema: N }],
    ['No signs of a pleural effusion.', { 'Pleural Effusion': N }],
    ['There are no XXXX of a pleural effusion.', { 'Pleural Effusion': N }],
    ['Not enlarged heart.', { Cardiomegaly: N }],
    ['No acute displaced rib fracture.', { Fracture: N }],
    ['No suspicious pulmonary nodules or masses.', { 'Lung Lesion': N }],
    ['No definite consolidation.', { Consolidation: N }],
    ['No new pneumothorax.', { Pneumothorax: N }],
    ['Neither effusion nor pneumothorax.', { 'Pleural Effusion': N, Pneumothorax: N }],
  ],
  'negation after the mention': [
    ['Pneumothorax is not seen.', { Pneumothorax: N }],
    ['A pleural effusion is not identified.', { 'Pleural Effusion': N }],
    ['Focal consolidation is not present.', { Consolidation: N }],
    ['Pneumothorax has been excluded.', { Pneumothorax: N }],
    ['Effusions are absent.', { 'Pleural Effusion': N }],
    ['The heart is not enlarged.', { Cardiomegaly: N }],
    ['Heart size is not enlarged.', { Cardiomegaly: N }],
  ],
  'coordinated lists share one negation': [
    ['No effusion, pneumothorax, or consolidation.', { 'Pleural Effusion': N, Pneumothorax: N, Consolidation: N }],
    ['No focal consolidation, pleural effusion or pneumothorax.', { Consolidation: N, 'Pleural Effusion': N, Pneumothorax: N }],
    ['There is no pneumothorax or large pleural effusion.', { Pneumothorax: N, 'Pleural Effusion': N }],
    ['No evidence of edema, infiltrate, or effusion.', { Edema: N, 'Lung Opacity': N, 'Pleural Effusion': N }],
    ['Without focal airspace disease, effusion, or pneumothorax.', { 'Lung Opacity': N, 'Pleural Effusion': N, Pneumothorax: N }],
    ['No pneumothorax, pleural effusion, or focal airspace consolidation is identified.', { Pneumothorax: N, 'Pleural Effusion': N, Consolidation: N }],
    ['Pleural effusion and pneumothorax are not seen.', { 'Pleural Effusion': N, Pneumothorax: N }],
    ['No pleural effusions or pneumothoraces.', { 'Pleural Effusion': N, Pneumothorax: N }],
  ],
  'scopes end at terminators and clause breaks': [
    ['No pneumothorax, but there is a small effusion.', { Pneumothorax: N, 'Pleural Effusion': P }],
    ['No effusion; small pneumothorax.', { 'Pleural Effusion': N, Pneumothorax: P }],
    ['No pneumothorax, however a small left effusion is present.', { Pneumothorax: N, 'Pleural Effusion': P }],
    ['No focal consolidation although there is mild atelectasis.', { Consolidation: N, Atelectasis: P }],
    ['No pneumothorax and the heart is enlarged.', { Pneumothorax: N, Cardiomegaly: P }],
    ['No effusion. Cardiomegaly.', { 'Pleural Effusion': N, Cardiomegaly: P }],
    ['No acute disease other than mild atelectasis.', { Atelectasis: P }],
    ['No pneumothorax with a small left effusion.', { Pneumothorax: N, 'Pleural Effusion': P }],
    ['No consolidation and mild cardiomegaly.', { Consolidation: N, Cardiomegaly: P }],
    ['Heart is enlarged, effusion is not seen.', { Cardiomegaly: P, 'Pleural Effusion': N }],
    ['No edema. There is a right pleural effusion.', { Edema: N, 'Pleural Effusion': P }],
    ['No pneumothorax: small effusion.', { Pneumothorax: N, 'Pleural Effusion': P }],
    ['No pneumothorax, there is a small effusion.', { Pneumothorax: N, 'Pleural Effusion': P }],
    ['No infiltrate except for left basilar atelectasis.', { 'Lung Opacity': N, Atelectasis: P }],
    ['Lungs are clear without edema while the heart is enlarged.', { Edema: N, Cardiomegaly: P }],
    ['No effusion, small right pneumothorax.', { 'Pleural Effusion': N, Pneumothorax: P }],
    ['No edema, mild cardiomegaly.', { Edema: N, Cardiomegaly: P }],
    ['No pneumothorax or large pleural effusion.', { Pneumothorax: N, 'Pleural Effusion': N }],
  ],
  'uncertainty': [
    ['Possible left lower lobe pneumonia.', { Pneumonia: U }],
    ['Probable small effusion.', { 'Pleural Effusion': U }],
    ['Questionable right apical pneumothorax.', { Pneumothorax: U }],
    ['Findings suspicious for pneumonia.', { Pneumonia: U }],
    ['Opacity may represent atelectasis.', { 'Lung Opacity': P, Atelectasis: U }],
    ['Opacity could represent pneumonia.', { 'Lung Opacity': P, Pneumonia: U }],
    ['Pneumonia cannot be excluded.', { Pneumonia: U }],
    ['Cannot exclude a small effusion.', { 'Pleural Effusion': U }],
    ['Cannot rule out pneumonia.', { Pneumonia: U }],
    ['A small pneumothorax is not excluded.', { Pneumothorax: U }],
    ['Atelectasis versus pneumonia.', { Atelectasis: U, Pneumonia: U }],
    ['Atelectasis vs. consolidation at the left base.', { Atelectasis: U, Consolidation: U }],
    ['Likely atelectasis.', { Atelectasis: U }],
    ['Findings concerning for pneumonia.', { Pneumonia: U }],
    ['Suggestive of mild edema.', { Edema: U }],
    ['Differential diagnosis includes edema or pneumonia.', { Edema: U, Pneumonia: U }],
    ['Edema is suspected.', { Edema: U }],
    ['Pneumonia is in the differential.', { Pneumonia: U }],
    ['Difficult to exclude a cavitary lesion.', { 'Lung Lesion': U }],
    ['Atypical infection is another consideration.', { Pneumonia: U }],
    ['Question edema.', { Edema: U }],
    ['Possible small effusion, no pneumothorax.', { 'Pleural Effusion': U, Pneumothorax: N }],
    ['In the appropriate clinical setting this is compatible with pneumonia.', { Pneumonia: U }],
    ['Nodule may be present.', { 'Lung Lesion': U }],
  ],
  'hypothetical mentions are uncertain': [
    ['Evaluate for pneumonia.', { Pneumonia: U }],
    ['Recommend CT to rule out a mass.', { 'Lung Lesion': U }],
    ['R/O pneumothorax.', { Pneumothorax: U }],
    ['Follow-up radiograph to exclude an underlying mass.', { 'Lung Lesion': U }],
    ['Bony overlap could obscure a small nodule.', { 'Lung Lesion': U }],
    ['Please note that fractures may not be demonstrated.', { Fracture: U }],
    ['Correlate clinically for pneumonia.', { Pneumonia: U }],
    ['If symptoms persist, consider CT for pneumonia.', { Pneumonia: U }],
  ],
  'historical mentions are uncertain': [
    ['History of pneumonia.', { Pneumonia: U }],
    ['Patient with a known history of lung cancer.', {}],
    ['Hx of pneumothorax.', { Pneumothorax: U }],
    ['History of CHF; mild cardiomegaly.', { Cardiomegaly: P }],
  ],
  'resolved and removed findings are negative': [
    ['Resolved pneumothorax.', { Pneumothorax: N }],
    ['The right pneumothorax has resolved.', { Pneumothorax: N }],
    ['Pneumothorax is no longer seen.', { Pneumothorax: N }],
    ['Interval resolution of the left pleural effusion.', { 'Pleural Effusion': N }],
    ['Interval removal of the right chest tube.', { 'Support Devices': N }],
    ['The endotracheal tube has been removed.', { 'Support Devices': N }],
    ['There is no longer a pneumothorax.', { Pneumothorax: N }],
    ['The effusion has cleared.', { 'Pleural Effusion': N }],
  ],
  'pseudo-triggers leave the finding as it is': [
    ['No change in cardiomegaly.', { Cardiomegaly: P }],
    ['No significant change in the small left effusion.', { 'Pleural Effusion': P }],
    ['No interval change in the right upper lobe nodule.', { 'Lung Lesion': P }],
    ['No increase in the right pneumothorax.', { Pneumothorax: P }],
    ['Not only atelectasis but also consolidation.', { Atelectasis: P, Consolidation: P }],
    ['Resolving right lower lobe pneumonia.', { Pneumonia: P }],
    ['Partially resolved left effusion.', { 'Pleural Effusion': P }],
    ['Near complete resolution of the right pneumothorax.', { Pneumothorax: P }],
    ['Age-indeterminate compression fracture of T12.', { Fracture: P }],
    ['Small effusion, if any.', { 'Pleural Effusion': P }],
    ['Unchanged cardiomegaly without change.', { Cardiomegaly: P }],
  ],
  'stable and old findings are still present': [
    ['Stable cardiomegaly.', { Cardiomegaly: P }],
    ['Unchanged mild cardiomegaly.', { Cardiomegaly: P }],
    ['Old healed left rib fractures.', { Fracture: P }],
    ['Healing fracture of the right clavicle.', { Fracture: P }],
    ['Again seen is a small right effusion.', { 'Pleural Effusion': P }],
    ['Persistent left lower lobe consolidation.', { Consolidation: P }],
    ['Chronic scarring in the right apex.', { 'Lung Opacity': P }],
  ],
  'word boundaries and exclusions': [
    ['Healed tuberculosis.', { 'Support Devices': A }],
    ['Small pericardial effusion.', { 'Pleural Effusion': A }],
    ['Calcified granuloma in the left upper lobe.', { 'Lung Lesion': A, 'Lung Opacity': A }],
    ['Scattered calcified granulomas.', { 'Lung Lesion': A }],
    ['Pulmonary vascular congestion.', { Edema: A }],
    ['Cholecystectomy clips are present.', { 'Support Devices': A }],
    ['Sternotomy sutures.', { 'Support Devices': A }],
    ['Surgical clips in the left axilla.', { 'Support Devices': A }],
    ['Soft tissue edema of the chest wall.', { Edema: A }],
    ['Breast mass is better seen on mammography.', { 'Lung Lesion': A }],
    ['Nipple shadows.', { 'Lung Lesion': A }],
    ['Massive cardiomegaly.', { 'Lung Lesion': A, Cardiomegaly: P }],
    ['Tubular structure in the mediastinum.', { 'Support Devices': A }],
    ['Prior granulomatous infection.', { Pneumonia: A }],
    ['Left apical pleural scarring.', { 'Pleural Other': P, 'Lung Opacity': A }],
    ['Bone density is decreased.', { 'Lung Opacity': A }],
    ['Mass effect on the trachea.', { 'Lung Lesion': A }],
    ['Pacemaker lead is fractured.', { Fracture: A, 'Support Devices': P }],
    ['Heart size is normal.', { Cardiomegaly: A }],
    ['Joint effusion in the shoulder.', { 'Pleural Effusion': A }],
    ['Hydropneumothorax on the right.', { Pneumothorax: P, 'Pleural Effusion': P }],
    ['No noncalcified nodules.', { 'Lung Lesion': A }],
  ],
  'mapping choices of the reference': [
    ['Enlarged cardiomediastinal silhouette.', { Cardiomegaly: P }],
    ['Heart size at the upper limits of normal.', { Cardiomegaly: A }],
    ['Streaky scarring in the left lung base.', { 'Lung Opacity': P }],
    ['Nodular opacity in the right lung.', { 'Lung Opacity': P, 'Lung Lesion': A }],
    ['Pleural thickening at the right base.', { 'Pleural Other': P }],
    ['Interstitial lung disease.', { 'Lung Opacity': P }],
    ['Mediastinal adenopathy.', { 'Enlarged Cardiomediastinum': P }],
    ['Right chest XXXX with tip in the SVC.', { 'Support Devices': P }],
    ['XXXX-a-XXXX tip at the cavoatrial junction.', { 'Support Devices': P }],
    ['Spinal stimulator in place.', { 'Support Devices': P }],
  ],
  'sentence splitting matters': [
    ['A 1.5 cm nodule. No effusion.', { 'Lung Lesion': P, 'Pleural Effusion': N }],
    ['No pneumothorax.There is a left effusion.', { Pneumothorax: N, 'Pleural Effusion': P }],
    ['1. No pneumothorax 2. Small effusion.', { Pneumothorax: N, 'Pleural Effusion': P }],
    ['No effusion\nCardiomegaly', { 'Pleural Effusion': N, Cardiomegaly: P }],
    ['- no pneumothorax\n- left pleural effusion', { Pneumothorax: N, 'Pleural Effusion': P }],
    ['No consolidation. e.g. pneumonia vs. edema is not seen here.', { Consolidation: N }],
  ],
  'sections': [
    ['INDICATION: r/o pneumonia. FINDINGS: Lungs are clear.', { Pneumonia: A }],
    ['HISTORY: Pneumothorax.\nFINDINGS: No pneumothorax.', { Pneumothorax: N }],
    ['REASON FOR EXAM: eval for effusion. IMPRESSION: Small effusion.', { 'Pleural Effusion': P }],
    ['COMPARISON: Pneumothorax on prior. FINDINGS: Heart normal.', { Pneumothorax: A }],
    ['CLINICAL HISTORY: fever, cough, r/o pneumonia.\nIMPRESSION: No acute disease.', { Pneumonia: A }],
    ['TECHNIQUE: PA and lateral. FINDINGS: Cardiomegaly.', { Cardiomegaly: P }],
    ['Findings: Right effusion. Impression: Effusion.', { 'Pleural Effusion': P }],
    ['HISTORY: cough\nThe lungs show a left lower lobe consolidation.', { Consolidation: P }],
    ['Mild cardiomegaly. IMPRESSION: No acute disease.', { Cardiomegaly: P }],
    ['EXAM: Chest. Indication: pneumonia? FINDINGS: Clear lungs. No pneumonia.', { Pneumonia: N }],
  ],
  'mixed reports use CheXpert precedence': [
    ['No left effusion. Small right effusion.', { 'Pleural Effusion': P }],
    ['No large effusion. Possible small effusion.', { 'Pleural Effusion': U }],
    ['Possible pneumonia. Right lower lobe pneumonia.', { Pneumonia: P }],
    ['No pneumothorax. No pneumothorax on the left.', { Pneumothorax: N }],
  ],
};

describe('rule engine sentence cases', () => {
  const all = Object.entries(GROUPS).flatMap(([group, cases]) => cases.map((c) => [group, ...c] as const));

  it('has at least 150 cases', () => {
    expect(all.length).toBeGreaterThanOrEqual(150);
  });

  for (const [group, cases] of Object.entries(GROUPS)) {
    describe(group, () => {
      it.each(cases)('%s', (text, expected) => {
        const result = labelFindings(text);
        expect(result.status).toBe('ok');
        const got = Object.fromEntries(Object.keys(expected).map((f) => [f, result.findings[f as Finding]]));
        expect(got).toEqual(expected);
      });
    });
  }
});
