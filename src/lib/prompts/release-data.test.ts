/**
 * The `release` strings equal the authors' byte for byte: every string in the data module is compared with the
 * reference JSON in ../shared/reference/ (read in place; skipped with a message naming the path when absent).
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildRequests, drawSeedExamples, releasePrompt, weakLabelPrompt, type ChatPromptRequest, type CompletionPromptRequest } from './profiles.ts';
import * as data from './release-data.ts';

const REFERENCE = fileURLToPath(new URL('../../../../shared/reference/radreportx-release-prompts.json', import.meta.url));
const present = existsSync(REFERENCE);
if (!present) console.warn(`SKIPPED release-data: ${REFERENCE} is absent, so the release prompts are not compared with the authors' strings.`);

interface Reference {
  source: string;
  note_placeholder: string;
  findings_prompt: string;
  icd10_prompt: string;
  weak_label_prompt: string;
  weak_label_system_message: string;
  weak_label_seed_examples: string[];
}

describe.skipIf(!present)('release prompt data against the reference', () => {
  const ref = present ? (JSON.parse(readFileSync(REFERENCE, 'utf8')) as Reference) : ({} as Reference);

  it('holds every string byte for byte', () => {
    const bytes = (s: string) => Buffer.from(s, 'utf8').toString('hex');
    expect(bytes(data.FINDINGS_PROMPT)).toBe(bytes(ref.findings_prompt));
    expect(bytes(data.ICD10_PROMPT)).toBe(bytes(ref.icd10_prompt));
    expect(bytes(data.WEAK_LABEL_PROMPT)).toBe(bytes(ref.weak_label_prompt));
    expect(data.WEAK_LABEL_SYSTEM_MESSAGE).toBe(ref.weak_label_system_message);
    expect(data.WEAK_LABEL_SEED_EXAMPLES).toHaveLength(11);
    expect(data.WEAK_LABEL_SEED_EXAMPLES.map(bytes)).toEqual(ref.weak_label_seed_examples.map(bytes));
    expect(data.NOTE_PLACEHOLDER).toBe(ref.note_placeholder);
    expect(data.RELEASE_SOURCE).toBe(ref.source);
  });

  it('sends the reference prompt with only the report inserted, for both tasks', () => {
    const report = 'FINDINGS: Cost $& of $1 and $` text.\nIMPRESSION: Small left pleural effusion.';
    const [findings, icd10] = buildRequests('release', 'both', report) as CompletionPromptRequest[];
    expect(findings.prompt).toBe(ref.findings_prompt.split('{note}').join(report));
    expect(icd10.prompt).toBe(ref.icd10_prompt.split('{note}').join(report));
    expect(releasePrompt('findings', report)).toBe(findings.prompt);
  });

  it('builds the teacher prompt from the reference strings and the drawn seed examples', () => {
    const report = 'Patchy right lower lobe opacity.';
    const [request] = buildRequests('release-weak-labels', 'icd10', report, { sampleSeed: 3 }) as ChatPromptRequest[];
    const [a, b, c] = request.seedExamples!;
    const expected = ref.weak_label_prompt
      .replace('{example1}', () => ref.weak_label_seed_examples[a])
      .replace('{example2}', () => ref.weak_label_seed_examples[b])
      .replace('{example3}', () => ref.weak_label_seed_examples[c])
      .replace('{note}', () => report);
    expect(request.messages).toEqual([
      { role: 'system', content: ref.weak_label_system_message },
      { role: 'user', content: expected },
    ]);
    expect(weakLabelPrompt(report, [a, b, c])).toBe(expected);
    expect(drawSeedExamples(report, 3)).toEqual([a, b, c]);
  });
});
