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
 * A flat Little Endian data set of ASCII text is read by dataset/flat-dataset-reader.ts into dcmjs's element
 * model (the same JSON, a fraction of the CPU); anything else by dcmjs's data set reader (DicomMessage._read on
 * a ReadBufferStream: measured faster than wrapping the bytes in a synthetic Part 10 file, and exact for bare
 * data sets); Deflated is inflated
 * here with zlib (raw deflate, PS3.5 A.5), at most MAX_INFLATED_BYTES. Values of any VR longer than
 * `valueLimit` (EVENT_VALUE_MAX_BYTES, default 64 KiB) are elided the same way, BulkData `{ length, sha256 }`
 * of their encoded bytes, before dcmjs sees them (dataset/header-condenser.ts).
 * Private elements survive (as UN in Implicit VR).
 * SpecificCharacterSet keeps its original value although dcmjs decodes the strings to Unicode.
 */
import { createHash } from 'node:crypto';
import { inflateRawSync, constants as zlibConstants } from 'node:zlib';
import { DicomtrailError } from '@dicomtrail/runtime';
import dcmjs, { type DcmjsDict, type DcmjsElement } from 'dcmjs';
import { boundedReadStream } from './bounded-read-stream.js';
import { readFlatDataset } from './flat-dataset-reader.js';
import {
  condenseDataset,
  DEFAULT_VALUE_LIMIT,
  type ElidedElement,
  HeaderCondenser,
} from './header-condenser.js';
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
  /**
   * Values of any VR (sequences included) longer than this many bytes are reported as BulkData
   * `{ length, sha256 }` (dataset/header-condenser.ts); default `eventValueLimit()`, Infinity: never.
   */
  valueLimit?: number;
  /** The bytes are already condensed: these elements were left out of them (reported as BulkData). */
  elided?: readonly ElidedElement[];
}

let valueLimitDefault = DEFAULT_VALUE_LIMIT;

/** The process's default `valueLimit` (EVENT_VALUE_MAX_BYTES, set once at start-up). */
export function eventValueLimit(): number {
  return valueLimitDefault;
}

export function setEventValueLimit(bytes: number): void {
  valueLimitDefault = bytes;
}

/**
 * Most bytes a Deflated Explicit VR data set may inflate to (PS3.5 A.5); more is refused
 * (DT_ERR_DATASET_INFLATE), never allocated: a few KB of zeros deflate a thousandfold.
 */
export const MAX_INFLATED_BYTES = 64 * 1024 * 1024;

/** Raw-inflates a Deflated Explicit VR data set, at most `max` bytes out. */
export function inflateDataset(bytes: Buffer, max = MAX_INFLATED_BYTES): Buffer {
  try {
    return inflateRawSync(bytes, { maxOutputLength: max });
  } catch (err) {
    const tooLarge = (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
    throw new DicomtrailError(
      'DT_ERR_DATASET_INFLATE',
      tooLarge
        ? `deflated data set inflates to more than ${max} bytes`
        : 'deflated data set does not inflate',
      { maxInflatedBytes: max },
      err,
    );
  }
}

/**
 * The first bytes a Deflated data set inflates to, for a header-only read of what may be a prefix of its
 * compressed bytes (a C-STORE's first bytes, a file's first 64 KiB): compressed prefixes of 16 KiB, 64 KiB, ...
 * are inflated as far as they go (a sync flush, not an error at the cut) until the inflated bytes reach Pixel
 * Data or the compressed bytes end. Each try inflates to at most `max` bytes: past that the last try that fit
 * stands (a first try too large is made smaller, down to 256 compressed bytes).
 */
export function inflateHeader(bytes: Buffer, max = MAX_INFLATED_BYTES): Buffer {
  let out: Buffer | undefined;
  for (let n = 16 * 1024; ; ) {
    const part = bytes.subarray(0, Math.min(n, bytes.length));
    try {
      out = inflateRawSync(part, { finishFlush: zlibConstants.Z_SYNC_FLUSH, maxOutputLength: max });
    } catch (err) {
      const tooLarge = (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
      if (out) return out;
      // Not deflate at all, or even a few hundred bytes inflate past the limit: the typed error of a plain inflate.
      if (!tooLarge || n <= 256) return inflateDataset(part, max);
      n /= 4;
      continue;
    }
    if (part.length === bytes.length) return out;
    const walk = new HeaderCondenser({ explicitVr: true, littleEndian: true });
    walk.push(out);
    if (walk.done) return out;
    n *= 4;
  }
}

const BINARY_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'UN']);
const SWAP_WIDTH: Record<string, number> = { OW: 2, OF: 4, OL: 4, OD: 8, OV: 8 };

