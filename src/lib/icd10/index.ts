/** Task 1 (ICD-10-CM phrases): the public surface. */
export { extractIcd10, matchPhrases, resolveOverlaps, type ExtractOptions } from './extract.ts';
export { validateIcd10, type ValidatedIcd10 } from './validate.ts';
export { codeMetrics, phraseMetrics, icd10Metrics, prf1, samePhrase, type PrF1, type Icd10Metrics, type Icd10Reference, type ReportPair } from './metrics.ts';
export { normaliseCode, isWellFormedCode, categoryOf, CODE_SHAPE } from './code.ts';
export { icd10Lexicon, lookupCode, compileIcd10Lexicon, validateTable, validatePhrases, type Icd10Lexicon } from './lexicon.ts';
export { ICD10_TABLE, type Icd10TableRow, type Icd10Default } from './table.ts';
export { PHRASE_RULES, type PhraseRule } from './phrases.ts';
