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
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) {
        throw new DicomtrailError('DT_ERR_CANONICAL_JSON', 'non-finite number has no JSON form', { value });
      }
      return JSON.stringify(value);
    case 'object':
      return Array.isArray(value) ? arrayOf(value) : objectOf(value as Record<string, unknown>);
    default:
      throw new DicomtrailError('DT_ERR_CANONICAL_JSON', `a ${typeof value} has no JSON form`, {});
  }
}

function arrayOf(items: readonly unknown[]): string {
  let out = '[';
  for (let i = 0; i < items.length; i++) {
    const x = items[i];
    out += (i === 0 ? '' : ',') + (x === undefined ? 'null' : canonicalJson(x));
  }
  return `${out}]`;
}

function objectOf(obj: Record<string, unknown>): string {
  const keys = Object.keys(obj);
  if (keys.length > 1) keys.sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const v = obj[key];
    if (v === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(key)}:${canonicalJson(v)}`;
    first = false;
  }
  return `${out}}`;
}
