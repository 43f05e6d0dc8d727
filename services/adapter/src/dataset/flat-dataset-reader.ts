/**
 * The top level of a Little Endian data set (Implicit or Explicit VR) read into the element model dcmjs's
 * `DicomMessage._read` gives (`{ vr, Value, _rawValue }` per tag), for the data sets an event's header
 * usually is: flat, short values, ASCII text. It covers:
 *
 * - the string VRs AE AS CS DA DS DT IS LO LT PN SH ST TM UC UI UR UT, whose bytes are ASCII (every byte
 *   below 0x80: dcmjs's decoders, Windows-1252 and UTF-8 among them, read those as ASCII), formatted by
 *   dcmjs's own value representations (trim, numbers of DS/IS, PN components, UID characters);
 * - the numbers US SS UL SL FL FD, one or more whole values;
 * - OB OW UN of a defined length (UN only for a tag the dictionary does not know);
 * - Specific Character Set of one value that names a character set reading ASCII as ASCII;
 * - a stop at `untilTag`, reported as dcmjs reports it (the tag read, its VR and length not).
 *
 * Anything else (a sequence, an undefined length, another VR, a byte of 0x80 or more in a text value, a length
 * running past the bytes, a header cut short) returns undefined, and the caller reads the data set with dcmjs,
 * which decides what such bytes give or which error they raise.
 */
import dcmjs, { type DcmjsDict, type DcmjsElement } from 'dcmjs';
import { LONG_LENGTH_VRS } from './value-representations.js';

/** A flat read: the elements, and the offset where the read stopped (after `untilTag`'s tag, or the end). */
export interface FlatRead {
  dict: DcmjsDict;
  offset: number;
  stopped: boolean;
}

interface DcmjsVr {
  applyFormatting(value: unknown): unknown;
  dropPadByte(values: string[]): string[];
}
const { ValueRepresentation, DicomMetaDictionary } = dcmjs.data as unknown as {
  ValueRepresentation: { createByTypeString(type: string): DcmjsVr };
  DicomMetaDictionary: { dictionary: Record<string, { vr?: string } | undefined> };
};

/** Text read byte for byte (dcmjs readAsciiString). */
const ASCII_VRS = new Set(['AE', 'AS', 'CS', 'DA', 'DS', 'DT', 'IS', 'TM', 'UI', 'UR']);
/** Text read through the character set's decoder (dcmjs readEncodedString). */
const ENCODED_VRS = new Set(['LO', 'LT', 'PN', 'SH', 'ST', 'UC', 'UT']);
/** Values dcmjs splits at backslashes while reading (CS, DS, IS; UI when it holds one). */
const SPLIT_ON_READ = new Set(['CS', 'DS', 'IS']);
const NUMBER_WIDTH: Record<string, number> = { US: 2, SS: 2, UL: 4, SL: 4, FL: 4, FD: 8 };
const BINARY = new Set(['OB', 'OW', 'UN']);
/** Specific Character Set values (as dcmjs normalises them) whose decoder reads ASCII as ASCII. */
const ASCII_CHARSETS = new Set(['', 'iso-ir-6', 'iso-ir-100', 'iso-ir-192']);

const vrs = new Map<string, DcmjsVr>();
function vrOf(type: string): DcmjsVr {
  let vr = vrs.get(type);
  if (!vr) {
    vr = ValueRepresentation.createByTypeString(type);
    vrs.set(type, vr);
  }
  return vr;
}

/** VR names by their two bytes (first byte high), for the VRs this reader reads. */
const VR_BY_CODE = new Map(
  [...ASCII_VRS, ...ENCODED_VRS, ...Object.keys(NUMBER_WIDTH), ...BINARY].map((vr) => [
    (vr.charCodeAt(0) << 8) | vr.charCodeAt(1),
    vr,
  ]),
);

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).toUpperCase().padStart(2, '0'));

function dictionaryVr(group: number, element: number): string | undefined {
  const key = `(${HEX[group >> 8]}${HEX[group & 0xff]},${HEX[element >> 8]}${HEX[element & 0xff]})`;
  return DicomMetaDictionary.dictionary[key]?.vr;
}

/** The VR dcmjs gives a tag in Implicit VR: the dictionary's, else LO (private creator) or UN. */
function implicitVr(group: number, element: number): string | undefined {
  const known = dictionaryVr(group, element);
  if (known !== undefined) return known;
  if (group === 0x7fe0 && element === 0x0010) return undefined;
  return group % 2 === 1 && element > 0 && element < 0x100 ? 'LO' : 'UN';
}

