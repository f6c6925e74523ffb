/**
 * Types-only protocol between the worker probe and the page's network log. Both sides import it; the channel
 * carries plain objects so it works from a dedicated worker without any wrapper.
 */

export const NETWORK_CHANNEL = 'radreportx:network';

export type RequestSource = 'page' | 'worker';

/** One request, with times in epoch milliseconds so page and worker clocks line up. */
export interface RequestRecord {
  url: string;
  source: RequestSource;
  /** `fetch`, `script`, `link`, `img`, `navigation`, ... as the Resource Timing API names it. */
  initiatorType: string;
  at: number;
  durationMs: number;
  /** Bytes over the network; 0 when served from a cache or not exposed by the browser. */
  transferSize: number;
}

export type ProbeMessage =
  | { kind: 'requests'; records: RequestRecord[] }
  /** Sent by the page when its log starts, so a worker that started earlier sends everything again. */
  | { kind: 'replay' };
