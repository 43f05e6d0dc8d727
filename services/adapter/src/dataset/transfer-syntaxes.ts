/**
 * Transfer syntaxes, PS3.5 §10 and Annex A, PS3.6 Table A-1. Properties drive how a data set is
 * read: VR explicit or implicit, byte order, deflated (A.5: raw deflate of the whole data set),
 * encapsulated (A.4: pixel data as fragments; everything else is Explicit VR Little Endian).
 */
export interface TransferSyntax {
  uid: string;
  name: string;
  explicitVr: boolean;
  littleEndian: boolean;
  deflated: boolean;
  encapsulated: boolean;
  retired?: boolean;
}

export const IMPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2';
export const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
export const DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1.99';
export const EXPLICIT_VR_BIG_ENDIAN = '1.2.840.10008.1.2.2';

const native = (uid: string, name: string, explicitVr: boolean, littleEndian: boolean, deflated = false) =>
  ({ uid, name, explicitVr, littleEndian, deflated, encapsulated: false }) satisfies TransferSyntax;
const encapsulated = (uid: string, name: string) =>
  ({
    uid,
    name,
    explicitVr: true,
    littleEndian: true,
    deflated: false,
    encapsulated: true,
  }) satisfies TransferSyntax;

export const TRANSFER_SYNTAXES: readonly TransferSyntax[] = [
  native(IMPLICIT_VR_LITTLE_ENDIAN, 'Implicit VR Little Endian', false, true),
  native(EXPLICIT_VR_LITTLE_ENDIAN, 'Explicit VR Little Endian', true, true),
  native(DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN, 'Deflated Explicit VR Little Endian', true, true, true),
  { ...native(EXPLICIT_VR_BIG_ENDIAN, 'Explicit VR Big Endian', true, false), retired: true },
  encapsulated('1.2.840.10008.1.2.4.50', 'JPEG Baseline (Process 1)'),
  encapsulated('1.2.840.10008.1.2.4.51', 'JPEG Extended (Process 2 & 4)'),
  encapsulated('1.2.840.10008.1.2.4.57', 'JPEG Lossless, Non-Hierarchical (Process 14)'),
  encapsulated('1.2.840.10008.1.2.4.70', 'JPEG Lossless, Non-Hierarchical, First-Order Prediction'),
  encapsulated('1.2.840.10008.1.2.4.80', 'JPEG-LS Lossless Image Compression'),
  encapsulated('1.2.840.10008.1.2.4.81', 'JPEG-LS Lossy (Near-Lossless) Image Compression'),
  encapsulated('1.2.840.10008.1.2.4.90', 'JPEG 2000 Image Compression (Lossless Only)'),
  encapsulated('1.2.840.10008.1.2.4.91', 'JPEG 2000 Image Compression'),
  encapsulated(
    '1.2.840.10008.1.2.4.92',
    'JPEG 2000 Part 2 Multi-component Image Compression (Lossless Only)',
  ),
  encapsulated('1.2.840.10008.1.2.4.93', 'JPEG 2000 Part 2 Multi-component Image Compression'),
  encapsulated('1.2.840.10008.1.2.4.201', 'High-Throughput JPEG 2000 Image Compression (Lossless Only)'),
  encapsulated(
    '1.2.840.10008.1.2.4.202',
    'High-Throughput JPEG 2000 with RPCL Options Image Compression (Lossless Only)',
  ),
  encapsulated('1.2.840.10008.1.2.4.203', 'High-Throughput JPEG 2000 Image Compression'),
  encapsulated('1.2.840.10008.1.2.4.100', 'MPEG2 Main Profile / Main Level'),
  encapsulated('1.2.840.10008.1.2.4.101', 'MPEG2 Main Profile / High Level'),
  encapsulated('1.2.840.10008.1.2.4.102', 'MPEG-4 AVC/H.264 High Profile / Level 4.1'),
  encapsulated('1.2.840.10008.1.2.4.103', 'MPEG-4 AVC/H.264 BD-compatible High Profile / Level 4.1'),
  encapsulated('1.2.840.10008.1.2.4.104', 'MPEG-4 AVC/H.264 High Profile / Level 4.2 For 2D Video'),
  encapsulated('1.2.840.10008.1.2.4.105', 'MPEG-4 AVC/H.264 High Profile / Level 4.2 For 3D Video'),
  encapsulated('1.2.840.10008.1.2.4.106', 'MPEG-4 AVC/H.264 Stereo High Profile / Level 4.2'),
  encapsulated('1.2.840.10008.1.2.4.107', 'HEVC/H.265 Main Profile / Level 5.1'),
  encapsulated('1.2.840.10008.1.2.4.108', 'HEVC/H.265 Main 10 Profile / Level 5.1'),
  encapsulated('1.2.840.10008.1.2.5', 'RLE Lossless'),
];

const BY_UID = new Map(TRANSFER_SYNTAXES.map((ts) => [ts.uid, ts]));

/** Properties of a known transfer syntax, or undefined. */
export function transferSyntax(uid: string): TransferSyntax | undefined {
  return BY_UID.get(uid);
}

/**
 * Properties for reading: unknown UIDs are treated as encapsulated Explicit VR LE, which is what
 * PS3.5 A.4 requires of every compressed syntax (the safe default for a proxy).
 */
export function readingProperties(uid: string): TransferSyntax {
  return BY_UID.get(uid) ?? encapsulated(uid, `Unknown (${uid})`);
}
