/** DOM-free CSV helpers shared by the CLI and the browser app. */
export { closest, editDistance, guessIdColumn, guessTextColumn, resolveColumn, resolveColumnList, splitColumnSpec } from './columns.ts';
export { TEXT_JOINER, idKey, joinSections, joinText, layoutFor, prepareRow, sectionHeading, type PreparedRow, type RowLayout } from './records.ts';
export { findingColumns, statusesFromCodes, type CodedRow, type ParsedFindingList } from './truth.ts';
export { csvField, csvLine } from './write.ts';
