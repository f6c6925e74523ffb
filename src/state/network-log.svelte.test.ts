import { describe, expect, it } from 'vitest';
import type { RequestRecord } from '../lib/network-protocol.ts';
import { NetworkLog } from './network-log.svelte.ts';

const request = (url: string, at: number): RequestRecord => ({ url, source: 'page', initiatorType: 'fetch', at, durationMs: 1, transferSize: 0 });

describe('NetworkLog', () => {
  it('keeps each request once, in time order, and tells other sites from this one (blob: and data: are local)', () => {
    const log = new NetworkLog('http://127.0.0.1:4173');
    log.add([request('http://127.0.0.1:4173/b.js', 20), request('http://127.0.0.1:4173/a.js', 10)]);
    log.add([request('http://127.0.0.1:4173/a.js', 10), request('https://cdn.example/x.js', 30), request('blob:http://127.0.0.1:4173/1', 40)]);
    expect(log.records.map((r) => r.at)).toEqual([10, 20, 30, 40]);
    expect(log.offSite.map((r) => r.url)).toEqual(['https://cdn.example/x.js']);
    expect(log.isSameOrigin('data:text/plain,x')).toBe(true);
    expect(log.isSameOrigin('not a url at all ::')).toBe(true); // relative to the page
  });

  it('counts the requests made during the last labeling run, open or closed', () => {
    const log = new NetworkLog('http://127.0.0.1:4173');
    expect(log.lastRun).toBeUndefined();
    expect(log.duringLastRun).toEqual([]);
    log.add([request('http://127.0.0.1:4173/before', 5)]);
    log.setLabeling(true, 10);
    log.setLabeling(true, 11); // already open: no second run
    expect(log.runs).toEqual([{ start: 10 }]);
    log.add([request('http://127.0.0.1:4173/during', 15)]);
    expect(log.duringLastRun.map((r) => r.url)).toEqual(['http://127.0.0.1:4173/during']);
    log.setLabeling(false, 20);
    log.add([request('http://127.0.0.1:4173/after', 25)]);
    expect(log.lastRun).toEqual({ start: 10, end: 20 });
    expect(log.duringLastRun.map((r) => r.url)).toEqual(['http://127.0.0.1:4173/during']);
  });
});
