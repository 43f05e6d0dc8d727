/**
 * Data set bytes → DICOM JSON (PS3.18 §F.2), for a data set as carried in a DIMSE message: no preamble,
 * no file meta, in the negotiated transfer syntax (PS3.5 §7, Annex A).
 *
 *   { "00100010": { "vr": "PN", "Value": [{ "Alphabetic": "Doe^Jane" }] } }
 *
 * Binary values (OB OD OF OL OV OW UN) up to `bulkDataThreshold` bytes are `InlineBinary` (base64);
 * longer ones, and pixel data of any size over the threshold, are elided. dicomtrail's elision differs
 * from PS3.18's BulkDataURI: it is `{ "vr": ..., "BulkData": { "length": n, "sha256": "hex" } }` — the
 * audit record keeps a fingerprint, never a link. Binary values are hashed/encoded in little-endian
 * byte order whatever the transfer syntax (Big Endian OW/OF/OL/OD/OV are swapped first).
 * Header-only mode (`untilTag`, default pixel data) stops before that element and reports it from the
 * element header alone: `{ length }` when the length is defined, plus `sha256` when the caller knows it.
 * Parsing is dcmjs's data set reader (DicomMessage._read on a ReadBufferStream: measured faster than
 * wrapping the bytes in a synthetic Part 10 file, and exact for bare data sets); Deflated is inflated
 * here with zlib (raw deflate, PS3.5 A.5). Private elements survive (as UN in Implicit VR).
 * SpecificCharacterSet keeps its original value although dcmjs decodes the strings to Unicode.
 */
import { createHash } from 'node:crypto';
import { inflateRawSync } from 'node:zlib';
import { DicomtrailError } from '@dicomtrail/runtime';
import dcmjs, { type DcmjsDict, type DcmjsElement } from 'dcmjs';
import { boundedReadStream } from './bounded-read-stream.js';
import {
  EXPLICIT_VR_BIG_ENDIAN,
  EXPLICIT_VR_LITTLE_ENDIAN,
  IMPLICIT_VR_LITTLE_ENDIAN,
  readingProperties,
} from './transfer-syntaxes.js';
import { LONG_LENGTH_VRS } from './value-representations.js';

dcmjs.log.setLevel('error');

export interface BulkDataRef {
  length?: number;
  sha256?: string;
}
export interface DicomJsonElement {
  vr: string;
  Value?: unknown[];
  InlineBinary?: string;
  BulkData?: BulkDataRef;
}
export type DicomJson = Record<string, DicomJsonElement>;

export interface DecodeOptions {
  transferSyntaxUid: string;
  /** Binary values longer than this many bytes become BulkData; default 1024. */
  bulkDataThreshold?: number;
  /** Header-only: stop at this tag (8 hex digits), reporting it as BulkData; e.g. '7FE00010'. */
  untilTag?: string;
  /** In header-only mode, the SHA-256 of the stopped element's value if the caller has hashed it. */
  untilTagSha256?: string;
}

const BINARY_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'UN']);
const SWAP_WIDTH: Record<string, number> = { OW: 2, OF: 4, OL: 4, OD: 8, OV: 8 };

