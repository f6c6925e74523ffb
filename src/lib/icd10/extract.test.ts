import { describe, expect, it } from 'vitest';
import { extractIcd10, matchPhrases, resolveOverlaps } from './extract.ts';
import { icd10Lexicon } from './lexicon.ts';
import { forEachTokenStart, tokenStarts } from '../rules/matcher.ts';
import { parseReport, type ReportDoc } from '../rules/report-doc.ts';
import { generateReports } from '../synthetic.ts';

// [report text, expected [phrase, code] pairs in text order]. Written for this test; no real report text.
type Case = [string, Array<[string, string]>];

const AFFIRMED: Case[] = [
  ['Small left pleural effusion.', [['pleural effusion', 'J90']]],
  ['Moderate bilateral pleural effusions.', [['pleural effusions', 'J90']]],
  ['Trace right effusion.', [['effusion', 'J90']]],
  ['Malignant pleural effusion on the right.', [['Malignant pleural effusion', 'J91.0']]],
  ['Left lower lobe pneumonia.', [['pneumonia', 'J18.9']]],
  ['Findings consistent with lobar pneumonia.', [['lobar pneumonia', 'J18.1']]],
  ['Right basilar aspiration pneumonia.', [['aspiration pneumonia', 'J69.0']]],
  ['Bibasilar atelectasis.', [['atelectasis', 'J98.11']]],
  ['Plate-like atelectatic changes at the left base.', [['atelectatic changes', 'J98.11']]],
  ['Left lower lobe collapse.', [['lobe collapse', 'J98.19']]],
  ['Large right pneumothorax.', [['pneumothorax', 'J93.9']]],
  ['Small apical PTX.', [['PTX', 'J93.9']]],
  ['Right tension pneumothorax with mediastinal shift.', [['tension pneumothorax', 'J93.0']]],
  ['Mild pulmonary edema.', [['pulmonary edema', 'J81.1']]], // not called acute: J81.1 includes pulmonary edema NOS
  ['Interstitial edema has increased.', [['Interstitial edema', 'J81.1']]],
  ['Cardiomegaly.', [['Cardiomegaly', 'I51.7']]],
  ['The heart is mildly enlarged.', [['heart is mildly enlarged', 'I51.7']]],
  ['A 9 mm nodule in the right upper lobe.', [['nodule', 'R91.1']]],
  ['Solitary pulmonary nodule in the lingula.', [['Solitary pulmonary nodule', 'R91.1']]],
  ['Multiple bilateral nodules.', [['nodules', 'R91.8']]],
  ['Patchy airspace opacity in the right lower lobe.', [['opacity', 'R91.8']]],
  ['Right middle lobe consolidation.', [['consolidation', 'R91.8']]],
  ['Acute right 5th rib fracture.', [['right 5th rib fracture', 'S22.31XA']]],
  ['Acute left rib fracture, new since prior.', [['left rib fracture', 'S22.32XA']]],
  ['Compared to prior, new right 7th rib fracture.', [['right 7th rib fracture', 'S22.31XA']]],
  ['Displaced fracture of the left posterior 7th rib.', [['fracture of the left posterior 7th rib', 'S22.32XA']]],
  ['Multiple right-sided rib fractures.', [['right-sided rib fractures', 'S22.41XA']]],
  ['Rib fractures.', [['Rib fractures', 'S22.49XA']]],
  ['Bilateral rib fractures with flail chest.', [['Bilateral rib fractures', 'S22.43XA'], ['flail chest', 'S22.5XXA']]],
  ['Compression fracture of T12.', [['Compression fracture of T12', 'S22.080A']]],
  ['New T7 compression fracture.', [['T7 compression fracture', 'S22.060A']]],
  ['Mild compression fracture of a midthoracic vertebral body.', [['compression fracture', 'S22.000A']]],
  ['Compression deformity of a lower thoracic vertebral body.', [['Compression deformity of a lower thoracic vertebral body', 'M48.54XA']]],
  ['L1 compression fracture.', [['L1 compression fracture', 'M48.56XA']]],
  ['Dual-chamber pacemaker in place.', [['pacemaker', 'Z95.0']]],
  ['Left-sided AICD with leads in the right ventricle.', [['AICD', 'Z95.810']]],
  ['Right IJ central venous catheter with tip in the SVC.', [['central venous catheter', 'Z95.828']]],
  ['Left PICC line tip at the cavoatrial junction.', [['PICC', 'Z95.828']]],
  ['Endotracheal tube 4 cm above the carina.', [['Endotracheal tube', 'Z97.8']]],
  ['Nasogastric tube in the stomach.', [['Nasogastric tube', 'Z97.8']]],
  ['Hyperexpanded lungs with emphysema.', [['emphysema', 'J43.9']]],
  ['Centrilobular emphysema in the upper lobes.', [['Centrilobular emphysema', 'J43.2']]],
  ['Changes of COPD.', [['COPD', 'J44.9']]],
  ['Large hiatal hernia.', [['hiatal hernia', 'K44.9']]],
  ['Aortic atherosclerosis.', [['Aortic atherosclerosis', 'I70.0']]],
  ['Calcified aortic knob.', [['Calcified aortic knob', 'I70.0']]],
  ['Tortuous thoracic aorta.', [['Tortuous thoracic aorta', 'I77.1']]],
  ['Ascending aortic aneurysm measuring 4.8 cm.', [['Ascending aortic aneurysm', 'I71.21']]],
  ['Mild dextroscoliosis of the thoracic spine.', [['dextroscoliosis', 'M41.9']]],
  ['Exaggerated thoracic kyphosis.', [['thoracic kyphosis', 'M40.204']]],
  ['There is increased kyphosis.', [['kyphosis', 'M40.209']]],
  ['Fracture of the mid thoracic vertebral body.', [['Fracture of the mid thoracic vertebral body', 'S22.009A']]],
  ['Fracture of the distal right clavicle.', [['Fracture of the distal right clavicle', 'S42.001A']]],
  ['Mild dextrocurvature of the spine.', [['dextrocurvature', 'M41.9']]],
  ['Left IJ dual-lumen catheter tip in the SVC.', [['dual-lumen catheter', 'Z95.828']]],
  ['Heart is slightly large.', [['Heart is slightly large', 'I51.7']]],
  ['Degenerative changes of the thoracic spine.', [['Degenerative changes of the thoracic spine', 'M47.814']]],
  ['Calcified granuloma in the left upper lobe.', [['Calcified granuloma', 'J98.4']]], // calcification of lung, not fibrosis
  ['Interstitial lung disease with honeycombing.', [['Interstitial lung disease', 'J84.10']]], // ILD + fibrosis: the specific code, both phrases
  ['Cylindrical bronchiectasis in the lower lobes.', [['bronchiectasis', 'J47.9']]],
  ['Mediastinal lymphadenopathy.', [['Mediastinal lymphadenopathy', 'R59.0']]],
  ['Enlarged pulmonary arteries suggest pulmonary hypertension.', [['Enlarged pulmonary arteries', 'I28.8']]],
  ['Findings of CHF.', [['CHF', 'I50.9']]],
  ['Free air under the right hemidiaphragm.', [['Free air under the right hemidiaphragm', 'K66.8']]],
  ['Extensive subcutaneous emphysema in the chest wall.', [['subcutaneous emphysema', 'T79.7XXA']]],
  ['Multiple pulmonary metastases.', [['pulmonary metastases', 'C78.00']]],
  ['Lytic osseous metastases in the ribs.', [['osseous metastases', 'C79.51']]],
  ['Calcified pleural plaques consistent with prior asbestos exposure.', [['Calcified pleural plaques', 'J92.9']]],
  ['Pneumomediastinum.', [['Pneumomediastinum', 'J98.2']]],
  ['Elevated right hemidiaphragm.', [['Elevated right hemidiaphragm', 'J98.6']]],
  ['Osteopenia.', [['Osteopenia', 'M85.80']]],
  ['Small pericardial effusion.', [['pericardial effusion', 'I31.39']]],
  ['Right lower lobe pulmonary embolism.', [['pulmonary embolism', 'I26.99']]],
];

