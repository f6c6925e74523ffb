/**
 * Imported once by a worker so the Privacy panel can list the worker's own requests: a worker's resource
 * timing entries live in the worker, out of the page's sight. Posts them on a BroadcastChannel. Uses no DOM, so it loads in any worker.
 */
import { NETWORK_CHANNEL, type ProbeMessage, type RequestRecord } from '../lib/network-protocol.ts';

function start(): void {
  if (typeof BroadcastChannel === 'undefined' || typeof PerformanceObserver === 'undefined') return;
  const channel = new BroadcastChannel(NETWORK_CHANNEL);
  const sent: ProbeMessage[] = [];
  const post = (message: ProbeMessage) => {
    sent.push(message);
    channel.postMessage(message);
  };
  channel.onmessage = (event: MessageEvent<ProbeMessage>) => {
    if (event.data?.kind === 'replay') for (const m of sent) channel.postMessage(m);
  };
  // A full buffer silently drops later entries; a long session can make many requests (model shards).
  performance.setResourceTimingBufferSize?.(5000);
  const origin = performance.timeOrigin;
  const observe = (type: string, onEntries: (entries: PerformanceEntryList) => void) => {
    try {
      new PerformanceObserver((list) => onEntries(list.getEntries())).observe({ type, buffered: true });
    } catch {
      /* entry type not supported in this browser */
    }
  };
  observe('resource', (entries) => {
    const records: RequestRecord[] = (entries as PerformanceResourceTiming[]).map((e) => ({
      url: e.name,
      source: 'worker',
      initiatorType: e.initiatorType,
      at: origin + e.startTime,
      durationMs: e.duration,
      transferSize: e.transferSize,
    }));
    if (records.length) post({ kind: 'requests', records });
  });
}

start();
