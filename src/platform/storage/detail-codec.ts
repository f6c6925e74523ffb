/**
 * A compact stored form of a chunk's row details. The evidence of 1,000 rows is ~25,000 small objects, and the
 * browser serialises every one of them when the chunk is stored: ~10 ms of a worker's time per chunk, about a
 * quarter of a rules batch's cost (measured in Chromium 156). Packed, the same evidence is one Int32Array and a
 * short table of strings, and a chunk stores in ~3 ms. The texts stay strings; the mention and trigger texts are
 * not stored, since they are the report's own characters at their offsets.
 *
 * Packing is exact or not done: a chunk whose details do not have the shape read here (another engine's evidence,
 * a mention whose text is not the report's text at its offsets) is stored as plain objects, as before, and both
 * forms read back to the same details.
 */
import type { Evidence } from '../../lib/result.ts';
import type { PackedDetails, RowDetail } from './schema.ts';

const FIELDS = 9;
const ABSENT = -1;
const UNDEFINED = -2;
/** Keys of an evidence item in the order engines write them; the first three are always there. */
const EVIDENCE_KEYS = ['finding', 'status', 'mention', 'trigger', 'section', 'role'] as const;
const SPAN_KEYS = 'start,end,text';
const TRIGGER_KEYS = 'start,end,text,kind';

class StringTable {
  readonly strings: string[] = [];
  readonly #codes = new Map<string, number>();

  code(value: string): number {
    let c = this.#codes.get(value);
    if (c === undefined) {
      c = this.strings.length;
      this.strings.push(value);
      this.#codes.set(value, c);
    }
    return c;
  }
}

function keysInOrder(e: object): boolean {
  const keys = Object.keys(e);
  if (keys.length < 3 || keys[0] !== 'finding' || keys[1] !== 'status' || keys[2] !== 'mention') return false;
  let at = 3;
  for (const k of keys.slice(3)) {
    const i = EVIDENCE_KEYS.indexOf(k as (typeof EVIDENCE_KEYS)[number], at);
    if (i < 0) return false;
    at = i + 1;
  }
  return true;
}

/** The span is the report's own text at its offsets, with its keys in the usual order. */
function isSpanOf(text: string, span: unknown, keys: string): span is { start: number; end: number; text: string } {
  if (typeof span !== 'object' || span === null || Object.keys(span).join(',') !== keys) return false;
  const s = span as { start: unknown; end: unknown; text: unknown };
  return (
    Number.isInteger(s.start) && Number.isInteger(s.end) && (s.start as number) >= 0 && (s.start as number) <= (s.end as number) &&
    (s.end as number) <= text.length && s.text === text.slice(s.start as number, s.end as number)
  );
}

/** Codes a field that may be a string, absent, or present and undefined; null for anything else. */
function optionalCode(e: object, key: 'section' | 'role', table: StringTable): number | null {
  if (!(key in e)) return ABSENT;
  const value = (e as Record<string, unknown>)[key];
  if (value === undefined) return UNDEFINED;
  return typeof value === 'string' ? table.code(value) : null;
}

/** The packed form of these details, or undefined when it could not give them back exactly. */
export function packDetails(details: readonly RowDetail[]): PackedDetails | undefined {
  const table = new StringTable();
  const texts: string[] = new Array(details.length);
  const counts = new Uint32Array(details.length);
  let total = 0;
  for (const d of details) total += Array.isArray(d.evidence) ? d.evidence.length : 0;
  const items = new Int32Array(total * FIELDS);
  let extras: PackedDetails['extras'];
  let k = 0;
  for (let row = 0; row < details.length; row++) {
    const d = details[row];
    const keys = Object.keys(d);
    if (keys[0] !== 'text' || keys[1] !== 'evidence' || typeof d.text !== 'string' || !Array.isArray(d.evidence)) return undefined;
    texts[row] = d.text;
    counts[row] = d.evidence.length;
    if (keys.length > 2) {
      const { text: _text, evidence: _evidence, ...rest } = d;
      (extras ??= {})[row] = rest;
    }
    for (const e of d.evidence as Evidence[]) {
      if (typeof e !== 'object' || e === null || !keysInOrder(e) || typeof e.finding !== 'string' || typeof e.status !== 'string') return undefined;
      if (!isSpanOf(d.text, e.mention, SPAN_KEYS)) return undefined;
      if ('trigger' in e && !(isSpanOf(d.text, e.trigger, TRIGGER_KEYS) && typeof e.trigger.kind === 'string')) return undefined;
      const section = optionalCode(e, 'section', table);
      const role = optionalCode(e, 'role', table);
      if (section === null || role === null) return undefined;
      items[k++] = table.code(e.finding);
      items[k++] = table.code(e.status);
      items[k++] = e.mention.start;
      items[k++] = e.mention.end;
      items[k++] = e.trigger ? e.trigger.start : ABSENT;
      items[k++] = e.trigger ? e.trigger.end : ABSENT;
      items[k++] = e.trigger ? table.code(e.trigger.kind) : ABSENT;
      items[k++] = section;
      items[k++] = role;
    }
  }
  return extras ? { texts, counts, items, strings: table.strings, extras } : { texts, counts, items, strings: table.strings };
}

/** The details a packed chunk holds, as they were given to packDetails. */
export function unpackDetails(p: PackedDetails): RowDetail[] {
  const { texts, counts, items, strings } = p;
  const out: RowDetail[] = new Array(texts.length);
  let k = 0;
  for (let row = 0; row < texts.length; row++) {
    const text = texts[row];
    const evidence: Evidence[] = new Array(counts[row]);
    for (let j = 0; j < evidence.length; j++, k += FIELDS) {
      const e: Record<string, unknown> = {
        finding: strings[items[k]],
        status: strings[items[k + 1]],
        mention: { start: items[k + 2], end: items[k + 3], text: text.slice(items[k + 2], items[k + 3]) },
      };
      const ts = items[k + 4];
      if (ts !== ABSENT) e.trigger = { start: ts, end: items[k + 5], text: text.slice(ts, items[k + 5]), kind: strings[items[k + 6]] };
      const section = items[k + 7];
      if (section !== ABSENT) e.section = section === UNDEFINED ? undefined : strings[section];
      const role = items[k + 8];
      if (role !== ABSENT) e.role = role === UNDEFINED ? undefined : strings[role];
      evidence[j] = e as unknown as Evidence;
    }
    const extra = p.extras?.[row];
    out[row] = extra ? { text, evidence, ...extra } : { text, evidence };
  }
  return out;
}
