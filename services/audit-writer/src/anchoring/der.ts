/**
 * The DER subset RFC 3161 needs (X.690 §8, §10): tag-length-value reading and writing of SEQUENCE, SET,
 * INTEGER, OCTET STRING, OBJECT IDENTIFIER, BOOLEAN, NULL and context-specific tags. Definite lengths only;
 * single-byte tags only (every tag in RFC 3161 and RFC 5652 is one).
 */
import { DicomtrailError } from '@dicomtrail/runtime';

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** [n] constructed, context-specific (EXPLICIT, or IMPLICIT of a constructed type). */
export const context = (n: number): number => 0xa0 | n;

export interface Tlv {
  tag: number;
  /** The whole encoding (header and value). */
  der: Buffer;
  /** The value octets. */
  value: Buffer;
}

export class DerError extends DicomtrailError {
  constructor(message: string, offset: number) {
    super('DT_ERR_DER', `malformed DER at offset ${offset}: ${message}`, { offset });
  }
}

/** The TLV at `offset` of `bytes`. */
export function readTlv(bytes: Buffer, offset = 0): Tlv {
  if (offset + 2 > bytes.length) throw new DerError('truncated header', offset);
  const tag = bytes[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError('multi-byte tags are not used here', offset);
  let length = bytes[offset + 1]!;
  let header = 2;
  if (length & 0x80) {
    const n = length & 0x7f;
    if (n === 0 || n > 4) throw new DerError(`length of ${n} octets`, offset);
    if (offset + 2 + n > bytes.length) throw new DerError('truncated length', offset);
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + bytes[offset + 2 + i]!;
    header += n;
  }
  const end = offset + header + length;
  if (end > bytes.length) throw new DerError(`value of ${length} octets overruns the input`, offset);
  return { tag, der: bytes.subarray(offset, end), value: bytes.subarray(offset + header, end) };
}

/** The TLVs inside a constructed value. */
export function children(parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  let offset = 0;
  while (offset < parent.value.length) {
    const tlv = readTlv(parent.value, offset);
    out.push(tlv);
    offset += tlv.der.length;
  }
  return out;
}

/** Reads a whole buffer as exactly one TLV of the expected tag. */
export function readOne(bytes: Buffer, tag: number, what: string): Tlv {
  const tlv = readTlv(bytes, 0);
  if (tlv.der.length !== bytes.length) throw new DerError(`${what}: trailing octets`, tlv.der.length);
  return expectTag(tlv, tag, what);
}

export function expectTag(tlv: Tlv | undefined, tag: number, what: string): Tlv {
  if (!tlv) throw new DerError(`${what} is missing`, 0);
  if (tlv.tag !== tag) {
    throw new DerError(`${what}: tag 0x${tlv.tag.toString(16)}, expected 0x${tag.toString(16)}`, 0);
  }
  return tlv;
}

export function encode(tag: number, value: Buffer): Buffer {
  const n = value.length;
  let header: Buffer;
  if (n < 0x80) header = Buffer.from([tag, n]);
  else if (n < 0x100) header = Buffer.from([tag, 0x81, n]);
  else if (n < 0x10000) header = Buffer.from([tag, 0x82, n >> 8, n & 0xff]);
  else header = Buffer.from([tag, 0x83, n >> 16, (n >> 8) & 0xff, n & 0xff]);
  return Buffer.concat([header, value]);
}

export const sequence = (...items: Buffer[]): Buffer => encode(TAG.SEQUENCE, Buffer.concat(items));

/** A non-negative INTEGER from its big-endian magnitude (a 0x00 is prepended when the top bit is set). */
export function unsignedInteger(magnitude: Buffer): Buffer {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  const m = magnitude.subarray(start);
  return encode(TAG.INTEGER, m[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), m]) : m);
}

export const smallInteger = (n: number): Buffer => unsignedInteger(Buffer.from([n]));

export const octetString = (b: Buffer): Buffer => encode(TAG.OCTET_STRING, b);

export const nullValue = (): Buffer => Buffer.from([TAG.NULL, 0]);

export const boolean = (v: boolean): Buffer => Buffer.from([TAG.BOOLEAN, 1, v ? 0xff : 0]);

export function oid(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  const bytes: number[] = [];
  for (const arc of [arcs[0]! * 40 + arcs[1]!, ...arcs.slice(2)]) {
    const base128: number[] = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) base128.unshift((v & 0x7f) | 0x80);
    bytes.push(...base128);
  }
  return encode(TAG.OID, Buffer.from(bytes));
}

export function readOid(tlv: Tlv | undefined, what: string): string {
  const v = expectTag(tlv, TAG.OID, what).value;
  const arcs: number[] = [];
  let acc = 0;
  for (const b of v) {
    acc = acc * 128 + (b & 0x7f);
    if ((b & 0x80) === 0) {
      arcs.push(acc);
      acc = 0;
    }
  }
  const first = arcs.shift() ?? 0;
  const top = first < 80 ? Math.floor(first / 40) : 2;
  return [top, first - top * 40, ...arcs].join('.');
}

/** An INTEGER's magnitude as lowercase hex without leading zero octets (serials, nonces). */
export function readIntegerHex(tlv: Tlv | undefined, what: string): string {
  return magnitudeHex(expectTag(tlv, TAG.INTEGER, what).value);
}

/** Big-endian bytes as lowercase hex without leading zero octets (at least one octet). */
export function magnitudeHex(v: Buffer): string {
  let start = 0;
  while (start < v.length - 1 && v[start] === 0) start++;
  return v.subarray(start).toString('hex');
}

/** GeneralizedTime (RFC 5280 §4.1.2.5.2 form, with optional fraction): YYYYMMDDHHMMSS[.f*]Z. */
export function readGeneralizedTime(tlv: Tlv | undefined, what: string): Date {
  const text = expectTag(tlv, TAG.GENERALIZED_TIME, what).value.toString('latin1');
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\.\d+)?Z$/.exec(text);
  if (!m) throw new DerError(`${what}: ${JSON.stringify(text)} is not a UTC GeneralizedTime`, 0);
  const ms = m[7] ? Math.floor(Number(`0${m[7]}`) * 1000) : 0;
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, ms));
}
