/**
 * Reading the few attributes the audit messages name from DICOM JSON (PS3.18 F.2) data sets as events carry
 * them, and writing an identifier back as a DICOM data set for ParticipantObjectQuery (explicit VR little
 * endian, encoded by the adapter's data set encoder).
 */
import {
  type DicomJson as AdapterDicomJson,
  EXPLICIT_VR_LITTLE_ENDIAN,
  encodeDataset,
} from '@dicomtrail/adapter';

export type DicomJson = Record<string, { vr: string; Value?: unknown[]; InlineBinary?: string } | undefined>;

export const TAG = {
  accessionNumber: '00080050',
  sopClassUid: '00080016',
  sopInstanceUid: '00080018',
  patientName: '00100010',
  patientId: '00100020',
  studyInstanceUid: '0020000D',
} as const;

export function isDicomJson(x: unknown): x is DicomJson {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** The first value of `tag` as text ('' when absent or empty); a person name as its alphabetic group. */
export function firstValue(ds: DicomJson | undefined, tag: string): string {
  const v = ds?.[tag]?.Value?.[0];
  if (v === undefined || v === null) return '';
  if (typeof v === 'object') {
    const alphabetic = (v as { Alphabetic?: unknown }).Alphabetic;
    return typeof alphabetic === 'string' ? alphabetic : '';
  }
  return String(v).trim();
}

/** An identifier as explicit VR little endian data set bytes (what ParticipantObjectQuery carries, base64). */
export function encodeIdentifier(ds: DicomJson): Buffer {
  return encodeDataset(ds as AdapterDicomJson, EXPLICIT_VR_LITTLE_ENDIAN);
}