const SEVERAL: Case[] = [
  ['Cardiomegaly with small bilateral pleural effusions and bibasilar atelectasis.', [['Cardiomegaly', 'I51.7'], ['pleural effusions', 'J90'], ['atelectasis', 'J98.11']]],
  ['Pacemaker in place. Moderate cardiomegaly and pulmonary edema, consistent with CHF.', [['Pacemaker', 'Z95.0'], ['cardiomegaly', 'I51.7'], ['pulmonary edema', 'I50.1']]], // J81 Excludes1 edema with heart failure
  ['Emphysema and a large hiatal hernia. Tortuous aorta.', [['Emphysema', 'J43.9'], ['hiatal hernia', 'K44.9'], ['Tortuous aorta', 'I77.1']]],
  ['Right pneumothorax with a right chest tube in place and subcutaneous emphysema.', [['pneumothorax', 'J93.9'], ['chest tube', 'Z97.8'], ['subcutaneous emphysema', 'T79.7XXA']]],
  ['Left lower lobe pneumonia with parapneumonic effusion.', [['pneumonia', 'J18.9'], ['effusion', 'J90']]],
];

const DROPPED: Case[] = [
  ['No pleural effusion or pneumothorax.', []],
  ['No focal consolidation, effusion, or pneumothorax.', []],
  ['There is no evidence of pneumonia.', []],
  ['Heart size is normal. No cardiomegaly.', []],
  ['Pneumothorax is not seen.', []],
  ['Without pulmonary edema.', []],
  ['Negative for acute rib fracture.', []],
  ['Possible small left pleural effusion.', []],
  ['Findings may represent pneumonia.', []],
  ['Atelectasis versus pneumonia in the left base.', []],
  ['Pneumonia cannot be excluded.', []],
  ['Suspicious for early pulmonary edema.', []],
  ['History of COPD.', [['COPD', 'J44.9']]], // a chronic condition: the history is the disease
  ['Known history of pneumonia.', [['pneumonia', 'Z87.01']]],
  ['Evaluate for pneumothorax.', []],
  ['Rule out pneumonia.', []],
  ['Previously seen pneumothorax has resolved.', []],
  ['Interval resolution of the right pleural effusion.', []],
  ['The left effusion is no longer seen.', []],
  ['Old healed left rib fractures.', [['left rib fractures', 'Z87.81']]],
  ['Right 6th rib fracture, which is healed.', [['Right 6th rib fracture', 'Z87.81']]],
  ['Remote right clavicle fracture.', [['right clavicle fracture', 'Z87.81']]],
];

