/**
 * The model half of the page ↔ worker API, types only. The worker owns the WebLLM engine, its downloads and the
 * model caches; the page probes the GPU and shows progress. Failures come back as `{ ok: false, code, message }`.
 */
import type { Outcome } from '../errors.ts';
import type { LoadProgress } from './progress.ts';
import type { WeightSource } from './registry.ts';


export interface ModelCacheStatus {
  modelId: string;
  source: WeightSource;
  /** WebLLM's own `hasModelInCache`: the manifest and every shard are in Cache Storage. */
  cached: boolean;
  /** The model library (.wasm) is cached too, so loading needs no network at all. */
  libraryCached: boolean;
  /** Bytes of this model's entries in the three WebLLM caches. */
  bytes: number;
  /** Shards cached of those the manifest lists (0 of 0 when the manifest itself is not cached). */
  shardsCached: number;
  shardsTotal: number;
}

export interface LoadedModel {
  modelId: string;
  source: WeightSource;
  /** Seconds from the call to ready, download included. */
  loadSeconds: number;
  /** Bytes fetched from the network during this load (0 when everything was cached). */
  bytesDownloaded: number;
}

/** One file of a folder chosen for import: its path inside the folder, and the File itself (not read yet). */
export interface ImportFile {
  path: string;
  file: File;
}

export interface ImportReport {
  modelId: string;
  files: number;
  bytes: number;
  /** True when the folder held the model library too, so loading needs no network at all. */
  libraryImported: boolean;
}

export type LoadProgressCallback = (p: LoadProgress) => void;

export interface ModelApi {
  /** The model loaded in the worker now, if any. */
  loadedModel(): Promise<LoadedModel | undefined>;
  modelCacheStatus(modelId: string, source?: WeightSource): Promise<Outcome<ModelCacheStatus>>;
  /** Downloads what is not cached (with progress), then loads onto the GPU. Resolves when ready, failed or cancelled. */
  loadModel(modelId: string, source: WeightSource, onProgress: LoadProgressCallback): Promise<Outcome<LoadedModel>>;
  /** Stops a load in progress; the files already downloaded stay cached. */
  cancelLoad(): Promise<void>;
  unloadModel(): Promise<void>;
  deleteModel(modelId: string, source?: WeightSource): Promise<Outcome<ModelCacheStatus>>;
  /** Checks a chosen folder against its manifests and writes it into the browser cache under the site's URLs. */
  importModelFolder(modelId: string, files: ImportFile[], onProgress: LoadProgressCallback): Promise<Outcome<ImportReport>>;
}
