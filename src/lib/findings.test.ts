import { describe, expect, it } from 'vitest';
import {
  CHEXPERT_CODE,
  FINDINGS,
  FINDING_STATUSES,
  STATUS_BYTE,
  STATUS_LETTER,
  STATUS_RANK,
  byteOfLetter,
  emptyFindings,
  findingLetters,
  findingsFromLetters,
  statusFromChexpertCode,
  statusFromWord,
} from './findings.ts';

describe('status encodings (one module for all of them)', () => {
  it('round-trips every status through CheXpert codes, stored letters and table bytes', () => {
    for (const s of FINDING_STATUSES) {
      expect(statusFromChexpertCode(CHEXPERT_CODE[s])).toBe(s);
      const findings = { ...emptyFindings(), Edema: s };
      expect(findingsFromLetters(findingLetters(findings))).toEqual(findings);
      expect(byteOfLetter(STATUS_LETTER[s])).toBe(STATUS_BYTE[s]);
    }
    expect(new Set(Object.values(STATUS_LETTER)).size).toBe(4);
    expect(new Set(Object.values(STATUS_BYTE)).size).toBe(4);
  });

  it('keeps the stored and table forms compatible with rows written before (letters p/n/u/a, bytes 0 absent .. 3 uncertain)', () => {
    expect(findingLetters({ ...emptyFindings(), Atelectasis: 'positive', 'Support Devices': 'uncertain' })).toBe('paaaaaaaaaaau');
    expect(STATUS_BYTE).toEqual({ absent: 0, positive: 1, negative: 2, uncertain: 3 });
    expect(findingsFromLetters('n').Atelectasis).toBe('negative');
    expect(findingsFromLetters('')[FINDINGS[12]]).toBe('absent');
    expect(byteOfLetter('?')).toBe(0);
  });

  it('reads the words answers use, "absent" as a denial', () => {
    expect(statusFromWord(' Present ')).toBe('positive');
    expect(statusFromWord('absent')).toBe('negative');
    expect(statusFromWord('-1')).toBe('uncertain');
    expect(statusFromWord('constructor')).toBeUndefined();
    expect(statusFromWord('sometimes')).toBeUndefined();
  });

  it('ranks statuses by CheXpert precedence', () => {
    const ordered = [...FINDING_STATUSES].sort((a, b) => STATUS_RANK[a] - STATUS_RANK[b]);
    expect(ordered).toEqual(['absent', 'negative', 'uncertain', 'positive']);
  });
});
