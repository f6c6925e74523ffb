/**
 * A code for a phrase the model gave without one: the released RadReportX may answer the ICD-10 task with the
 * phrase list alone (its weak labels kept only that line), so its phrases are coded with the project's own ICD-10
 * lexicon, and the result says the code was looked up, not model-given.
 */
import { icd10Lexicon, type Icd10Lexicon } from '../icd10/lexicon.ts';

/**
 * The code of the longest lexicon phrase inside `phrase` ("Bibasilar atelectasis" → J98.11), ties going to the
 * rule listed first, as in the rule extractor; undefined when no lexicon phrase occurs in it. No negation or
 * uncertainty is applied: the model already chose the phrase, this only names its code.
 */
export function lookupPhraseCode(phrase: string, lexicon: Icd10Lexicon = icd10Lexicon()): string | undefined {
  let best: { length: number; order: number; code: string } | undefined;
  for (const p of lexicon.phrases) {
    p.regex.lastIndex = 0;
    for (let m = p.regex.exec(phrase); m; m = p.regex.exec(phrase)) {
      const length = m[0].length;
      if (!best || length > best.length || (length === best.length && p.order < best.order)) best = { length, order: p.order, code: p.code };
      if (!length) p.regex.lastIndex++;
    }
  }
  return best?.code;
}
