/**
 * What this site keeps on the device (IndexedDB, Cache Storage, Web Storage) and how to remove it. Browser
 * APIs only; every call tolerates a browser that lacks the API and says so instead of throwing.
 */

export interface StorageEstimate {
  usage: number;
  quota: number;
  /** True when the browser promised not to evict this site's data under storage pressure. */
  persisted: boolean;
}

export async function estimateStorage(): Promise<StorageEstimate | undefined> {
  if (!navigator.storage?.estimate) return undefined;
  const { usage = 0, quota = 0 } = await navigator.storage.estimate();
  const persisted = (await navigator.storage.persisted?.()) ?? false;
  return { usage, quota, persisted };
}

export interface StoredItem {
  kind: 'database' | 'cache';
  name: string;
  /** Entries in a cache (files); undefined for databases. */
  entries?: number;
  /** True for the app shell: the service worker's copy of the app, no user data. */
  appShell?: boolean;
}

/** The IndexedDB databases and Cache Storage caches this site holds, by name. */
export async function listStoredItems(): Promise<StoredItem[]> {
  const items: StoredItem[] = [];
  if (indexedDB.databases) {
    for (const d of await indexedDB.databases()) if (d.name) items.push({ kind: 'database', name: d.name });
  }
  if (typeof caches !== 'undefined') {
    for (const name of await caches.keys()) {
      const entries = (await (await caches.open(name)).keys()).length;
      items.push({ kind: 'cache', name, entries, appShell: isAppShellCache(name) });
    }
  }
  return items;
}

/**
 * Asks the browser to keep this site's data under storage pressure. Chromium answers without a prompt, from
 * how the site is used (installed, bookmarked, engagement); it may say no.
 */
export async function requestPersistence(): Promise<boolean> {
  if (!navigator.storage?.persist) return false;
  return navigator.storage.persist();
}

/** Jobs larger than this (bytes of input) are worth protecting from eviction. */
export const LARGE_JOB_BYTES = 20 * 1024 * 1024;

/** The service worker's copy of the app itself: no reports in it, and removing it would break offline use. */
export const isAppShellCache = (name: string) => name.startsWith('workbox-precache');

export interface DeleteReport {
  databases: string[];
  caches: string[];
  /** Databases still held open by another tab; their deletion completes once it closes. */
  blocked: string[];
  webStorageKeys: number;
}

/**
 * Deletes every IndexedDB database, every Cache Storage cache except the app shell, and Web Storage. Open
 * connections in this tab close on `versionchange` (the storage module listens for it); a database still
 * held by another tab is reported as blocked after a short wait, not left hanging.
 */
export async function deleteAllLocalData(blockedWaitMs = 3000): Promise<DeleteReport> {
  const report: DeleteReport = { databases: [], caches: [], blocked: [], webStorageKeys: 0 };
  const names = indexedDB.databases ? (await indexedDB.databases()).map((d) => d.name).filter((n): n is string => !!n) : [];
  await Promise.all(
    names.map(
      (name) =>
        new Promise<void>((resolve, reject) => {
          const request = indexedDB.deleteDatabase(name);
          let timer: ReturnType<typeof setTimeout> | undefined;
          request.onsuccess = () => {
            clearTimeout(timer);
            report.databases.push(name);
            resolve();
          };
          request.onerror = () => {
            clearTimeout(timer);
            reject(request.error ?? new Error(`Could not delete the database "${name}".`));
          };
          request.onblocked = () => {
            timer = setTimeout(() => {
              report.blocked.push(name);
              resolve();
            }, blockedWaitMs);
          };
        }),
    ),
  );
  if (typeof caches !== 'undefined') {
    for (const name of await caches.keys()) {
      if (isAppShellCache(name)) continue;
      if (await caches.delete(name)) report.caches.push(name);
    }
  }
  for (const storage of [localStorage, sessionStorage]) {
    report.webStorageKeys += storage.length;
    storage.clear();
  }
  return report;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}
