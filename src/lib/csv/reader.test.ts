import { describe, expect, it } from 'vitest';
import { guessIdColumn, looksLikeText } from './columns.ts';
import { detectEncoding } from './decode.ts';
import { detectDelimiter, detectHeader, uniqueHeader } from './detect.ts';
import { CsvParser, parseCsvText, QUOTE_PROBLEMS } from './parse.ts';
import { blobChunks, dataRows, inspectHead, readCsv, type ReadSettings } from './reader.ts';
import { layoutFor, prepareRow } from './records.ts';

const bytes = (s: string) => new TextEncoder().encode(s);
const inspect = (s: string | Uint8Array, fileName = 'x.csv', choices = {}) => {
  const b = typeof s === 'string' ? bytes(s) : s;
  return inspectHead(b, b.length, { fileName, ...choices });
};

async function rows(content: Uint8Array, settings: ReadSettings, slice = 7) {
  const out: { fields: string[]; problem?: string }[] = [];
  for await (const batch of readCsv(blobChunks(new Blob([content as BlobPart]), slice), settings)) out.push(...batch.rows);
  return out;
}

function utf16(text: string, be = false, bom = true): Uint8Array {
  const out = new Uint8Array((text.length + (bom ? 1 : 0)) * 2);
  let at = 0;
  const put = (code: number) => {
    out[at++] = be ? code >> 8 : code & 0xff;
    out[at++] = be ? code & 0xff : code >> 8;
  };
  if (bom) put(0xfeff);
  for (let i = 0; i < text.length; i++) put(text.charCodeAt(i));
  return out;
}

describe('inspectHead: what the page shows and the CLI uses', () => {
  it('suggests findings + impression and the uid column for the IU X-ray layout', () => {
    const r = inspect('uid,MeSH,indication,findings,impression\n1,normal,Chest pain,"The lungs are clear bilaterally.",No acute disease.\n', 'iu.csv');
    expect(r.suggestedText).toEqual(['findings', 'impression']);
    expect(r.suggestedId).toEqual(['uid']);
    expect(r.noTextColumn).toBe(false);
    expect(r.settings).toEqual({ encoding: 'utf-8', delimiter: ',', hasHeader: true });
  });

  it('falls back to the column with the longest prose, and says when none looks like text', () => {
    expect(inspect('accession,code,narrative_x\nA1,42,"Heart size is normal and the lungs are clear."\n').suggestedText).toEqual(['narrative_x']);
    const n = inspect('id,age\n1,54\n2,61\n');
    expect(n.noTextColumn).toBe(true);
    expect(n.suggestedText).toEqual([]);
  });

  it('reads UTF-16 with and without a BOM, little and big endian', () => {
    const csv = 'id,report\n1,Heart size is normal.\n';
    for (const [data, encoding] of [
      [utf16(csv), 'utf-16le'],
      [utf16(csv, true), 'utf-16be'],
      [utf16(csv, false, false), 'utf-16le'],
      [utf16(csv, true, false), 'utf-16be'],
    ] as const) {
      const r = inspect(data);
      expect(r.settings.encoding).toBe(encoding);
      expect(r.header).toEqual(['id', 'report']);
      expect(r.sample[0]).toEqual(['1', 'Heart size is normal.']);
    }
  });

  it('reads windows-1252 when chosen, and names the line and the choice when it is not', () => {
    const latin = Uint8Array.from([...bytes('id,report\n1,caf'), 0xe9, ...bytes(' normal\n')]);
    expect(() => inspect(latin)).toThrow(expect.objectContaining({ name: 'InvalidEncoding', message: expect.stringMatching(/^Line 2 of "x.csv"/), hint: expect.stringContaining('windows-1252') }));
    expect(inspect(latin, 'x.csv', { encoding: 'windows-1252' }).sample[0]).toEqual(['1', 'café normal']);
  });

  it('refuses binary files with what they look like, without their content', () => {
    const zip = Uint8Array.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0, 0x61, 0x62]);
    expect(() => inspect(zip, 'r.xlsx')).toThrow(expect.objectContaining({ name: 'NotCsv', message: expect.stringContaining('Excel .xlsx') }));
    expect(() => detectEncoding(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 1, 2, 3, 0, 0, 9]))).toThrow(/binary data/);
  });

  it('refuses empty and header-only files', () => {
    expect(() => inspect('')).toThrow(expect.objectContaining({ name: 'EmptyInput' }));
    expect(() => inspect('  \n\n')).toThrow(expect.objectContaining({ name: 'EmptyInput' }));
    expect(() => inspect('id,report\n')).toThrow(expect.objectContaining({ message: expect.stringContaining('header but no rows') }));
  });

  it('flags duplicate column names and refuses the ambiguous name, accepting either unique one', () => {
    const r = inspect('report,report\nHeart normal.,Lungs clear.\n');
    expect(r.header).toEqual(['report (1)', 'report (2)']);
    expect(r.duplicates).toEqual([{ name: 'report', columns: [0, 1], names: ['report (1)', 'report (2)'] }]);
    expect(() => layoutFor(r.header, 'report', [], r.duplicates)).toThrow(expect.objectContaining({ name: 'MissingColumn', hint: expect.stringContaining('"report (2)"') }));
    expect(layoutFor(r.header, 'report (2)', [], r.duplicates).textColumns).toEqual([1]);
  });

  it('names the columns by position when the first row is a report, not a header', () => {
    const r = inspect('1,"Heart size is normal. Lungs are clear."\n2,"No effusion, no pneumothorax."\n');
    expect(r.settings.hasHeader).toBe(false);
    expect(r.detected.header.reason).toMatch(/cell 2 reads like report text|cell 1/);
    expect(r.header).toEqual(['column_1', 'column_2']);
    expect(r.sample).toHaveLength(2);
    expect(inspect('1,"Heart size is normal. Lungs are clear."\n2,x\n', 'x.csv', { header: true }).header).toEqual(['1', 'Heart size is normal. Lungs are clear.']);
  });
});