const SECTIONS: Case[] = [
  ['INDICATION: r/o pneumonia.\nFINDINGS: Clear lungs.\nIMPRESSION: No acute disease.', []],
  ['INDICATION: Shortness of breath, CHF.\nFINDINGS: Small right pleural effusion.', [['pleural effusion', 'J90']]],
  ['HISTORY: Emphysema.\nIMPRESSION: Cardiomegaly.', [['Cardiomegaly', 'I51.7']]],
];

const STATUS_CODES: Case[] = [
  ['Status post CABG.', [['CABG', 'Z95.1']]],
  ['History of CABG with median sternotomy wires.', [['CABG', 'Z95.1'], ['median sternotomy wires', 'Z98.890']]],
  ['Status post right upper lobectomy.', [['lobectomy', 'Z90.2']]],
  ['No pacemaker.', []],
];

const SHORTEST_AND_ONE_PER_CODE: Case[] = [
  ['Small left pleural effusion. Unchanged small left pleural effusion.', [['pleural effusion', 'J90']]],
  ['Left pleural effusion. IMPRESSION: Left pleural effusions.', [['pleural effusion', 'J90']]],
  ['Pleural effusion. Also a small effusion in the fissure.', [['Pleural effusion', 'J90']]], // one item per code
  ['Moderate-sized right-sided pneumothorax.', [['pneumothorax', 'J93.9']]],
  ['Thoracic spondylosis.', [['Thoracic spondylosis', 'M47.814']]],
  ['Malignant pleural effusion and a pleural effusion on the other side.', [['Malignant pleural effusion', 'J91.0']]], // J90 Excludes1 J91.0
  ['Pulmonary fibrosis. Idiopathic pulmonary fibrosis pattern.', [['Pulmonary fibrosis', 'J84.112']]], // the specific code, both phrases
];

