import { describe, expect, it } from 'vitest';
import { Progress, formatDuration } from './progress.ts';

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, write: (s: string) => writes.push(s) } as unknown as NodeJS.WriteStream };
}

describe('Progress', () => {
  it('is silent on a non-terminal unless forced, then prints lines with rate and ETA', () => {
    let now = 0;
    const quiet = fakeStream(false);
    const auto = new Progress({ mode: 'auto', totalBytes: 1000, stream: quiet.stream, now: () => now });
    for (let i = 0; i < 1024; i++) auto.tick();
    expect(quiet.writes).toEqual([]);

    const forced = fakeStream(false);
    const p = new Progress({ mode: 'on', totalBytes: 1000, stream: forced.stream, now: () => now });
    now = 2500; // ms
    p.bytes(250);
    for (let i = 0; i < 256; i++) p.tick();
    // 256 rows in 2.5 s; a quarter of the bytes read, so three times as long again to go.
    expect(forced.writes).toEqual(['256 rows  102 rows/s  25%  ETA 8s\n']);
    for (let i = 0; i < 256; i++) p.tick(); // under 2 s later: no new line
    expect(forced.writes).toHaveLength(1);
    p.done();
    expect(forced.writes).toHaveLength(1);
  });

  it('redraws in place on a terminal and clears the line at the end', () => {
    let now = 0;
    const tty = fakeStream(true);
    const p = new Progress({ mode: 'auto', totalBytes: 0, stream: tty.stream, now: () => now });
    now = 1000;
    for (let i = 0; i < 256; i++) p.tick();
    expect(tty.writes).toEqual(['\r\x1b[K256 rows  256 rows/s']);
    p.done();
    expect(tty.writes[1]).toBe('\r\x1b[K');
    expect(p.rows).toBe(256);
  });

  it('is off with --quiet even on a terminal', () => {
    const tty = fakeStream(true);
    const p = new Progress({ mode: 'off', totalBytes: 10, stream: tty.stream, now: () => 1e6 });
    for (let i = 0; i < 1024; i++) p.tick();
    p.done();
    expect(tty.writes).toEqual([]);
  });
});

describe('formatDuration', () => {
  it('formats seconds, minutes and hours', () => {
    expect(formatDuration(4.2)).toBe('5s');
    expect(formatDuration(125)).toBe('2m05s');
    expect(formatDuration(3 * 3600 + 7 * 60)).toBe('3h07m');
  });
});
