/**
 * Every request this page (and a worker that loads `src/platform/network-probe.ts`) has made since it loaded, from the
 * Resource Timing API, and the batch labeling runs of this tab (read from the batch state). Started when the
 * module is first imported, which is at app start since App imports the Privacy panel.
 */
import { untrack } from 'svelte';
import { batch } from './batch.svelte.ts';
import { NETWORK_CHANNEL, type ProbeMessage, type RequestRecord, type RequestSource } from '../lib/network-protocol.ts';

export interface LabelingRun {
  start: number;
  /** Undefined while the run is still going. */
  end?: number;
}

export class NetworkLog {
  #records = $state.raw<RequestRecord[]>([]);
  #runs = $state.raw<LabelingRun[]>([]);
  readonly origin: string;
  #seen = new Set<string>();

  /** Requests to any origin but the page's own. */
  #offSite = $derived(this.#records.filter((r) => !this.isSameOrigin(r.url)));
  #lastRun = $derived(this.#runs.at(-1));
  /** Requests that started while the last labeling run was going (or since it began, if it still is). */
  #duringLastRun = $derived.by(() => {
    const run = this.#lastRun;
    if (!run) return [];
    return this.#records.filter((r) => r.at >= run.start && (run.end === undefined || r.at <= run.end));
  });

  /** Every request seen, oldest first. */
  get records(): readonly RequestRecord[] {
    return this.#records;
  }
  get runs(): readonly LabelingRun[] {
    return this.#runs;
  }
  get offSite(): readonly RequestRecord[] {
    return this.#offSite;
  }
  get lastRun(): LabelingRun | undefined {
    return this.#lastRun;
  }
  get duringLastRun(): readonly RequestRecord[] {
    return this.#duringLastRun;
  }

  constructor(origin: string) {
    this.origin = origin;
  }

  isSameOrigin(url: string): boolean {
    try {
      const u = new URL(url, this.origin);
      // blob: and data: URLs are made in the page and never touch the network.
      return u.origin === this.origin || u.protocol === 'blob:' || u.protocol === 'data:';
    } catch {
      return false;
    }
  }

  add(records: readonly RequestRecord[]): void {
    const fresh = records.filter((r) => {
      const key = `${r.source}|${r.url}|${Math.round(r.at)}`;
      if (this.#seen.has(key)) return false;
      this.#seen.add(key);
      return true;
    });
    if (fresh.length) this.#records = [...this.#records, ...fresh].sort((a, b) => a.at - b.at);
  }

  /** Called when this tab starts or stops labeling: opens a run, or closes the open one. */
  setLabeling(busy: boolean, at = performance.timeOrigin + performance.now()): void {
    const last = this.#runs.at(-1);
    const open = last !== undefined && last.end === undefined;
    if (busy && !open) this.#runs = [...this.#runs, { start: at }];
    else if (!busy && open) this.#runs = [...this.#runs.slice(0, -1), { ...last, end: at }];
  }

  /** Starts observing this page and listening to worker probes. Call once. */
  start(): void {
    performance.setResourceTimingBufferSize?.(5000);
    const origin = performance.timeOrigin;
    const fromEntry = (e: PerformanceResourceTiming, source: RequestSource): RequestRecord => ({
      url: e.name,
      source,
      initiatorType: e.initiatorType,
      at: origin + e.startTime,
      durationMs: e.duration,
      transferSize: e.transferSize,
    });
    const navigation = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
    if (navigation) this.add([{ ...fromEntry(navigation, 'page'), initiatorType: 'navigation' }]);
    const observe = (type: string, onEntries: (entries: PerformanceEntryList) => void) => {
      try {
        new PerformanceObserver((list) => onEntries(list.getEntries())).observe({ type, buffered: true });
      } catch {
        /* entry type not supported in this browser */
      }
    };
    observe('resource', (entries) => this.add((entries as PerformanceResourceTiming[]).map((e) => fromEntry(e, 'page'))));
    $effect.root(() => {
      $effect(() => {
        const busy = batch.running.size > 0;
        untrack(() => this.setLabeling(busy));
      });
    });
    if (typeof BroadcastChannel !== 'undefined') {
      const channel = new BroadcastChannel(NETWORK_CHANNEL);
      channel.onmessage = (event: MessageEvent<ProbeMessage>) => {
        const m = event.data;
        if (m?.kind === 'requests') this.add(m.records);
      };
      channel.postMessage({ kind: 'replay' } satisfies ProbeMessage);
    }
  }
}

/** The app's one log; undefined outside a browser (unit tests, server rendering). */
export const networkLog: NetworkLog | undefined =
  typeof window !== 'undefined' && typeof performance !== 'undefined' ? new NetworkLog(location.origin) : undefined;
networkLog?.start();
