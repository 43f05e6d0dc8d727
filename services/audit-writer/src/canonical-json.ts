/**
 * Canonical JSON (RFC 8785 JCS for the values dicomtrail stores): object keys sorted by UTF-16 code units, no
 * whitespace, numbers and strings serialised as ECMAScript does. Equal values give equal bytes whatever the key
 * order they arrived in or came back from Postgres' jsonb in, so hashes stay stable.
 */
import { DicomtrailError } from '@dicomtrail/runtime';

export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) {
        throw new DicomtrailError('DT_ERR_CANONICAL_JSON', 'non-finite number has no JSON form', { value });
      }
      return String(value); // the ECMAScript number serialisation JSON.stringify uses ("-0" → "0")
    case 'object':
      return Array.isArray(value) ? arrayOf(value) : objectOf(value as Record<string, unknown>);
    default:
      throw new DicomtrailError('DT_ERR_CANONICAL_JSON', `a ${typeof value} has no JSON form`, {});
  }
}

function arrayOf(items: readonly unknown[]): string {
  if (items.length === 0) return '[]';
  let out = `[${items[0] === undefined ? 'null' : canonicalJson(items[0])}`;
  for (let i = 1; i < items.length; i++) {
    const x = items[i];
    out += `,${x === undefined ? 'null' : canonicalJson(x)}`;
  }
  return `${out}]`;
}

/**
 * `"key":` for the keys seen (events repeat a few hundred key names): quoting them once is a third of the
 * cost of canonicalising an event. Bounded, so arbitrary keys in data cannot grow it without limit.
 */
const QUOTED_KEYS_MAX = 10_000;
const quotedKeys = new Map<string, string>();

function quotedKey(key: string): string {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = `${JSON.stringify(key)}:`;
    if (quotedKeys.size < QUOTED_KEYS_MAX) quotedKeys.set(key, quoted);
  }
  return quoted;
}

function objectOf(obj: Record<string, unknown>): string {
  const keys = Object.keys(obj);
  if (keys.length > 1) keys.sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const v = obj[key];
    if (v === undefined) continue;
    out += (first ? '' : ',') + quotedKey(key) + canonicalJson(v);
    first = false;
  }
  return `${out}}`;
}