function asciiOnly(b: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (b[i]! >= 0x80) return false;
  return true;
}

/** Reads `body` as dcmjs would, or undefined when it holds anything this reader leaves to dcmjs. */
export function readFlatDataset(
  body: Buffer,
  explicitVr: boolean,
  untilTag: string | undefined,
): FlatRead | undefined {
  const dict: DcmjsDict = {};
  const n = body.length;
  let off = 0;
  while (off < n) {
    if (off + 8 > n) return undefined;
    const group = body.readUInt16LE(off);
    const element = body.readUInt16LE(off + 2);
    const tag = HEX[group >> 8]! + HEX[group & 0xff]! + HEX[element >> 8]! + HEX[element & 0xff]!;
    if (tag === untilTag) {
      dict[tag] = { vr: undefined as unknown as string, Value: 0 as unknown as unknown[] };
      return { dict, offset: off + 4, stopped: true };
    }
    let vr: string | undefined;
    let length: number;
    if (explicitVr) {
      vr = VR_BY_CODE.get((body[off + 4]! << 8) | body[off + 5]!);
      if (vr === undefined) return undefined;
      if (LONG_LENGTH_VRS.has(vr)) {
        if (off + 12 > n) return undefined;
        length = body.readUInt32LE(off + 8);
        off += 12;
      } else {
        length = body.readUInt16LE(off + 6);
        off += 8;
      }
      if (vr === 'UN' && dictionaryVr(group, element) !== undefined) return undefined;
    } else {
      vr = implicitVr(group, element);
      length = body.readUInt32LE(off + 4);
      off += 8;
    }
    if (vr === undefined || length === 0xffffffff) return undefined;
    const end = off + length;
    if (end > n) return undefined;
    const read = readValue(body, vr, off, end);
    if (read === undefined) return undefined;
    if (tag === '00080005') {
      const values = read.Value ?? [];
      if (values.length > 1) return undefined;
      const coding = values.length === 0 ? '' : String(values[0]).replace(/[_ ]/g, '-').toLowerCase();
      if (values.length === 1 && !ASCII_CHARSETS.has(coding)) return undefined;
    }
    dict[tag] = read;
    off = end;
  }
  return { dict, offset: off, stopped: false };
}

function readValue(body: Buffer, vr: string, start: number, end: number): DcmjsElement | undefined {
  const length = end - start;
  if (BINARY.has(vr)) return { vr, Value: [body.subarray(start, end)] };
  const width = NUMBER_WIDTH[vr];
  if (width !== undefined) {
    if (length === 0 || length % width !== 0) return undefined;
    const values: number[] = [];
    for (let o = start; o < end; o += width) values.push(readNumber(body, vr, o));
    return { vr, Value: values, _rawValue: values.slice() };
  }
  const ascii = ASCII_VRS.has(vr);
  if (!ascii && !ENCODED_VRS.has(vr)) return undefined;
  if (!asciiOnly(body, start, end)) return undefined;
  const dcmVr = vrOf(vr);
  let text = body.toString('latin1', start, end);
  if (vr === 'PN' && text.endsWith(' ')) text = text.slice(0, -1);
  if (vr === 'UI' && length > 0 && body[end - 1] === 0) text = text.slice(0, -1);
  let raw: string | string[] = text;
  if (SPLIT_ON_READ.has(vr) || (vr === 'UI' && text.includes('\\')))
    raw = dcmVr.dropPadByte(text.split('\\'));
  const value = dcmVr.applyFormatting(raw);
  let values: unknown[];
  let rawValues: unknown[];
  if (vr === 'LT') {
    values = [value];
    rawValues = [raw];
  } else if (typeof value === 'string') {
    values = dcmVr.dropPadByte(value.split('\\'));
    rawValues = typeof raw === 'string' ? dcmVr.dropPadByte(raw.split('\\')) : raw;
  } else {
    values = value as unknown[];
    rawValues = raw as unknown as unknown[];
  }
  return { vr, Value: values, _rawValue: rawValues };
}

function readNumber(body: Buffer, vr: string, o: number): number {
  switch (vr) {
    case 'US':
      return body.readUInt16LE(o);
    case 'SS':
      return body.readInt16LE(o);
    case 'UL':
      return body.readUInt32LE(o);
    case 'SL':
      return body.readInt32LE(o);
    case 'FL':
      return body.readFloatLE(o);
    default:
      return body.readDoubleLE(o);
  }
}
