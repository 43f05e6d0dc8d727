/**
 * Values in COPY's text format (https://www.postgresql.org/docs/15/sql-copy.html, "Text Format"): columns
 * separated by a tab, rows ended by a newline, NULL as \N, and backslash, newline, carriage return and tab
 * escaped with a backslash.
 */
export const COPY_NULL = '\\N';

const SPECIAL = /[\\\n\r\t]/;
const SPECIAL_ALL = /[\\\n\r\t]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

export function copyText(s: string): string {
  return SPECIAL.test(s) ? s.replace(SPECIAL_ALL, (ch) => ESCAPES[ch]!) : s;
}

/** JSON text has no raw control characters (JSON escapes them), so only its backslashes need escaping. */
export function copyJson(json: string): string {
  return json.includes('\\') ? json.replaceAll('\\', '\\\\') : json;
}

/** A scalar column value: null/undefined → \N, strings escaped, numbers and booleans as written. */
export function copyValue(v: unknown): string {
  if (v === null || v === undefined) return COPY_NULL;
  if (typeof v === 'string') return copyText(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return copyJson(JSON.stringify(v));
}
