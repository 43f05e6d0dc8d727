/**
 * Test DICOM instances made here (no data set is downloaded): a Part 10 file with patient/study/series
 * attributes, an optional private element and pixel data of any size, in a given transfer syntax.
 * The header is encoded by our own encoder; the pixel data element is appended as raw bytes, so a
 * 50 MB instance costs no base64 round trip.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { encodeDataset } from '../../src/dataset/encode-dataset.js';
import { encodePart10Header } from '../../src/dataset/part10.js';

export const SC_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.7';
export const CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2';
export const IMPLICIT_LE = '1.2.840.10008.1.2';
export const EXPLICIT_LE = '1.2.840.10008.1.2.1';
export const EXPLICIT_BE = '1.2.840.10008.1.2.2';

let counter = 0;
export function uid(): string {
  counter += 1;
  return `1.2.826.0.1.3680043.10.1386.9.${process.pid}.${Date.now()}.${counter}`;
}

export interface InstanceSpec {
  sopClassUid?: string;
  sopInstanceUid?: string;
  transferSyntax?: string;
  patientId?: string;
  patientName?: string;
  studyUid?: string;
  seriesUid?: string;
  pixelBytes?: number;
  privateTag?: boolean;
  /** More elements (DICOM JSON), e.g. a long LT before group 0020. */
  extra?: Record<string, { vr: string; Value?: unknown[] }>;
}

export function makeInstance(spec: InstanceSpec = {}): {
  bytes: Buffer;
  sopInstanceUid: string;
  datasetOffset: number;
} {
  const ts = spec.transferSyntax ?? EXPLICIT_LE;
  const sopClassUid = spec.sopClassUid ?? SC_IMAGE_STORAGE;
  const sopInstanceUid = spec.sopInstanceUid ?? uid();
  const pixels = spec.pixelBytes ?? 1024;
  const side = Math.max(1, Math.floor(Math.sqrt(pixels / 2)));
  const json: Record<string, { vr: string; Value?: unknown[] }> = {
    '00080016': { vr: 'UI', Value: [sopClassUid] },
    '00080018': { vr: 'UI', Value: [sopInstanceUid] },
    '00080060': { vr: 'CS', Value: ['OT'] },
    '00100010': { vr: 'PN', Value: [{ Alphabetic: spec.patientName ?? 'Test^Patient' }] },
    '00100020': { vr: 'LO', Value: [spec.patientId ?? 'PID-1'] },
    '0020000D': { vr: 'UI', Value: [spec.studyUid ?? uid()] },
    '0020000E': { vr: 'UI', Value: [spec.seriesUid ?? uid()] },
    '00280002': { vr: 'US', Value: [1] },
    '00280004': { vr: 'CS', Value: ['MONOCHROME2'] },
    '00280010': { vr: 'US', Value: [side] },
    '00280011': { vr: 'US', Value: [Math.ceil(pixels / 2 / side)] },
    '00280100': { vr: 'US', Value: [16] },
    '00280101': { vr: 'US', Value: [16] },
    '00280102': { vr: 'US', Value: [15] },
    '00280103': { vr: 'US', Value: [0] },
  };
  if (spec.extra) Object.assign(json, spec.extra);
  if (spec.privateTag) {
    json['00090010'] = { vr: 'LO', Value: ['DICOMTRAIL TEST'] };
    json['00091001'] = { vr: 'LO', Value: ['private value'] };
  }
  const header = encodeDataset(json as never, ts);
  const pixelLength = pixels % 2 === 0 ? pixels : pixels + 1;
  const data = randomBytes(pixelLength);
  let pixelElement: Buffer;
  if (ts === IMPLICIT_LE) {
    pixelElement = Buffer.alloc(8);
    pixelElement.writeUInt16LE(0x7fe0, 0);
    pixelElement.writeUInt16LE(0x0010, 2);
    pixelElement.writeUInt32LE(pixelLength, 4);
  } else if (ts === EXPLICIT_BE) {
    pixelElement = Buffer.alloc(12);
    pixelElement.writeUInt16BE(0x7fe0, 0);
    pixelElement.writeUInt16BE(0x0010, 2);
    pixelElement.write('OW', 4, 'latin1');
    pixelElement.writeUInt32BE(pixelLength, 8);
  } else {
    pixelElement = Buffer.alloc(12);
    pixelElement.writeUInt16LE(0x7fe0, 0);
    pixelElement.writeUInt16LE(0x0010, 2);
    pixelElement.write('OW', 4, 'latin1');
    pixelElement.writeUInt32LE(pixelLength, 8);
  }
  const meta = encodePart10Header({
    mediaStorageSopClassUid: sopClassUid,
    mediaStorageSopInstanceUid: sopInstanceUid,
    transferSyntaxUid: ts,
    implementationClassUid: '1.2.826.0.1.3680043.10.1386.1.0',
    implementationVersionName: 'DT_TEST',
  });
  return {
    bytes: Buffer.concat([meta, header, pixelElement, data]),
    sopInstanceUid,
    datasetOffset: meta.length,
  };
}

export function writeInstance(file: string, spec: InstanceSpec = {}): { sopInstanceUid: string } {
  const inst = makeInstance(spec);
  writeFileSync(file, inst.bytes);
  return { sopInstanceUid: inst.sopInstanceUid };
}