const NOT_A_DIAGNOSIS: Case[] = [
  ['Normal thoracic kyphosis.', []],
  ['Preservation of the normal kyphosis.', []],
  ['Thyroid nodule incidentally noted.', []],
  ['The lungs are clear.', []],
  ['Report: spacer device noted.', []],
  ['', []],
  ['XXXX XXXX.', []],
];

const pairs = (text: string) => extractIcd10(text).map((i) => [i.phrase, i.code]);

describe('extractIcd10', () => {
  const all = { AFFIRMED, SEVERAL, DROPPED, SECTIONS, STATUS_CODES, SHORTEST_AND_ONE_PER_CODE, NOT_A_DIAGNOSIS };
  for (const [group, cases] of Object.entries(all)) {
    describe(group, () => {
      it.each(cases)('%s', (text, expected) => {
        expect(pairs(text)).toEqual(expected);
      });
    });
  }

  it('has at least 80 table cases', () => {
    expect(Object.values(all).flat().length).toBeGreaterThanOrEqual(80);
  });

  it('gives spans that point at the phrase, and the official title', () => {
    const text = 'FINDINGS: Heart normal.  Small left pleural effusion.';
    const [item] = extractIcd10(text);
    expect(text.slice(item.start!, item.end!)).toBe(item.phrase);
    expect(item).toMatchObject({ code: 'J90', title: 'Pleural effusion, not elsewhere classified', flags: [] });
  });

  it('reads every section when asked', () => {
    const text = 'INDICATION: COPD.\nFINDINGS: Clear lungs.';
    expect(extractIcd10(text)).toEqual([]);
    expect(extractIcd10(text, { sections: 'all' }).map((i) => i.code)).toEqual(['J44.9']);
  });
});

describe('pipeline stages', () => {
  const lexicon = icd10Lexicon();
  const text = 'Malignant pleural effusion.';
  const sentences = [{ start: 0, end: text.length, section: 'report' }];
  const { tokens, offsets } = tokenStarts(text, sentences);
  const doc: ReportDoc = { text, sections: [], sentences, triggers: [], tokens, sentenceTokens: offsets };

  it('matchPhrases finds every overlapping candidate', () => {
    const codes = matchPhrases(doc, lexicon).map((m) => `${m.rule.code}:${text.slice(m.start, m.end)}`);
    expect(codes).toEqual(expect.arrayContaining(['J91.0:Malignant pleural effusion', 'J90:pleural effusion', 'J90:effusion']));
  });

  it('resolveOverlaps keeps the longest, most specific match', () => {
    const kept = resolveOverlaps(matchPhrases(doc, lexicon));
    expect(kept.map((m) => m.rule.code)).toEqual(['J91.0']);
  });

  it('matchPhrases ignores text outside the sentences it is given', () => {
    expect(matchPhrases({ ...doc, sentences: [] }, lexicon)).toEqual([]);
  });
});

describe('the phrase start index', () => {
  it('finds exactly the matches that trying every phrase at every word start finds', () => {
    const lexicon = icd10Lexicon();
    const texts = [
      ...[AFFIRMED, SEVERAL, DROPPED, STATUS_CODES, SHORTEST_AND_ONE_PER_CODE, NOT_A_DIAGNOSIS].flat().map(([t]) => t),
      'T12 and T-7 and T 4 compression fractures; L1 compression deformity. s/p CABG; PICC; NG tube; PE; ptx.',
      ...generateReports(150, 7),
    ];
    const sticky = lexicon.phrases.map((p) => new RegExp(p.regex.source, p.regex.flags.replace('g', 'y')));
    for (const text of texts) {
      const doc = parseReport(text, 'all');
      const brute: string[] = [];
      doc.sentences.forEach((sentence) =>
        forEachTokenStart(text, sentence.start, sentence.end, (i) => {
          lexicon.phrases.forEach((p, k) => {
            sticky[k].lastIndex = i;
            if (sticky[k].test(text) && sticky[k].lastIndex <= sentence.end) brute.push(`${i}-${sticky[k].lastIndex} ${p.code} ${p.body}`);
          });
        }),
      );
      const indexed = matchPhrases(doc, lexicon).map((m) => `${m.start}-${m.end} ${m.rule.code} ${m.rule.body}`);
      expect(indexed.sort()).toEqual(brute.sort());
    }
  });
});
