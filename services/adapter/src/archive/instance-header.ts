/**
 * Reads what the index keeps from a stored Part 10 file (PS3.10 §7.1): the transfer syntax from the file
 * meta and the indexed attributes from the data set header, never past the last indexed attribute
 * (quick reader) or Pixel Data (7FE0,0010) (dcmjs fallback).
 * Only the first HEADER_PREFIX bytes are read; a header longer than that (long values before group 0020,
 * huge sequences) is condensed while the file is read in chunks (dataset/header-condenser.ts: values
 * past the event value limit left out), so the identifying attributes are found whatever precedes them
 * and the file is never held whole.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { DicomtrailError } from '@dicomtrail/runtime';
import { type DicomJson, datasetToDicomJson } from '../dataset/dicom-json.js';
import { HeaderCondenser } from '../dataset/header-condenser.js';
import { readPart10 } from '../dataset/part10.js';
import { readingProperties } from '../dataset/transfer-syntaxes.js';
import { INDEXED_TAGS, pick } from './attributes.js';
import { readIndexedAttributes, readIndexedDataset } from './header-reader.js';
import type { IndexedInstance } from './instance-index.js';

const HEADER_PREFIX = 64 * 1024;
/** One buffer for every read: the readers copy what they keep (strings, JSON), and all of this is synchronous. */
const prefix = Buffer.allocUnsafe(HEADER_PREFIX);

function readPrefix(file: string): { bytes: Buffer; whole: boolean } {
  const fd = openSync(file, 'r');
  try {
    const n = readSync(fd, prefix, 0, HEADER_PREFIX, 0);
    return { bytes: prefix.subarray(0, n), whole: n < HEADER_PREFIX };
  } finally {
    closeSync(fd);
  }
}

const CHUNK = 1024 * 1024;
/** Compressed bytes of a Deflated file read for its header (inflated as far as they go: dicom-json.ts). */
const DEFLATED_HEADER_BYTES = CHUNK;

/**
 * The file with its data set condensed up to Pixel Data: the file meta as it is, then the kept elements.
 * Deflated files (not walkable before inflating) are read up to DEFLATED_HEADER_BYTES, never whole.
 */
function condensedFile(file: string, prefixBytes: Buffer): Buffer {
  const p10 = readPart10(prefixBytes);
  const meta = prefixBytes.subarray(0, prefixBytes.length - p10.datasetBytes.length);
  const ts = readingProperties(p10.transferSyntaxUid);
  const condenser = ts.deflated
    ? undefined
    : new HeaderCondenser({ explicitVr: ts.explicitVr, littleEndian: ts.littleEndian });
  const fd = openSync(file, 'r');
  try {
    const chunks: Buffer[] = [];
    for (let at = meta.length; ; ) {
      const chunk = Buffer.allocUnsafe(CHUNK);
      const n = readSync(fd, chunk, 0, CHUNK, at);
      if (n === 0) break;
      at += n;
      if (condenser) {
        condenser.push(chunk.subarray(0, n));
        if (condenser.done) break;
      } else {
        chunks.push(chunk.subarray(0, n));
        if (at - meta.length >= DEFLATED_HEADER_BYTES) break;
      }
    }
    const body = condenser ? condenser.result().bytes : Buffer.concat(chunks);
    return Buffer.concat([meta, body]);
  } finally {
    closeSync(fd);
  }
}

function decodeHeader(file: Buffer): { transferSyntax: string; header: DicomJson } {
  const p10 = readPart10(file);
  const header = datasetToDicomJson(p10.datasetBytes, {
    transferSyntaxUid: p10.transferSyntaxUid,
    untilTag: '7FE00010',
    bulkDataThreshold: 0,
  });
  return { transferSyntax: p10.transferSyntaxUid, header };
}

/**
 * The index record of a Part 10 file: header-reader.ts's quick path on the first bytes, dcmjs when that
 * cannot be exact. Throws DT_ERR_ARCHIVE_UNREADABLE when it is not a Part 10 file.
 */
export function readIndexedInstance(file: string): IndexedInstance {
  try {
    const { bytes, whole } = readPrefix(file);
    let content: Buffer | undefined;
    const full = (): Buffer => {
      content ??= condensedFile(file, Buffer.from(bytes));
      return content;
    };
    const quick = readIndexedAttributes(bytes, whole) ?? (whole ? undefined : readIndexedAttributes(full()));
    if (quick) return { path: file, transferSyntax: quick.transferSyntax, attributes: quick.attributes };
    let decoded: { transferSyntax: string; header: DicomJson };
    try {
      decoded = decodeHeader(bytes);
    } catch (err) {
      if (whole) throw err;
      decoded = decodeHeader(full());
    }
    return fromHeader(file, decoded.transferSyntax, decoded.header);
  } catch (err) {
    throw new DicomtrailError('DT_ERR_ARCHIVE_UNREADABLE', 'not a readable Part 10 file', { file }, err);
  }
}

/** The index record of a Part 10 instance held whole in memory (a small C-STORE), filed or to be filed at `file`. */
export function heldIndexedInstance(bytes: Buffer, file: string): IndexedInstance {
  try {
    const quick = readIndexedAttributes(bytes, true);
    if (quick) return { path: file, transferSyntax: quick.transferSyntax, attributes: quick.attributes };
    const decoded = decodeHeader(bytes);
    return fromHeader(file, decoded.transferSyntax, decoded.header);
  } catch (err) {
    throw new DicomtrailError('DT_ERR_ARCHIVE_UNREADABLE', 'not a readable Part 10 instance', {}, err);
  }
}

/**
 * The index record of a C-STORE held whole in memory (`held`: our file meta, then the `datasetBytes`
 * received in `transferSyntax`): the data set is read where it starts, without decoding the file meta we wrote.
 */
export function receivedIndexedInstance(
  held: Buffer,
  datasetBytes: number,
  transferSyntax: string,
  file: string,
): IndexedInstance {
  const attributes =
    datasetBytes <= held.length
      ? readIndexedDataset(held.subarray(held.length - datasetBytes), transferSyntax, true)
      : undefined;
  if (attributes) return { path: file, transferSyntax, attributes };
  return heldIndexedInstance(held, file);
}

/** The index record from an already decoded header (a C-STORE whose header was decoded for its event). */
export function fromHeader(file: string, transferSyntax: string, header: DicomJson): IndexedInstance {
  return { path: file, transferSyntax, attributes: pick(header, INDEXED_TAGS) };
}
