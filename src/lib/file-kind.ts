/**
 * What kind of file the first bytes say this is, before anything tries to read it as CSV: a spreadsheet saved as
 * a workbook, a PDF or an image is refused with its real name, and UTF-16 text is recognised (with or without a
 * byte-order mark) instead of being blamed on windows-1252. Pure and DOM-free: the page and the CLI both call it
 * on the first few kilobytes of the file.
 */

export type FileKind =
  | { kind: 'text'; encoding?: 'utf-16le' | 'utf-16be' }
  | { kind: 'not-text'; what: string; advice: string };

const SAVE_AS_CSV = 'Open it in your spreadsheet program and save it as "CSV UTF-8" (File → Save As), then use that file.';

// Magic numbers of the files people most often pick by mistake instead of a CSV export.
const SIGNATURES: { bytes: number[]; what: string; advice: string }[] = [
  { bytes: [0x50, 0x4b, 0x03, 0x04], what: 'an Excel workbook or another zip archive (.xlsx, .zip)', advice: SAVE_AS_CSV },
  { bytes: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], what: 'an old Excel or Word file (.xls, .doc)', advice: SAVE_AS_CSV },
  { bytes: [0x25, 0x50, 0x44, 0x46], what: 'a PDF document', advice: 'Export the reports as a CSV file with one report per row.' },
  { bytes: [0x89, 0x50, 0x4e, 0x47], what: 'a PNG image', advice: 'Choose the CSV file that holds the reports.' },
  { bytes: [0xff, 0xd8, 0xff], what: 'a JPEG image', advice: 'Choose the CSV file that holds the reports.' },
  { bytes: [0x1f, 0x8b], what: 'a gzip-compressed file', advice: 'Decompress it first (gunzip), then use the CSV inside.' },
  { bytes: [0x53, 0x51, 0x4c, 0x69, 0x74, 0x65, 0x20, 0x66], what: 'an SQLite database', advice: 'Export the reports table as CSV.' },
];

/** How many leading bytes `fileKind` looks at; pass at least this many when the file is that long. */
export const SNIFF_BYTES = 4096;

export function fileKind(head: Uint8Array): FileKind {
  for (const s of SIGNATURES) {
    if (head.length >= s.bytes.length && s.bytes.every((b, i) => head[i] === b)) return { kind: 'not-text', what: s.what, advice: s.advice };
  }
  if (head[0] === 0xff && head[1] === 0xfe) return { kind: 'text', encoding: 'utf-16le' };
  if (head[0] === 0xfe && head[1] === 0xff) return { kind: 'text', encoding: 'utf-16be' };
  const n = Math.min(head.length, SNIFF_BYTES) & ~1;
  if (n >= 4) {
    // UTF-16 without a BOM: Latin text puts a zero in every other byte, on the odd bytes (LE) or the even ones (BE).
    let evenZero = 0;
    let oddZero = 0;
    for (let i = 0; i < n; i += 2) {
      if (head[i] === 0) evenZero++;
      if (head[i + 1] === 0) oddZero++;
    }
    const pairs = n / 2;
    if (oddZero > pairs * 0.6 && evenZero < pairs * 0.05) return { kind: 'text', encoding: 'utf-16le' };
    if (evenZero > pairs * 0.6 && oddZero < pairs * 0.05) return { kind: 'text', encoding: 'utf-16be' };
    if (evenZero + oddZero > 0) {
      return { kind: 'not-text', what: 'binary data (it has zero bytes, which text never has)', advice: 'Choose the CSV file that holds the reports.' };
    }
  }
  return { kind: 'text' };
}
