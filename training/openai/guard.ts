/**
 * The patient-data guard: report text leaves this machine only when the user says so. An endpoint on loopback
 * (a local vLLM server) is always allowed; any other host needs `--allow-remote`. The check runs before any
 * client exists, so a refused run opens no connection at all.
 */
import { isIP } from 'node:net';
import { RemoteNotAllowedError } from '../../src/lib/errors.ts';

// Callers have imported it from here; the class lives with every other error.
export { RemoteNotAllowedError };

/** The hostname of `url` without IPv6 brackets, lower case. */
export function hostOf(url: string): string {
  return new URL(url).hostname.replace(/^\[|\]$/g, '').toLowerCase();
}

/** True for 127.0.0.0/8, ::1 (also as ::ffff:127.x.x.x) and the name `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) {
    if (h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
    if (mapped) return mapped[1].startsWith('127.');
    // Node prints mapped addresses in hex too: ::ffff:7f00:1 is 127.0.0.1.
    return /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(h);
  }
  return false;
}

/** Throws `RemoteNotAllowedError` when `url` is not loopback, `reports` > 0 and remote use was not allowed. */
export function checkDestination(url: string, reports: number, allowRemote: boolean): void {
  const host = hostOf(url);
  if (reports > 0 && !allowRemote && !isLoopbackHost(host)) throw new RemoteNotAllowedError(host, reports);
}
