/** Example reports for the single-report screen, written for this app (no patient data). */

export interface ExampleReport {
  id: string;
  title: string;
  text: string;
}

export const EXAMPLES: readonly ExampleReport[] = [
  {
    id: 'normal',
    title: 'Normal chest',
    text:
      'FINDINGS: The heart is normal in size. The mediastinum is unremarkable. The lungs are clear bilaterally. ' +
      'No pleural effusion or pneumothorax. No acute osseous abnormality.\n' +
      'IMPRESSION: No acute cardiopulmonary process.',
  },
  {
    id: 'effusion-cardiomegaly',
    title: 'Effusion and cardiomegaly',
    text:
      'FINDINGS: The cardiac silhouette is enlarged. Moderate right pleural effusion with adjacent basilar ' +
      'atelectasis. Mild interstitial edema. No pneumothorax.\n' +
      'IMPRESSION: Cardiomegaly with moderate right pleural effusion and mild pulmonary edema.',
  },
  {
    id: 'pneumothorax-tube',
    title: 'Pneumothorax with chest tube',
    text:
      'FINDINGS: Left-sided chest tube in place. Small residual left apical pneumothorax, decreased from the prior ' +
      'study. Subcutaneous emphysema along the left chest wall. Heart size is normal.\n' +
      'IMPRESSION: Small left apical pneumothorax with chest tube in place.',
  },
  {
    id: 'negated-list',
    title: 'Negated list',
    text:
      'FINDINGS: Lungs are clear. There is no focal consolidation, pleural effusion, pneumothorax, or pulmonary ' +
      'edema. No displaced rib fracture. Cardiomediastinal silhouette is within normal limits.\n' +
      'IMPRESSION: No acute findings.',
  },
  {
    id: 'uncertain-pneumonia',
    title: 'Possible pneumonia',
    text:
      'FINDINGS: Patchy opacity in the right lower lobe, which may represent atelectasis or early pneumonia. ' +
      'No pleural effusion. Heart size normal.\n' +
      'IMPRESSION: Right lower lobe opacity; pneumonia cannot be excluded. Recommend follow-up radiograph.',
  },
];
