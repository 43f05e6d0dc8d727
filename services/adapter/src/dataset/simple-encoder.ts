/**
 * A direct encoder for the simple data sets DIMSE carries most often (C-FIND identifiers, N-* attribute
 * lists): text and numeric elements only, in Implicit or Explicit VR Little Endian (PS3.5 §7.1.2, §7.1.3,
 * §6.2 padding: UI with NUL, other text with a space, to even length; text as UTF-8, as dcmjs writes it).
 * dcmjs costs ~0.4 ms for a ten-element identifier; this costs microseconds. Anything else (sequences,
 * binary, PN with ideographic or phonetic groups, AT, Big Endian, Deflated) returns undefined and the
 * caller uses dcmjs.
 *
 *   explicit: tag group (2) element (2) | VR (2) | length (2)     or VR | 00 00 | length (4) for UC UR UT
 *   implicit: tag group (2) element (2) | length (4)
 */
import type { DicomJson, DicomJsonElement } from './dicom-json.js';
import { EXPLICIT_VR_LITTLE_ENDIAN, IMPLICIT_VR_LITTLE_ENDIAN } from './transfer-syntaxes.js';

const TEXT = new Set([
  'AE',
  'AS',
  'CS',
  'DA',
  'DS',
  'DT',
  'IS',
  'LO',
  'LT',
  'PN',
  'SH',
  'ST',
  'TM',
  'UC',
  'UI',
  'UR',
  'UT',
]);
const LONG_TEXT = new Set(['UC', 'UR', 'UT']);
const NUMERIC: Record<string, number> = { US: 2, SS: 2, UL: 4, SL: 4, FL: 4, FD: 8 };

function textValue(v: unknown, vr: string): string | undefined {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && (vr === 'IS' || vr === 'DS') && Number.isFinite(v)) return String(v);
  if (vr === 'PN' && typeof v === 'object') {
    const keys = Object.keys(v);
    if (keys.length === 0) return '';
    if (keys.length === 1 && typeof (v as { Alphabetic?: unknown }).Alphabetic === 'string')
      return (v as { Alphabetic: string }).Alphabetic;
  }
  return undefined;
}

function valueBytes(e: DicomJsonElement): Buffer | undefined {
  if (e.InlineBinary !== undefined || e.BulkData !== undefined) return undefined;
  const values = e.Value ?? [];
  if (TEXT.has(e.vr)) {
    const parts: string[] = [];
    for (const v of values) {
      const t = textValue(v, e.vr);
      if (t === undefined) return undefined;
      parts.push(t);
    }
    const text = Buffer.from(parts.join('\\'), 'utf8');
    if (text.length % 2 === 0) return text;
    return Buffer.concat([text, Buffer.from(e.vr === 'UI' ? [0] : [0x20])]);
  }
  const width = NUMERIC[e.vr];
  if (width === undefined) return undefined;
  const out = Buffer.alloc(width * values.length);
  for (const [i, v] of values.entries()) {
    if (typeof v !== 'number') return undefined;
    const o = i * width;
    if (e.vr === 'US') out.writeUInt16LE(v, o);
    else if (e.vr === 'SS') out.writeInt16LE(v, o);
    else if (e.vr === 'UL') out.writeUInt32LE(v, o);
    else if (e.vr === 'SL') out.writeInt32LE(v, o);
    else if (e.vr === 'FL') out.writeFloatLE(v, o);
    else out.writeDoubleLE(v, o);
  }
  return out;
}

/** The data set in Implicit or Explicit VR LE, or undefined when it is not simple (see the file comment). */
export function encodeSimpleDataset(json: DicomJson, transferSyntaxUid: string): Buffer | undefined {
  const explicit = transferSyntaxUid === EXPLICIT_VR_LITTLE_ENDIAN;
  if (!explicit && transferSyntaxUid !== IMPLICIT_VR_LITTLE_ENDIAN) return undefined;
  const tags = Object.keys(json)
    .map((t) => [Number.parseInt(t, 16), t] as const)
    .sort((a, b) => a[0] - b[0]);
  const chunks: Buffer[] = [];
  for (const [tag, key] of tags) {
    if (!/^[0-9A-Fa-f]{8}$/.test(key)) return undefined;
    const e = json[key]!;
    const value = valueBytes(e);
    if (!value) return undefined;
    const long = !explicit || LONG_TEXT.has(e.vr);
    if (explicit && !long && value.length > 0xffff) return undefined;
    const head = Buffer.alloc(explicit ? (long ? 12 : 8) : 8);
    head.writeUInt16LE(tag >>> 16, 0);
    head.writeUInt16LE(tag & 0xffff, 2);
    if (!explicit) head.writeUInt32LE(value.length, 4);
    else {
      head.write(e.vr, 4, 'latin1');
      if (long) head.writeUInt32LE(value.length, 8);
      else head.writeUInt16LE(value.length, 6);
    }
    chunks.push(head, value);
  }
  return Buffer.concat(chunks);
}
