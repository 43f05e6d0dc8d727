/**
 * C-FIND attribute matching, PS3.4 §C.2.2.2, on DICOM JSON (pure: no I/O).
 *
 * For each key of the request identifier, by the key's value:
 * - no value, or the single value `*`: universal matching (C.2.2.2.3), every entity matches;
 * - VR SQ: sequence matching (C.2.2.2.6): the query's one item matches when some stored item matches
 *   all of its keys (recursively); an empty query item is universal;
 * - VR UI: list of UID matching (C.2.2.2.2): the stored value equals one of the query's values;
 * - VR DA, TM, DT: range matching (C.2.2.2.5) with `a-b`, `a-` and `-b`, inclusive; a bound given with
 *   fewer components than the stored value is padded (lower bound with 0, upper bound with 9), so
 *   `-1030` includes 10:30:59; a value without `-` is matched as the range [value, value];
 * - string VRs (AE CS LO LT PN SH ST UC UR UT): wildcard matching (C.2.2.2.4) when the value holds `*`
 *   or `?` (wildcard.ts: no regular expression, no backtracking), else single value matching (C.2.2.2.1); PN compares
 *   case-insensitively, as the standard allows;
 * - numeric VRs (IS DS US UL SS SL FL FD and the rest): single value matching on the number.
 * A stored attribute with several values matches when any one of them does; a query value with several
 * values (backslash in findscu) matches when any one of them does. An absent or empty stored attribute
 * matches only universal matching.
 */
import type { DicomJson, DicomJsonElement } from '../dataset/dicom-json.js';
import { wildcardMatch } from './wildcard.js';

const WILDCARD_VRS = new Set(['AE', 'CS', 'LO', 'LT', 'PN', 'SH', 'ST', 'UC', 'UR', 'UT']);

/** The string form of one value (PN: the alphabetic group; numbers: their decimal form). */
export function valueText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return String((v as { Alphabetic?: unknown }).Alphabetic ?? '');
  return String(v);
}

function values(el: DicomJsonElement | undefined): string[] {
  return (el?.Value ?? []).map(valueText).filter((s) => s.length > 0);
}

/** Whether the key asks for universal matching: no value, or only `*`. */
export function isUniversal(key: DicomJsonElement): boolean {
  if (key.vr === 'SQ') {
    const item = key.Value?.[0] as DicomJson | undefined;
    return item === undefined || Object.keys(item).length === 0;
  }
  const vs = values(key);
  return vs.length === 0 || (vs.length === 1 && vs[0] === '*');
}

/** A date/time bound padded to a comparable width: DA 8, TM 13 (HHMMSS.FFFFFF), DT 21. */
function padBound(v: string, vr: string, upper: boolean): string {
  const fill = upper ? '9' : '0';
  const t = v.trim();
  if (vr === 'DA') return t.replace(/\./g, '').padEnd(8, fill).slice(0, 8);
  if (vr === 'TM') {
    const [whole = '', frac = ''] = t.replace(/:/g, '').split('.');
    return `${whole.padEnd(6, fill).slice(0, 6)}.${frac.padEnd(6, fill).slice(0, 6)}`;
  }
  // DT: YYYYMMDDHHMMSS.FFFFFF, offsets ignored.
  const noOffset = t.replace(/[+-]\d{4}$/, '');
  const [whole = '', frac = ''] = noOffset.split('.');
  return `${whole.padEnd(14, fill).slice(0, 14)}.${frac.padEnd(6, fill).slice(0, 6)}`;
}

function stored(v: string, vr: string): string {
  return padBound(v, vr, false);
}

function matchRange(query: string, storedValue: string, vr: string): boolean {
  const dash = vr === 'DT' ? query.search(/-(?!\d{4}$)/) : query.indexOf('-');
  const lo = dash < 0 ? query : query.slice(0, dash);
  const hi = dash < 0 ? query : query.slice(dash + 1);
  const s = stored(storedValue, vr);
  if (lo.trim() !== '' && s < padBound(lo, vr, false)) return false;
  if (hi.trim() !== '' && s > padBound(hi, vr, true)) return false;
  return true;
}

function matchOne(query: string, storedValue: string, vr: string): boolean {
  if (vr === 'UI') return query === storedValue;
  if (vr === 'DA' || vr === 'TM' || vr === 'DT') return matchRange(query, storedValue, vr);
  if (WILDCARD_VRS.has(vr)) {
    const ci = vr === 'PN';
    const q = query.trimEnd();
    const s = storedValue.trimEnd();
    if (q.includes('*') || q.includes('?')) return wildcardMatch(q, s, ci);
    return ci ? q.toLowerCase() === s.toLowerCase() : q === s;
  }
  const qn = Number(query);
  const sn = Number(storedValue);
  if (!Number.isNaN(qn) && !Number.isNaN(sn)) return qn === sn;
  return query.trim() === storedValue.trim();
}

/** Whether `storedEl` matches the query key `key` (rules in the file comment). */
export function matchElement(key: DicomJsonElement, storedEl: DicomJsonElement | undefined): boolean {
  if (isUniversal(key)) return true;
  if (key.vr === 'SQ') {
    const item = key.Value![0] as DicomJson;
    const items = (storedEl?.Value ?? []) as DicomJson[];
    return items.some((s) => matchDataset(item, s));
  }
  const qs = values(key);
  const ss = values(storedEl);
  if (ss.length === 0) return false;
  return qs.some((q) => ss.some((s) => matchOne(q, s, key.vr)));
}

/** Whether `data` matches every key of `query` (keys whose tag is in `skip` are ignored). */
export function matchDataset(query: DicomJson, data: DicomJson, skip?: ReadonlySet<string>): boolean {
  for (const tag in query) {
    if (skip?.has(tag)) continue;
    if (!matchElement(query[tag]!, data[tag])) return false;
  }
  return true;
}

/**
 * The response identifier for the requested keys: each key with the stored value, or empty when
 * unknown. A sequence key with item keys returns the stored items reduced to those keys.
 */
export function project(query: DicomJson, data: DicomJson): DicomJson {
  const out: DicomJson = {};
  for (const tag in query) {
    const key = query[tag]!;
    const el = data[tag];
    if (!el) {
      out[tag] = { vr: key.vr };
      continue;
    }
    const item = key.vr === 'SQ' ? (key.Value?.[0] as DicomJson | undefined) : undefined;
    if (item && Object.keys(item).length > 0 && el.Value) {
      out[tag] = { vr: 'SQ', Value: (el.Value as DicomJson[]).map((s) => project(item, s)) };
    } else out[tag] = el;
  }
  return out;
}
