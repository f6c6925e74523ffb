import { describe, expect, it } from 'vitest';
import { fileKind } from './file-kind.ts';

const bytes = (...b: number[]) => new Uint8Array(b);
const utf16le = (s: string) => new Uint8Array(Buffer.from(s, 'utf16le'));

describe('fileKind', () => {
  it('takes UTF-8 text, with or without a BOM, as text with no special encoding', () => {
    expect(fileKind(new TextEncoder().encode('id,report\n1,Pleural effusion. Größe\n'))).toEqual({ kind: 'text' });
    expect(fileKind(bytes(0xef, 0xbb, 0xbf, 0x61, 0x2c, 0x62))).toEqual({ kind: 'text' });
  });

  it('recognises UTF-16 by its BOM and, without one, by the zero in every other byte', () => {
    expect(fileKind(bytes(0xff, 0xfe, 0x61, 0))).toEqual({ kind: 'text', encoding: 'utf-16le' });
    expect(fileKind(bytes(0xfe, 0xff, 0, 0x61))).toEqual({ kind: 'text', encoding: 'utf-16be' });
    expect(fileKind(utf16le('id,report\n1,No acute disease.\n'))).toEqual({ kind: 'text', encoding: 'utf-16le' });
    expect(fileKind(new Uint8Array(Buffer.from(utf16le('id,report\n1,Clear.\n')).swap16()))).toEqual({ kind: 'text', encoding: 'utf-16be' });
  });

  it('names workbooks, PDFs, images and other binary files', () => {
    const kind = (b: Uint8Array) => {
      const k = fileKind(b);
      return k.kind === 'not-text' ? k.what : 'text';
    };
    expect(kind(bytes(0x50, 0x4b, 0x03, 0x04, 1, 2))).toMatch(/Excel workbook/);
    expect(kind(bytes(0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1))).toMatch(/old Excel/);
    expect(kind(new TextEncoder().encode('%PDF-1.7'))).toMatch(/PDF/);
    expect(kind(bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a))).toMatch(/PNG/);
    expect(kind(bytes(0x1f, 0x8b, 8, 0))).toMatch(/gzip/);
    expect(kind(bytes(1, 0, 0, 5, 9, 0, 200, 0, 0, 0, 3, 4))).toMatch(/binary data/);
  });
});
