/** The labeling worker: every engine, CSV parse and storage write runs here, off the page's main thread. */
import * as Comlink from 'comlink';
import { createLabeler } from './service.ts';

Comlink.expose(createLabeler());
