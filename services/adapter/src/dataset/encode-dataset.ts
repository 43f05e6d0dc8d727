/**
 * DICOM JSON (PS3.18 §F.2) → bare data set bytes in a native transfer syntax (PS3.5 §7, A.1–A.3, A.5),
 * for C-FIND identifiers, N-* attribute lists and the SCU's generated test instances.
 * dcmjs writes the elements; dicomtrail handles what dcmjs gets wrong (infra.md §7): Deflated is
 * written as Explicit VR LE and raw-deflated here; for Big Endian, OW/OF/OL/OD/OV values (little endian
 * in JSON) are byte-swapped here because dcmjs does not. `BulkData` elisions cannot be encoded.
 * Strings are written as UTF-8 by dcmjs: non-ASCII text needs SpecificCharacterSet 'ISO_IR 192'.
 * Simple data sets (text and numbers, Implicit/Explicit VR LE) skip dcmjs: simple-encoder.ts.
 */
import { deflateRawSync } from 'node:zlib';
import { DicomtrailError } from '@dicomtrail/runtime';
import dcmjs, { type DcmjsDict } from 'dcmjs';
import type { DicomJson, DicomJsonElement } from './dicom-json.js';
import { encodeSimpleDataset } from './simple-encoder.js';
import {
  EXPLICIT_VR_BIG_ENDIAN,
  EXPLICIT_VR_LITTLE_ENDIAN,
  IMPLICIT_VR_LITTLE_ENDIAN,
  transferSyntax,
} from './transfer-syntaxes.js';

dcmjs.log.setLevel('error');

const SWAP_WIDTH: Record<string, number> = { OW: 2, OF: 4, OL: 4, OD: 8, OV: 8 };

/** Encodes DICOM JSON as a data set (no preamble, no file meta). Throws DT_ERR_DATASET_ENCODE_*. */
export function encodeDataset(json: DicomJson, transferSyntaxUid: string): Buffer {
  const ts = transferSyntax(transferSyntaxUid);
  if (!ts || ts.encapsulated)
    throw new DicomtrailError(
      'DT_ERR_DATASET_ENCODE_TRANSFER_SYNTAX',
      `cannot encode in ${transferSyntaxUid}`,
      {
        transferSyntaxUid,
      },
    );
  const simple = encodeSimpleDataset(json, transferSyntaxUid);
  if (simple) return simple;
  const syntax = !ts.explicitVr
    ? IMPLICIT_VR_LITTLE_ENDIAN
    : ts.littleEndian
      ? EXPLICIT_VR_LITTLE_ENDIAN
      : EXPLICIT_VR_BIG_ENDIAN;
  const dict = toDcmjs(json, !ts.littleEndian, '');
  const stream = new dcmjs.data.WriteBufferStream(4096, ts.littleEndian);
  try {
    dcmjs.data.DicomMessage.write(dict, stream, syntax, {});
  } catch (err) {
    throw new DicomtrailError('DT_ERR_DATASET_ENCODE', `data set does not encode: ${String(err)}`, {}, err);
  }
  const bytes = Buffer.from(stream.getBuffer());
  return ts.deflated ? deflateRawSync(bytes) : bytes;
}

function toDcmjs(json: DicomJson, swap: boolean, path: string): DcmjsDict {
  const out: DcmjsDict = {};
  for (const [tag, element] of Object.entries(json))
    out[tag.toUpperCase()] = toElement(element, swap, `${path}${tag}`);
  return out;
}

function toElement(e: DicomJsonElement, swap: boolean, path: string): DcmjsDict[string] {
  if (e.BulkData !== undefined)
    throw new DicomtrailError(
      'DT_ERR_DATASET_ENCODE_BULKDATA',
      'an elided BulkData value cannot be encoded',
      { path },
    );
  if (e.InlineBinary !== undefined) {
    let bytes = Buffer.from(e.InlineBinary, 'base64');
    const width = SWAP_WIDTH[e.vr];
    if (swap && width !== undefined)
      bytes = width === 2 ? bytes.swap16() : width === 4 ? bytes.swap32() : bytes.swap64();
    return { vr: e.vr, Value: [bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length)] };
  }
  const values = e.Value ?? [];
  if (e.vr === 'SQ')
    return { vr: 'SQ', Value: values.map((item, i) => toDcmjs(item as DicomJson, swap, `${path}[${i}].`)) };
  if (e.vr === 'AT')
    return { vr: 'AT', Value: values.map((v) => (typeof v === 'string' ? Number.parseInt(v, 16) : v)) };
  return { vr: e.vr, Value: values.map((v) => (v === null ? '' : v)) };
}
