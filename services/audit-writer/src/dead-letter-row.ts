/**
 * What the trail keeps of a record it cannot store (audit.dead_letters, migration 0008): the reason, what could
 * be read of the envelope (ids, seq, type, AE titles) and the record as text, with control characters spelled
 * out as <U+XXXX> so that Postgres text can hold it and an auditor can see what the peer sent. Pure.
 */
import { createHash } from 'node:crypto';
import type { ConsumedRecord } from '@dicomtrail/event-log';

/** Most of a record's text kept in the row; the sha256 and size cover the whole record. */
export const MAX_VALUE_TEXT = 1 << 20;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: spelling out control characters is the point
const CONTROL_RE = /[\u0000-\u001F\u007F]/g;
const ESCAPE = Buffer.from('\\u0000');

export interface DeadLetterRow {
  topic: string;
  partition: number;
  kafka_offset: string;
  reason: string;
  event_id: string | null;
  event_type: string | null;
  association_id: string | null;
  seq: number | null;
  occurred_at: string | null;
  calling_ae_title: string | null;
  called_ae_title: string | null;
  value_bytes: number;
  value_sha256: string;
  value_text: string | null;
  value_truncated: boolean;
}

/** Control characters spelled out as <U+XXXX> (JSON text keeps its escapes: it stays JSON). */
export function spellOutControls(text: string): string {
  return text.replace(
    CONTROL_RE,
    (c) => `<U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}>`,
  );
}

/**
 * True when the JSON text holds the escape of U+0000 (jsonb and text refuse that character), and not merely
 * the text `\u0000` (a backslash, then u0000), which JSON writes as `\\u0000`.
 */
export function hasEncodedNul(json: Buffer): boolean {
  for (let i = json.indexOf(ESCAPE); i >= 0; i = json.indexOf(ESCAPE, i + 1)) {
    let backslashes = 0;
    while (i - backslashes - 1 >= 0 && json[i - backslashes - 1] === 0x5c) backslashes++;
    if (backslashes % 2 === 0) return true;
  }
  return false;
}

export function deadLetterRow(record: ConsumedRecord, reason: string): DeadLetterRow {
  const value = record.value ?? Buffer.alloc(0);
  const text = value.toString('utf8');
  const fields = envelopeFields(text);
  const truncated = text.length > MAX_VALUE_TEXT;
  return {
    topic: record.topic,
    partition: record.partition,
    kafka_offset: record.offset,
    reason: spellOutControls(reason),
    ...fields,
    value_bytes: value.length,
    value_sha256: `\\x${createHash('sha256').update(value).digest('hex')}`,
    value_text: value.length > 0 ? spellOutControls(truncated ? text.slice(0, MAX_VALUE_TEXT) : text) : null,
    value_truncated: truncated,
  };
}

type Fields = Pick<
  DeadLetterRow,
  | 'event_id'
  | 'event_type'
  | 'association_id'
  | 'seq'
  | 'occurred_at'
  | 'calling_ae_title'
  | 'called_ae_title'
>;

/** What can be read of an envelope that failed validation (nothing of one that is not JSON). */
function envelopeFields(text: string): Fields {
  const none: Fields = {
    event_id: null,
    event_type: null,
    association_id: null,
    seq: null,
    occurred_at: null,
    calling_ae_title: null,
    called_ae_title: null,
  };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return none;
  }
  if (!isObject(json)) return none;
  const assoc = isObject(json['association']) ? json['association'] : {};
  return {
    event_id: uuidOrNull(json['id']),
    event_type: textOrNull(json['type'], 64),
    association_id: uuidOrNull(assoc['id']),
    seq: Number.isSafeInteger(json['seq']) && (json['seq'] as number) >= 0 ? (json['seq'] as number) : null,
    occurred_at: textOrNull(json['timestamp'], 64),
    calling_ae_title: textOrNull(assoc['calling_ae_title'], 256),
    called_ae_title: textOrNull(assoc['called_ae_title'], 256),
  };
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function uuidOrNull(x: unknown): string | null {
  return typeof x === 'string' && UUID_RE.test(x) ? x : null;
}

function textOrNull(x: unknown, max: number): string | null {
  return typeof x === 'string' ? spellOutControls(x.slice(0, max)) : null;
}