/** An ArrayBuffer holding exactly these bytes (dcmjs mis-reads Buffer views with byteOffset ≠ 0; infra.md §7). */
export function exactArrayBuffer(b: Buffer): ArrayBuffer {
  if (b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer)
    return b.buffer;
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

/**
/**
 * Decodes of one data set buffer, by options: a DIMSE identifier is wanted by EVT_DIMSE_RECV, the handler
 * and the operation's event, and is inflated and parsed once for all three. The JSON is shared: read-only.
 */
const decoded = new WeakMap<Buffer, Map<string, DicomJson | DicomtrailError>>();

/** Decodes a bare data set to DICOM JSON. Throws DicomtrailError DT_ERR_DATASET_PARSE on malformed input. */
export function datasetToDicomJson(bytes: Buffer, options: DecodeOptions): DicomJson {
  if (options.elided !== undefined || options.untilTagSha256 !== undefined) return decode(bytes, options);
  const key = `${options.transferSyntaxUid}|${options.bulkDataThreshold}|${options.untilTag}|${options.valueLimit ?? valueLimitDefault}`;
  let byOptions = decoded.get(bytes);
  let result = byOptions?.get(key);
  if (result === undefined) {
    try {
      result = decode(bytes, options);
    } catch (err) {
      if (!(err instanceof DicomtrailError)) throw err;
      // A data set that does not decode (a deflate bomb) fails once, not once per reader.
      result = err;
    }
    if (!byOptions) {
      byOptions = new Map();
      decoded.set(bytes, byOptions);
    }
    byOptions.set(key, result);
  }
  if (result instanceof DicomtrailError) throw result;
  return result;
}

/**
 * Decodes without the per-buffer cache. `engine`: 'auto' reads what dataset/flat-dataset-reader.ts covers
 * itself and the rest with dcmjs; 'dcmjs' reads everything with dcmjs (the reference the parity tests hold
 * the flat reader to).
 */
export function decodeDataset(
  bytes: Buffer,
  options: DecodeOptions,
  engine: 'auto' | 'dcmjs' = 'auto',
): DicomJson {
  return decode(bytes, options, engine);
}

function readWithDcmjs(
  body: Buffer,
  ts: { explicitVr: boolean; littleEndian: boolean },
  untilTag: string | undefined,
  transferSyntaxUid: string,
): { dict: DcmjsDict; offset: number } {
  const syntax = !ts.explicitVr
    ? IMPLICIT_VR_LITTLE_ENDIAN
    : ts.littleEndian
      ? EXPLICIT_VR_LITTLE_ENDIAN
      : EXPLICIT_VR_BIG_ENDIAN;
  // Every read within the bytes: dcmjs trusts declared lengths (a lying one reads as a value of gigabytes).
  const stream = boundedReadStream(exactArrayBuffer(body), ts.littleEndian);
  try {
    const dict = dcmjs.data.DicomMessage._read(stream, syntax, {
      untilTag: untilTag ?? null,
      includeUntilTagValue: false,
    });
    return { dict, offset: stream.offset };
  } catch (err) {
    throw new DicomtrailError(
      'DT_ERR_DATASET_PARSE',
      `data set does not parse: ${String(err)}`,
      { transferSyntaxUid },
      err,
    );
  }
}

function decode(bytes: Buffer, options: DecodeOptions, engine: 'auto' | 'dcmjs' = 'auto'): DicomJson {
  const ts = readingProperties(options.transferSyntaxUid);
  const untilTag = options.untilTag?.toUpperCase();
  let body = !ts.deflated ? bytes : untilTag !== undefined ? inflateHeader(bytes) : inflateDataset(bytes);
  let elided = options.elided;
  const limit = options.valueLimit ?? valueLimitDefault;
  const finite = limit !== Number.POSITIVE_INFINITY;
  // Header-only bytes may be a prefix: cut to its whole top-level elements first (an element whose declared
  // length runs past the bytes, truncated or lying, is left out), so every read below stays within them.
  if (elided === undefined && (untilTag !== undefined || (finite && body.length > limit))) {
    const condensed = condenseDataset(body, {
      explicitVr: ts.explicitVr,
      littleEndian: ts.littleEndian,
      valueLimit: finite ? limit : Number.MAX_SAFE_INTEGER,
      ...(finite ? {} : { maxBytes: Number.MAX_SAFE_INTEGER }),
      untilPixelData: untilTag === '7FE00010',
    });
    if (
      !condensed.complete &&
      condensed.bytes.length === 0 &&
      condensed.elided.length === 0 &&
      body.length > 0
    )
      throw new DicomtrailError('DT_ERR_DATASET_PARSE', 'data set does not parse: no whole element', {
        transferSyntaxUid: options.transferSyntaxUid,
        length: body.length,
      });
    if (condensed.complete || untilTag !== undefined) {
      body = condensed.bytes;
      elided = condensed.elided;
    }
  }
  const flat =
    engine === 'auto' && ts.littleEndian ? readFlatDataset(body, ts.explicitVr, untilTag) : undefined;
  const { dict, offset } = flat ?? readWithDcmjs(body, ts, untilTag, options.transferSyntaxUid);
  const converter = { threshold: options.bulkDataThreshold ?? 1024, swap: !ts.littleEndian };
  const stopped = untilTag !== undefined && dict[untilTag] !== undefined;
  if (stopped) delete dict[untilTag];
  const json = convertDict(dict, converter);
  if (stopped) {
    json[untilTag] = stoppedElement(body, offset, ts.explicitVr, ts.littleEndian, options.untilTagSha256);
  }
  return elided && elided.length > 0 ? withElided(json, elided) : json;
}

/** The decoded elements and the elided ones, in tag order. */
function withElided(json: DicomJson, elided: readonly ElidedElement[]): DicomJson {
  const all: DicomJson = { ...json };
  for (const e of elided) all[e.tag] = { vr: e.vr, BulkData: { length: e.length, sha256: e.sha256 } };
  const out: DicomJson = {};
  for (const tag of Object.keys(all).sort()) out[tag] = all[tag]!;
  return out;
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
