/** DOM-free CSV helpers shared by the CLI and the browser app. */
export { resolveColumn, resolveColumnList, splitColumnSpec } from './columns.ts';
export { idKey, layoutFor, prepareRow } from './records.ts';
export { findingColumns, statusesFromCodes } from './truth.ts';
export { csvLine } from './write.ts';
