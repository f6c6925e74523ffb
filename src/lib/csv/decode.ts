/**
 * Bytes to text for the CSV reader, the same in the page and the CLI: the encoding is found from the first bytes
 * (a BOM, UTF-16 without one, binary files refused with what they look like) or named by the user; UTF-8 is
 * decoded strictly, so a byte that is not UTF-8 is an error naming its line and byte, never a silent `�`; line
 * endings (CRLF, CR) become `\n` everywhere, quoted fields included, so offsets are the same whatever the file.
 */
import { InvalidEncodingError, RadReportXError } from '../errors.ts';

/** Encodings a user can name. `auto` finds UTF-8 or UTF-16 (with or without a BOM). */
export const ENCODINGS = ['auto', 'utf-8', 'utf-16le', 'utf-16be', 'windows-1252'] as const;
export type Encoding = Exclude<(typeof ENCODINGS)[number], 'auto'>;

/** Older spellings the CLI accepted. */
const ALIASES: Record<string, Encoding> = { utf8: 'utf-8', latin1: 'windows-1252', 'iso-8859-1': 'windows-1252', cp1252: 'windows-1252', 'utf-16': 'utf-16le' };

export function parseEncoding(name: string): Encoding | 'auto' {
  const n = name.trim().toLowerCase();
  if ((ENCODINGS as readonly string[]).includes(n)) return n as Encoding | 'auto';
  if (ALIASES[n]) return ALIASES[n];
  throw new RadReportXError('BadUsage', `Unknown text encoding "${name}".`, `Use one of: ${ENCODINGS.join(', ')}.`);
}

export class NotTextError extends RadReportXError {
  constructor(what: string, kind: string) {
    super('NotCsv', `${what} is not a CSV file: it is ${kind}.`, 'Save it as CSV (in Excel: File → Save As → "CSV UTF-8"), one report per row, and try again.');
  }
}

/** What the first bytes say about the encoding. */
export interface EncodingGuess {
  encoding: Encoding;
  /** The file starts with a byte order mark (it is skipped). */
  bom: boolean;
}

/**
 * The encoding of a file from its first bytes (a few KB is plenty). Throws `NotTextError` for binary files,
 * naming what they look like. Text that is not UTF-8 fails when decoded (TextChunks), naming line and byte.
 */
export function detectEncoding(head: Uint8Array, what = 'The file'): EncodingGuess {
  if (starts(head, [0xef, 0xbb, 0xbf])) return { encoding: 'utf-8', bom: true };
  if (starts(head, [0xff, 0xfe])) return { encoding: 'utf-16le', bom: true };
  if (starts(head, [0xfe, 0xff])) return { encoding: 'utf-16be', bom: true };
  const kind = binaryKind(head);
  if (kind) throw new NotTextError(what, kind);
  const utf16 = utf16WithoutBom(head);
  if (utf16) return { encoding: utf16, bom: false };
  if (head.includes(0)) throw new NotTextError(what, 'binary data, not text');
  // Not checked for UTF-8 here: the decoder names the line and byte of the first bad byte.
  return { encoding: 'utf-8', bom: false };
}

function starts(bytes: Uint8Array, prefix: number[]): boolean {
  return prefix.every((b, i) => bytes[i] === b);
}

function binaryKind(head: Uint8Array): string | undefined {
  if (starts(head, [0x50, 0x4b, 0x03, 0x04])) return 'a ZIP archive (an Excel .xlsx workbook is one)';
  if (starts(head, [0xd0, 0xcf, 0x11, 0xe0])) return 'an old Excel (.xls) or Word file';
  if (starts(head, [0x25, 0x50, 0x44, 0x46])) return 'a PDF';
  if (starts(head, [0x1f, 0x8b])) return 'a gzip archive';
  return undefined;
}

