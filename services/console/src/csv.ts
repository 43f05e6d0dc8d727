/**
 * CSV (RFC 4180): fields quoted when they hold a comma, quote or line break; quotes doubled; CRLF line ends. A
 * field starting with = + - @ is prefixed with ' so a spreadsheet does not run it as a formula.
 */
function field(v: unknown): string {
  let s = v === null || v === undefined ? '' : v instanceof Date ? v.toISOString() : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function toCsv(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return [header, ...rows].map((r) => r.map(field).join(',')).join('\r\n') + '\r\n';
}
