import { describe, expect, it } from 'vitest';
import { eta, formatBytes, formatLoadProgress, fromWebLlm } from './progress.ts';

describe('load progress', () => {
  it('reads WebLLM 0.2.86 fetch text into bytes, percent and time left', () => {
    const p = fromWebLlm({
      progress: 0.25,
      timeElapsed: 30,
      text: 'Fetching param cache[27/108]: 1150MB fetched. 25% completed, 30 secs elapsed. It can take a while when we first visit this page to populate the cache. Later refreshes will become faster.',
    });
    expect(p).toMatchObject({ phase: 'downloading', fraction: 0.25, bytesDone: 1150 * 2 ** 20, etaSeconds: 90 });
    expect(formatLoadProgress(p)).toBe('Downloading the model, 1.12 GB, 25%, about 2 min left');
  });

  it('tells the GPU loading phase and the end apart', () => {
    expect(fromWebLlm({ progress: 0.5, timeElapsed: 4, text: 'Loading model from cache[54/108]: 2300MB loaded. 50% completed, 4 secs elapsed.' }).phase).toBe('gpu');
    const done = fromWebLlm({ progress: 1, timeElapsed: 9, text: 'Finish loading on WebGPU - nvidia' });
    expect(done.phase).toBe('ready');
    expect(formatLoadProgress(done)).toBe('Model ready');
    expect(fromWebLlm({ progress: 0, timeElapsed: 0, text: 'Start to fetch params' }).phase).toBe('downloading');
  });

  it('gives no ETA until there is something to go on', () => {
    expect(eta(0, 10)).toBeUndefined();
    expect(eta(0.5, 0)).toBeUndefined();
    expect(eta(1, 10)).toBeUndefined();
    expect(eta(0.1, 10)).toBe(90);
  });

  it('formats our own download progress with totals', () => {
    const line = formatLoadProgress({ phase: 'downloading', bytesDone: 512 * 2 ** 20, bytesTotal: 4 * 2 ** 30, etaSeconds: 3700 });
    expect(line).toBe('Downloading the model, 512 MB of 4.00 GB, 12%, about 1 h 2 min left');
    expect(formatBytes(1536)).toBe('2 KB');
    expect(formatBytes(12)).toBe('12 B');
  });
});
