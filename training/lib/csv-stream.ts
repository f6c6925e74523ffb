/**
 * Streams the rows of a CSV file on Node in constant memory: bytes → strict text decoding (invalid UTF-8 is an
 * error naming the line, never silently replaced) → CRLF normalised → papaparse → one string[] per row.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Transform, type TransformCallback } from 'node:stream';
import Papa from 'papaparse';
import { EmptyInputError, InvalidEncodingError, RadReportXError, UsageError } from '../../src/lib/errors.ts';

export interface CsvReadOptions {
  /** Field delimiter; `,` unless told (auto-detection guesses wrong on free text full of semicolons). */
  delimiter?: string;
  /** A WHATWG encoding label; `utf-8` (default) is decoded strictly. */
  encoding?: string;
  /** Called with the number of input bytes consumed so far, for progress. */
  onBytes?: (bytes: number) => void;
}

export const ENCODINGS = ['utf-8', 'windows-1252', 'latin1', 'utf-16le'] as const;

/** Decodes byte chunks to text, failing on the first undecodable byte with its line number. */
class DecodeStream extends Transform {
  readonly #decoder: TextDecoder;
  readonly #label: string;
  readonly #onBytes?: (bytes: number) => void;
  #bytes = 0;
  #lines = 1;
  #pendingCr = false;

  constructor(path: string, encoding: string, onBytes?: (bytes: number) => void) {
    super({ readableObjectMode: false, decodeStrings: true, encoding: 'utf8' });
    try {
      this.#decoder = new TextDecoder(encoding, { fatal: true });
    } catch {
      throw new UsageError(`Unknown text encoding "${encoding}".`, `Use one of: ${ENCODINGS.join(', ')}.`);
    }
    this.#label = path;
    this.#onBytes = onBytes;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    let text: string;
    try {
      text = this.#decoder.decode(chunk, { stream: true });
    } catch {
      done(this.#encodingError(chunk));
      return;
    }
    this.#bytes += chunk.length;
    this.#onBytes?.(this.#bytes);
    this.#emit(text);
    done();
  }

  override _flush(done: TransformCallback): void {
    let text: string;
    try {
      text = this.#decoder.decode();
    } catch {
      done(new InvalidEncodingError(`The end of "${this.#label}" (a character cut off)`));
      return;
    }
    this.#emit(text);
    if (this.#pendingCr) this.push('\n');
    done();
  }

  // CRLF and lone CR become LF so papaparse sees one kind of line ending, even in files that mix them; a CR at
  // the end of a chunk waits for the next chunk in case an LF follows.
  #emit(text: string): void {
    if (!text) return;
    if (this.#pendingCr) text = `\r${text}`;
    this.#pendingCr = text.endsWith('\r');
    if (this.#pendingCr) text = text.slice(0, -1);
    const normalised = text.replace(/\r\n?/g, '\n');
    for (let i = normalised.indexOf('\n'); i >= 0; i = normalised.indexOf('\n', i + 1)) this.#lines++;
    if (normalised) this.push(normalised);
  }

  #encodingError(chunk: Buffer): RadReportXError {
    // Decode the good prefix of the chunk to count the lines before the bad byte.
    const bad = firstInvalidUtf8(chunk);
    const before = bad > 0 ? chunk.subarray(0, bad).toString('utf8') : '';
    const line = this.#lines + (before.match(/\r\n|\r|\n/g)?.length ?? 0);
    const error = new InvalidEncodingError(`Line ${line} of "${this.#label}" (byte ${this.#bytes + Math.max(bad, 0) + 1})`);
    return new RadReportXError(
      error.code,
      error.message,
      'Save the file as UTF-8 (for example "CSV UTF-8" in Excel), or name its encoding with --encoding windows-1252.',
    );
  }
}

/** Offset of the first byte that starts an invalid UTF-8 sequence, or -1 (a sequence cut at the end is valid). */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i];
    const need = b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (need < 0) return i;
    for (let k = 1; k <= need; k++) {
      if (i + k >= bytes.length) return -1;
      if ((bytes[i + k] & 0xc0) !== 0x80) return i;
    }
    i += need + 1;
  }
  return -1;
}

export async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UsageError(`The file "${path}" does not exist.`);
    if (code === 'EISDIR') throw new UsageError(`"${path}" is a folder, not a CSV file.`);
    throw e;
  }
}

/**
 * Yields every row of the file, header first, as arrays of strings. Empty lines are skipped. Throws
 * `EmptyInputError` for a file with no bytes or only blank lines, `InvalidEncodingError` for bad bytes.
 */
export async function* readCsvRows(path: string, options: CsvReadOptions = {}): AsyncGenerator<string[]> {
  const size = await fileSize(path);
  if (size === 0) throw new EmptyInputError(`The file "${path}"`);
  const source = createReadStream(path, { highWaterMark: 256 * 1024 });
  const decode = new DecodeStream(path, options.encoding ?? 'utf-8', options.onBytes);
  const parser = Papa.parse(Papa.NODE_STREAM_INPUT, {
    delimiter: options.delimiter ?? ',',
    newline: '\n',
    skipEmptyLines: true,
  }) as unknown as NodeJS.ReadWriteStream;
  // Errors on either side must surface in the consumer's `for await`, so they are forwarded into the parser.
  const fail = (e: Error) => (parser as unknown as { destroy(e: Error): void }).destroy(e);
  source.on('error', fail);
  decode.on('error', fail);
  source.pipe(decode).pipe(parser);
  let any = false;
  try {
    for await (const row of parser as AsyncIterable<string[]>) {
      any = true;
      yield row;
    }
  } finally {
    source.destroy();
    decode.destroy();
  }
  if (!any) throw new EmptyInputError(`The file "${path}"`);
}
