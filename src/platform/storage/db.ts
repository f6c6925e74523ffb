/** Opens the app's IndexedDB database (the same one from the page and the worker). */
import { openDB, type IDBPDatabase } from 'idb';
import type { RadReportXDb } from './schema.ts';

export const DB_NAME = 'radreportx';
const DB_VERSION = 1;

let opening: Promise<IDBPDatabase<RadReportXDb>> | undefined;

export function db(): Promise<IDBPDatabase<RadReportXDb>> {
  opening ??= openDB<RadReportXDb>(DB_NAME, DB_VERSION, {
    upgrade(database) {
      database.createObjectStore('jobs', { keyPath: 'id' });
      database.createObjectStore('rows', { keyPath: ['jobId', 'index'] });
      database.createObjectStore('details', { keyPath: ['jobId', 'index'] });
      database.createObjectStore('files', { keyPath: 'jobId' });
    },
    // Another tab upgraded the schema: close so it is not blocked, and reopen on next use.
    blocking() {
      void opening?.then((d) => d.close());
      opening = undefined;
    },
  });
  return opening;
}

/** True for the ways browsers report a full disk or a refused quota. */
export function isQuotaError(e: unknown): boolean {
  const name = (e as { name?: string } | null)?.name;
  return name === 'QuotaExceededError' || name === 'NS_ERROR_DOM_QUOTA_REACHED' || name === 'StorageFull';
}
