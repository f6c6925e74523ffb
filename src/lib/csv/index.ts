/** DOM-free CSV helpers shared by the CLI and the browser app. */
export { closest, editDistance, guessIdColumn, guessTextColumn, resolveColumn, resolveColumnList, splitColumnSpec } from './columns.ts';
export { TEXT_JOINER, idKey, joinSections, joinText, prepareRow, sectionHeading, type PreparedRow, type RowLayout } from './records.ts';
export { findingColumns, parseFindingList, statusesFromCodes, statusesFromNames, type CodedRow, type ParsedFindingList } from './truth.ts';
export { csvField, csvLine } from './write.ts';
