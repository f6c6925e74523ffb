/** The worker side of `LabelerApi`: wires the engines, the batch runner and the stored results together. */
import { failure } from '../lib/errors.ts';
import type { LabelerApi, Outcome } from './api.ts';
import { describeEngines, engineFor } from './engines.ts';
import { inspectCsv } from './inspect.ts';
import { labelText, MAX_TYPED_REPORT_CHARS } from './label.ts';
import { exportJob, loadTable, readRowView } from './results.ts';
import { defaultHelpers, helpers, MAX_HELPERS, setHelpers } from './pool.ts';
import { cancelJob, pauseJob, resumeJob, startJob } from './runner.ts';
import * as Comlink from 'comlink';
import { deleteJob, listJobs, updateJob } from '../platform/storage/jobs.ts';
import { createModelService } from './webllm-entry.ts';
import { createGgufService } from './wllama-entry.ts';

export function createLabeler(): LabelerApi {
  return {
    ...createModelService(),
    ...createGgufService(),
    engines: async () => describeEngines(),
    async label({ text, engine, task }) {
      return labelText(await engineFor(engine), text, task, undefined, MAX_TYPED_REPORT_CHARS);
    },
    async inspectCsv(file, name, choices) {
      return attempt(() => inspectCsv(file, name, choices));
    },
    startJob,
    resumeJob,
    listJobs,
    deleteJob,
    pauseJob: async (id) => pauseJob(id),
    cancelJob,
    async loadTable(jobId) {
      const table = await loadTable(jobId);
      return Comlink.transfer(table, [table.status.buffer, table.codes.buffer, table.normal.buffer]);
    },
    readRow: readRowView,
    exportJob,
    async labelingHelpers(n) {
      return { helpers: n === undefined ? helpers() : setHelpers(n), default: defaultHelpers(), max: MAX_HELPERS };
    },
    async renameJob(jobId, name) {
      await updateJob(jobId, { name: name.trim() || undefined });
    },
  };
}

async function attempt<T>(f: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await f() };
  } catch (e) {
    return failure(e);
  }
}
