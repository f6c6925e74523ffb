/**
 * The patient-data guard: report text leaves this machine only when the user says so. An endpoint on loopback
 * (a local vLLM server) is always allowed; any other host needs `--allow-remote`. The check runs before any
 * client exists, so a refused run opens no connection at all.
 */
import { isIP } from 'node:net';
import { RadReportXError } from '../../src/lib/errors.ts';

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

export class RemoteNotAllowedError extends RadReportXError {
  readonly host: string;
  readonly reports: number;
  constructor(host: string, reports: number) {
    super(
      'RemoteNotAllowed',
      `Not sending anything: ${reports.toLocaleString('en-US')} report${reports === 1 ? '' : 's'} would go to ${host}, which is not this machine.`,
      'Reports may hold patient data. If sending them to this host is allowed (a data processing agreement, ' +
        'de-identified text), add --allow-remote. A server on 127.0.0.1 or localhost needs no flag.',
    );
    this.host = host;
    this.reports = reports;
  }
}

/** Throws `RemoteNotAllowedError` when `url` is not loopback, `reports` > 0 and remote use was not allowed. */
export function checkDestination(url: string, reports: number, allowRemote: boolean): void {
  const host = hostOf(url);
  if (reports > 0 && !allowRemote && !isLoopbackHost(host)) throw new RemoteNotAllowedError(host, reports);
}
