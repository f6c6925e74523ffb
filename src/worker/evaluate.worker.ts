/** Evaluate worker entry: parses both files off the main thread, so big files never freeze the page. */
import { expose } from 'comlink';
import { evaluateApi } from './evaluate-api.ts';
import '../platform/network-probe.ts';

expose(evaluateApi);