/** An ArrayBuffer holding exactly these bytes (dcmjs mis-reads Buffer views with byteOffset ≠ 0; infra.md §7). */
export function exactArrayBuffer(b: Buffer): ArrayBuffer {
  if (b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer)
    return b.buffer;
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

/** Decodes a bare data set to DICOM JSON. Throws DicomtrailError DT_ERR_DATASET_PARSE on malformed input. */
export function datasetToDicomJson(bytes: Buffer, options: DecodeOptions): DicomJson {
  const ts = readingProperties(options.transferSyntaxUid);
  let body = bytes;
  if (ts.deflated) {
    try {
      body = inflateRawSync(bytes);
    } catch (err) {
      throw new DicomtrailError('DT_ERR_DATASET_INFLATE', 'deflated data set does not inflate', {}, err);
    }
  }
  const syntax = !ts.explicitVr
    ? IMPLICIT_VR_LITTLE_ENDIAN
    : ts.littleEndian
      ? EXPLICIT_VR_LITTLE_ENDIAN
      : EXPLICIT_VR_BIG_ENDIAN;
  const untilTag = options.untilTag?.toUpperCase();
  // A whole data set is read within its bytes; a header prefix (untilTag) may end inside a long element.
  const stream =
    untilTag === undefined
      ? boundedReadStream(exactArrayBuffer(body), ts.littleEndian)
      : new dcmjs.data.ReadBufferStream(exactArrayBuffer(body), ts.littleEndian, { noCopy: true });
  let dict: DcmjsDict;
  try {
    dict = dcmjs.data.DicomMessage._read(stream, syntax, {
      untilTag: untilTag ?? null,
      includeUntilTagValue: false,
    });
  } catch (err) {
    throw new DicomtrailError(
      'DT_ERR_DATASET_PARSE',
      `data set does not parse: ${String(err)}`,
      {
        transferSyntaxUid: options.transferSyntaxUid,
      },
      err,
    );
  }
  const converter = { threshold: options.bulkDataThreshold ?? 1024, swap: !ts.littleEndian };
  const stopped = untilTag !== undefined && dict[untilTag] !== undefined;
  if (stopped) delete dict[untilTag];
  const json = convertDict(dict, converter);
  if (stopped) {
    json[untilTag] = stoppedElement(
      body,
      stream.offset,
      ts.explicitVr,
      ts.littleEndian,
      options.untilTagSha256,
    );
  }
  return json;
}

/** The element dcmjs stopped at: its tag is read, offset points at VR (explicit) or length (implicit). */
function stoppedElement(
  body: Buffer,
  offset: number,
  explicitVr: boolean,
  littleEndian: boolean,
  sha256: string | undefined,
): DicomJsonElement {
  const u16 = (o: number) => (littleEndian ? body.readUInt16LE(o) : body.readUInt16BE(o));
  const u32 = (o: number) => (littleEndian ? body.readUInt32LE(o) : body.readUInt32BE(o));
  let vr = 'OB';
  let length: number | undefined;
  if (explicitVr && offset + 4 <= body.length) {
    vr = body.toString('latin1', offset, offset + 2);
    const long = LONG_LENGTH_VRS.has(vr);
    const lengthOffset = offset + (long ? 4 : 2);
    if (lengthOffset + (long ? 4 : 2) <= body.length) length = long ? u32(lengthOffset) : u16(lengthOffset);
  } else if (!explicitVr && offset + 4 <= body.length) {
    vr = 'OW';
    length = u32(offset);
  }
  const bulk: BulkDataRef = {};
  if (length !== undefined && length !== 0xffffffff) bulk.length = length;
  if (sha256 !== undefined) bulk.sha256 = sha256;
  return { vr, BulkData: bulk };
}

interface Converter {
  threshold: number;
  swap: boolean;
}

function convertDict(dict: DcmjsDict, c: Converter): DicomJson {
  const out: DicomJson = {};
  for (const [tag, element] of Object.entries(dict)) out[tag] = convertElement(tag, element, c);
  return out;
}

function convertElement(tag: string, e: DcmjsElement, c: Converter): DicomJsonElement {
  const values = e.Value ?? [];
  if (e.vr === 'SQ') {
    const items = values.map((item) => convertDict(item as DcmjsDict, c));
    return items.length > 0 ? { vr: 'SQ', Value: items } : { vr: 'SQ' };
  }
  if (BINARY_VRS.has(e.vr) || values.some(isBinary)) return binaryElement(e, c);
  let kept = values;
  if (tag === '00080005' && Array.isArray(e._rawValue)) kept = e._rawValue as unknown[];
  if (e.vr === 'AT')
    kept = values.map((v) => (typeof v === 'number' ? v.toString(16).padStart(8, '0').toUpperCase() : v));
  const nonEmpty = kept.length > 0 && !(kept.length === 1 && (kept[0] === '' || kept[0] === null));
  return nonEmpty ? { vr: e.vr, Value: kept.map((v) => (v === '' ? null : v)) } : { vr: e.vr };
}

function binaryElement(e: DcmjsElement, c: Converter): DicomJsonElement {
  const parts = (e.Value ?? []).filter(isBinary).map(asBuffer);
  let bytes: Buffer = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  const width = SWAP_WIDTH[e.vr];
  if (c.swap && width !== undefined && bytes.length % width === 0) bytes = swapped(bytes, width);
  if (bytes.length === 0) return { vr: e.vr };
  if (bytes.length <= c.threshold) return { vr: e.vr, InlineBinary: bytes.toString('base64') };
  return {
    vr: e.vr,
    BulkData: { length: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') },
  };
}

/** dcmjs gives ArrayBuffers, or Uint8Array views with `noCopy` (fragments of encapsulated pixel data too). */
function isBinary(v: unknown): v is ArrayBuffer | ArrayBufferView {
  return v instanceof ArrayBuffer || ArrayBuffer.isView(v);
}

function asBuffer(v: ArrayBuffer | ArrayBufferView): Buffer {
  return v instanceof ArrayBuffer ? Buffer.from(v) : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

function swapped(bytes: Buffer, width: number): Buffer {
  const copy = Buffer.from(bytes);
  if (width === 2) return copy.swap16();
  if (width === 4) return copy.swap32();
  return copy.swap64();
}
