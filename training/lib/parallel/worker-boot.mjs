// Entry of a labeling worker thread. A TypeScript loader registered in the parent (`node --import tsx`, the
// package bin) does not reach worker threads on Node 20, so the worker registers tsx for itself.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
