/** The app's local storage: batch jobs, their results in order, the uploaded files. */
export { DB_NAME, isQuotaError } from './db.ts';
export {
  commitChunk,
  createJob,
  deleteEverything,
  deleteJob,
  emptyCounts,
  getFile,
  getJob,
  listJobs,
  readChunkPair,
  readRow,
  readRowChunks,
  storeFile,
  updateJob,
} from './jobs.ts';
export { CHUNK_ROWS, type FileMeta, type JobCounts, type JobRecord, type JobState, type RowDetail, type StoredRow } from './schema.ts';