/** UTF-16 text without a BOM: every other byte is zero (ASCII text), on the odd bytes (LE) or the even ones (BE). */
function utf16WithoutBom(head: Uint8Array): Encoding | undefined {
  const n = Math.min(head.length, 4096) & ~1;
  if (n < 4) return undefined;
  let evenZero = 0;
  let oddZero = 0;
  for (let i = 0; i < n; i += 2) {
    if (head[i] === 0) evenZero++;
    if (head[i + 1] === 0) oddZero++;
  }
  const pairs = n / 2;
  if (oddZero > pairs * 0.4 && evenZero < pairs * 0.05) return 'utf-16le';
  if (evenZero > pairs * 0.4 && oddZero < pairs * 0.05) return 'utf-16be';
  return undefined;
}

export function notUtf8(where: string): RadReportXError {
  const e = new InvalidEncodingError(where);
  return new RadReportXError(
    e.code,
    e.message,
    'Save the file as UTF-8 (for example "CSV UTF-8" in Excel), or choose its encoding: windows-1252 (--encoding windows-1252) reads files from older Excel versions.',
  );
}

/**
 * Offset of the first byte that starts an invalid UTF-8 sequence, or -1. A sequence cut at the end is valid
 * unless `complete` (the bytes are the whole file).
 */
export function firstInvalidUtf8(bytes: Uint8Array, complete = false): number {
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i];
    const need = b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (need < 0) return i;
    for (let k = 1; k <= need; k++) {
      if (i + k >= bytes.length) return complete ? i : -1;
      if ((bytes[i + k] & 0xc0) !== 0x80) return i;
    }
    i += need + 1;
  }
  return -1;
}

/** Decodes byte chunks to text with `\n` line endings; errors name the line and byte. */
export class TextChunks {
  readonly #decoder: TextDecoder;
  readonly #encoding: Encoding;
  readonly #what: string;
  #bytes = 0;
  #lines = 1;
  #pendingCr = false;

  constructor(encoding: Encoding, what = 'The file') {
    // The BOM, if any, is dropped by TextDecoder (ignoreBOM: false).
    this.#decoder = new TextDecoder(encoding, { fatal: encoding === 'utf-8' });
    this.#encoding = encoding;
    this.#what = what;
  }

  /** Bytes consumed so far. */
  get bytes(): number {
    return this.#bytes;
  }

  push(chunk: Uint8Array): string {
    let text: string;
    try {
      text = this.#decoder.decode(chunk, { stream: true });
    } catch {
      throw this.#encodingError(chunk);
    }
    this.#bytes += chunk.length;
    return this.#normalise(text, false);
  }

  end(): string {
    let text: string;
    try {
      text = this.#decoder.decode();
    } catch {
      throw notUtf8(`The end of ${this.#what.replace(/^The /, 'the ')} (a character cut off)`);
    }
    return this.#normalise(text, true);
  }

  // A CR at the end of a chunk waits for the next chunk in case an LF follows.
  #normalise(text: string, last: boolean): string {
    if (this.#pendingCr) text = `\r${text}`;
    this.#pendingCr = !last && text.endsWith('\r');
    if (this.#pendingCr) text = text.slice(0, -1);
    const out = text.indexOf('\r') < 0 ? text : text.replace(/\r\n?/g, '\n');
    for (let i = out.indexOf('\n'); i >= 0; i = out.indexOf('\n', i + 1)) this.#lines++;
    return out;
  }

  #encodingError(chunk: Uint8Array): RadReportXError {
    if (this.#encoding !== 'utf-8') return notUtf8(this.#what);
    const bad = firstInvalidUtf8(chunk);
    const before = bad > 0 ? new TextDecoder().decode(chunk.subarray(0, bad)) : '';
    const line = this.#lines + (before.match(/\r\n|\r|\n/g)?.length ?? 0);
    return notUtf8(`Line ${line} of ${this.#what.replace(/^The /, 'the ')} (byte ${this.#bytes + Math.max(bad, 0) + 1})`);
  }
}
