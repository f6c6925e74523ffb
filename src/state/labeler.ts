/** The page's handle on the labeling worker (one per tab, started on first use). */
import * as Comlink from 'comlink';
import type { LabelerApi } from '../worker/api.ts';

let remote: Comlink.Remote<LabelerApi> | undefined;

export function labeler(): Comlink.Remote<LabelerApi> {
  remote ??= Comlink.wrap<LabelerApi>(
    new Worker(new URL('../worker/labeler.worker.ts', import.meta.url), { type: 'module', name: 'radreportx-labeler' }),
  );
  return remote;
}
