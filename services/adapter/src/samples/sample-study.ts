/**
 * A synthetic study to try dicomtrail with: Secondary Capture instances (Explicit VR Little Endian, a small
 * MONOCHROME2 image of random pixels) of one made-up patient, as Part 10 files. Nothing here is real patient data.
 */
import { randomBytes } from 'node:crypto';
import type { DicomJson } from '../dataset/dicom-json.js';
import { encodeDataset } from '../dataset/encode-dataset.js';
import { encodePart10Header } from '../dataset/part10.js';

const SC_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.7';
const EXPLICIT_LE = '1.2.840.10008.1.2.1';
/** Our UID root for made-up instances. */
const SAMPLE_UID_ROOT = '1.2.826.0.1.3680043.10.1386.7';

export interface SampleStudySpec {
  patientId: string;
  patientName: string;
  count: number;
  /** Rows and columns of each image. */
  side?: number;
}

export interface SampleInstance {
  sopInstanceUid: string;
  bytes: Buffer;
}

function sampleUid(parts: readonly number[]): string {
  return [SAMPLE_UID_ROOT, ...parts].join('.');
}

/** `count` instances of one study and one series, each a complete Part 10 file. */
export function sampleStudy(spec: SampleStudySpec, now = new Date()): SampleInstance[] {
  const side = spec.side ?? 64;
  const stamp = now.getTime();
  const run = randomBytes(3).readUIntBE(0, 3);
  const studyUid = sampleUid([stamp, run, 1]);
  const seriesUid = sampleUid([stamp, run, 1, 1]);
  const date = now.toISOString().slice(0, 10).replaceAll('-', '');
  const out: SampleInstance[] = [];
  for (let i = 1; i <= spec.count; i++) {
    const sopInstanceUid = sampleUid([stamp, run, 1, 1, i]);
    const pixels = randomBytes(side * side * 2);
    const json: DicomJson = {
      '00080016': { vr: 'UI', Value: [SC_IMAGE_STORAGE] },
      '00080018': { vr: 'UI', Value: [sopInstanceUid] },
      '00080020': { vr: 'DA', Value: [date] },
      '00080050': { vr: 'SH', Value: [`ACC${run}`] },
      '00080060': { vr: 'CS', Value: ['OT'] },
      '00080064': { vr: 'CS', Value: ['WSD'] },
      '00100010': { vr: 'PN', Value: [{ Alphabetic: spec.patientName }] },
      '00100020': { vr: 'LO', Value: [spec.patientId] },
      '0020000D': { vr: 'UI', Value: [studyUid] },
      '0020000E': { vr: 'UI', Value: [seriesUid] },
      '00200011': { vr: 'IS', Value: [1] },
      '00200013': { vr: 'IS', Value: [i] },
      '00280002': { vr: 'US', Value: [1] },
      '00280004': { vr: 'CS', Value: ['MONOCHROME2'] },
      '00280010': { vr: 'US', Value: [side] },
      '00280011': { vr: 'US', Value: [side] },
      '00280100': { vr: 'US', Value: [16] },
      '00280101': { vr: 'US', Value: [16] },
      '00280102': { vr: 'US', Value: [15] },
      '00280103': { vr: 'US', Value: [0] },
      '7FE00010': { vr: 'OW', InlineBinary: pixels.toString('base64') },
    } as DicomJson;
    const meta = encodePart10Header({
      mediaStorageSopClassUid: SC_IMAGE_STORAGE,
      mediaStorageSopInstanceUid: sopInstanceUid,
      transferSyntaxUid: EXPLICIT_LE,
      implementationClassUid: '1.2.826.0.1.3680043.10.1386.1.0',
      implementationVersionName: 'DICOMTRAIL',
    });
    out.push({ sopInstanceUid, bytes: Buffer.concat([meta, encodeDataset(json, EXPLICIT_LE)]) });
  }
  return out;
}