describe('detection', () => {
  it('keeps a one-column file with semicolons in its reports one column', () => {
    expect(detectDelimiter('report\nHeart normal; lungs clear.\nNo effusion; no edema.\n')).toBe(',');
    expect(inspect('report\nHeart normal; lungs clear.\n').header).toEqual(['report']);
  });

  it('finds tab, semicolon and pipe files; .tsv prefers tab', () => {
    expect(detectDelimiter('id\treport\n1\tLungs clear, heart normal.\n')).toBe('\t');
    expect(detectDelimiter('id;report\n1;Lungs clear, heart normal.\n2;Effusion, small.\n')).toBe(';');
    expect(detectDelimiter('id|report\n1|x\n')).toBe('|');
    expect(detectDelimiter('report\nx\n', 'notes.tsv')).toBe('\t');
    expect(inspect('id\treport\n1\tNo pleural effusion is seen.\n', 'x.tsv').header).toEqual(['id', 'report']);
  });

  it('tells a header from a first row of data', () => {
    expect(detectHeader([['Accession Number', 'Report Text'], ['CXR123', 'x']]).hasHeader).toBe(true);
    expect(detectHeader([['CXR123', 'Heart is normal.'], ['CXR124', 'y']]).hasHeader).toBe(false);
    expect(detectHeader([['2024-01-05', 'a'], ['2024-01-06', 'b']]).hasHeader).toBe(false);
  });

  it('recognises id columns by their common names', () => {
    for (const name of ['Accession Number', 'accession', 'study_id', 'MRN', 'StudyID', 'accession_no']) {
      expect(guessIdColumn(['Report', name]), name).toBe(1);
    }
    expect(guessIdColumn(['report', 'age'])).toBeUndefined();
  });

  it('makes duplicate names unique', () => {
    expect(uniqueHeader(['a', 'b', 'a']).header).toEqual(['a (1)', 'b', 'a (2)']);
  });

  it('tells prose from codes and numbers', () => {
    expect(looksLikeText(['No acute cardiopulmonary process.'])).toBe(true);
    expect(looksLikeText(['J90', '42', 'A-17'])).toBe(false);
  });
});

describe('the parser', () => {
  it('reads quoted fields, doubled quotes and quoted newlines, and skips blank lines', () => {
    expect(parseCsvText('a,b\n1,"x\ny"\n\n2,"he said ""hi"""\n', ',').map((r) => r.fields)).toEqual([['a', 'b'], ['1', 'x\ny'], ['2', 'he said "hi"']]);
  });

  it('flags text after a closing quote, and a quote open at the end without swallowing the next rows', () => {
    const r = parseCsvText('id,text\n3,"bad"x\n4,"open\n5,after\n6,last\n', ',');
    expect(r[1]).toEqual({ fields: ['3', 'bad"x'], problem: QUOTE_PROBLEMS.textAfterQuote });
    expect(r[2]).toEqual({ fields: ['4', 'open'], problem: QUOTE_PROBLEMS.unclosed });
    expect(r.slice(3).map((x) => x.fields)).toEqual([['5', 'after'], ['6', 'last']]);
  });

  it('gives the same rows whatever the chunking', () => {
    const text = 'id,text\n1,"a,b"\n2,plain\n3,"q""q"\n4,"multi\nline"\n';
    const whole = parseCsvText(text, ',');
    for (const size of [1, 2, 3, 5, 8]) {
      const p = new CsvParser(',');
      const got = [];
      for (let i = 0; i < text.length; i += size) got.push(...p.push(text.slice(i, i + size)));
      got.push(...p.end());
      expect(got, `chunks of ${size}`).toEqual(whole);
    }
  });
});

describe('readCsv over byte slices', () => {
  const settings: ReadSettings = { encoding: 'utf-8', delimiter: ',', hasHeader: true };

  it('keeps multi-byte characters cut by slices, strips the BOM and normalises CRLF', async () => {
    const data = bytes('\uFEFFid,report\r\n1,肺 é\r\n2,"a\r\nb"\r\n');
    for (const slice of [1, 2, 13, 14, 15]) {
      expect((await rows(data, settings, slice)).map((r) => r.fields)).toEqual([['id', 'report'], ['1', '肺 é'], ['2', 'a\nb']]);
    }
  });

  it('numbers data rows and turns a bad row into a problem for prepareRow', async () => {
    const out = [];
    for await (const r of dataRows(blobChunks(new Blob(['id,text\n1,ok\n2,"open\n3,next\n'])), settings)) out.push(r);
    expect(out.map((r) => r.row)).toEqual([1, 2, 3]);
    const layout = layoutFor(['id', 'text'], 'text', ['id', 'id']);
    expect(layout.idColumns).toEqual([0]);
    expect(prepareRow(out[1].fields, layout, 2, out[1].problem)).toEqual({ ok: false, ids: ['2'], message: `Row 2: ${QUOTE_PROBLEMS.unclosed}` });
    expect(prepareRow(out[2].fields, layout, 3)).toEqual({ ok: true, ids: ['3'], text: 'next' });
  });

  it('joins several text columns under their headings', () => {
    const layout = layoutFor(['uid', 'indication', 'findings', 'impression'], 'indication,findings,impression', ['uid']);
    const p = prepareRow(['1', 'Edema.', 'Lungs clear.', ''], layout, 1);
    expect(p).toEqual({ ok: true, ids: ['1'], text: 'INDICATION: Edema.\n\nFINDINGS: Lungs clear.' });
  });
});
