/** The labeling worker: every engine, CSV parse and storage write runs here, off the page's main thread. */
import * as Comlink from 'comlink';
import { createLabeler } from './service.ts';
// Lets the Privacy panel list this worker's own requests (model downloads), which the page cannot see.
import '../platform/network-probe.ts';

Comlink.expose(createLabeler());
