/**
 * A row's hashed text (hashedContent's bytes: the canonical JSON of every column but ingested_at and the two
 * hashes) written straight from the column list: the keys are known, so they are sorted and quoted once, not
 * per row, and the jsonb columns come in already rendered. Verify keeps the generic canonicalJson, so the two
 * are checked against each other on every verified row.
 */
import { createHash } from 'node:crypto';
import type { ByteSink } from './byte-sink.js';
import { canonicalJson } from './canonical-json.js';
import { COPY_NULL, copyJson, copyText, copyValue } from './copy-text.js';
import { EVENT_COLUMNS, type EventContent } from './event-row.js';

type HashedKey = keyof EventContent | 'chain_id' | 'chain_position';

const HASHED_KEYS = EVENT_COLUMNS.map(([name]) => name)
  .filter((name): name is HashedKey => name !== 'prev_hash' && name !== 'row_hash')
  .sort();
const QUOTED = HASHED_KEYS.map((k) => `${JSON.stringify(k)}:`);

/**
 * The stored columns in the order canonicalRow writes a row's COPY text: the hashed keys (negotiation as
 * negotiation_sha256), then the two hashes, known only after hashing.
 */
export const COPY_COLUMN_ORDER: readonly string[] = [
  ...HASHED_KEYS.map((k) => (k === 'negotiation' ? 'negotiation_sha256' : k)),
  'prev_hash',
  'row_hash',
];

export interface RenderedJsonb {
  params: string;
  negotiation: string | null;
  /** With a COPY text wanted: the negotiation's key in audit.negotiations. */
  negotiationSha256?: string | null;
}

/** The row's hashed text (as a string: the recordset insert and the tests use it). */
export function canonicalRow(
  content: EventContent,
  chainId: string,
  position: number,
  jsonb: RenderedJsonb,
): string {
  let out = '{';
  for (let i = 0; i < HASHED_KEYS.length; i++) {
    const key = HASHED_KEYS[i]!;
    let v: string;
    if (key === 'params') v = jsonb.params;
    else if (key === 'negotiation') v = jsonb.negotiation ?? 'null';
    else if (key === 'chain_id') v = JSON.stringify(chainId);
    else if (key === 'chain_position') v = String(position);
    else {
      const x = content[key];
      if (x === undefined) continue;
      v = typeof x === 'string' ? JSON.stringify(x) : canonicalJson(x);
    }
    out += out.length === 1 ? QUOTED[i] + v : `,${QUOTED[i]}${v}`;
  }
  return `${out}}`;
}

/** `"key":` and `,"key":` as UTF-8, per hashed key. */
const QUOTED_BYTES = QUOTED.map((q) => Buffer.from(q));
const COMMA_QUOTED_BYTES = QUOTED.map((q) => Buffer.from(`,${q}`));
/** A string that JSON.stringify would write other than as '"' + s + '"' (quote, backslash, control, surrogate). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are exactly what JSON escapes
const JSON_ESCAPED = /["\\\u0000-\u001f\ud800-\udfff]/;
const TAB = 0x09;
/** Where each hashed key's value comes from (by index, computed once): the content, or the jsonb or the chain. */
const FROM_CONTENT = 0;
const PARAMS = 1;
const NEGOTIATION = 2;
const CHAIN_ID = 3;
const CHAIN_POSITION = 4;
const KEY_SOURCE = Uint8Array.from(HASHED_KEYS, (k) =>
  k === 'params'
    ? PARAMS
    : k === 'negotiation'
      ? NEGOTIATION
      : k === 'chain_id'
        ? CHAIN_ID
        : k === 'chain_position'
          ? CHAIN_POSITION
          : FROM_CONTENT,
);
const QUOTE = 0x22;

function jsonString(sink: ByteSink, s: string): void {
  if (JSON_ESCAPED.test(s)) {
    sink.text(JSON.stringify(s));
  } else {
    sink.byte(QUOTE);
    sink.text(s);
    sink.byte(QUOTE);
  }
}

/**
 * canonicalRow's bytes written into `hashed` (appended), and the row's COPY text (COPY_COLUMN_ORDER without the
 * two hashes, each column followed by a tab) appended to `copy`, in one pass over the columns and without a
 * string per column: the writer's hot path. The negotiation goes into COPY as its sha256 (bytea).
 */
export function writeCanonicalRow(
  content: EventContent,
  chainId: string,
  position: number,
  jsonb: RenderedJsonb,
  hashed: ByteSink,
  copy: ByteSink,
): void {
  hashed.byte(0x7b); // {
  let first = true;
  for (let i = 0; i < HASHED_KEYS.length; i++) {
    const source = KEY_SOURCE[i]!;
    const x = source === FROM_CONTENT ? content[HASHED_KEYS[i] as keyof EventContent] : null;
    if (x === undefined) {
      // Left out of the hashed JSON (as JSON.stringify would), NULL in COPY.
      copy.text(COPY_NULL);
      copy.byte(TAB);
      continue;
    }
    hashed.bytes(first ? QUOTED_BYTES[i]! : COMMA_QUOTED_BYTES[i]!);
    first = false;
    if (source === PARAMS) {
      hashed.text(jsonb.params);
      copy.text(copyJson(jsonb.params));
    } else if (source === NEGOTIATION) {
      hashed.text(jsonb.negotiation ?? 'null');
      copy.text(jsonb.negotiationSha256 ? `\\\\x${jsonb.negotiationSha256}` : COPY_NULL);
    } else if (source === CHAIN_ID) {
      jsonString(hashed, chainId);
      copy.text(copyText(chainId));
    } else if (source === CHAIN_POSITION) {
      const v = String(position);
      hashed.text(v);
      copy.text(v);
    } else if (x === null) {
      hashed.text('null');
      copy.text(COPY_NULL);
    } else if (typeof x === 'string') {
      jsonString(hashed, x);
      copy.text(copyText(x));
    } else {
      const v = canonicalJson(x);
      hashed.text(v);
      copy.text(typeof x === 'number' ? v : copyValue(x));
    }
    copy.byte(TAB);
  }
  hashed.byte(0x7d); // }
}

/** A negotiation's canonical JSON and its sha256 (hex): its key in audit.negotiations. */
export interface RenderedNegotiation {
  text: string;
  sha256: string;
}

/**
 * A negotiation rendered, remembered by its JSON.stringify text (equal text, equal value): an association's
 * lifecycle events repeat the same ~35 KB negotiation, and associations from one peer repeat it too.
 * Bounded: emptied when full.
 */
const NEGOTIATIONS_MAX = 64;
const negotiations = new Map<string, RenderedNegotiation>();

export function renderNegotiation(negotiation: Record<string, unknown>): RenderedNegotiation {
  const key = JSON.stringify(negotiation);
  let rendered = negotiations.get(key);
  if (rendered === undefined) {
    const text = canonicalJson(negotiation);
    rendered = { text, sha256: createHash('sha256').update(text, 'utf8').digest('hex') };
    if (negotiations.size >= NEGOTIATIONS_MAX) negotiations.clear();
    negotiations.set(key, rendered);
  }
  return rendered;
}
