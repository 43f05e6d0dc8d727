/**
 * Transfer syntaxes the SCP accepts, in order of preference when a context proposes several: the
 * uncompressed ones (decoded for events) and the encapsulated ones (stored as received, pixel data untouched).
 */
import { TRANSFER_SYNTAXES } from '../dataset/transfer-syntaxes.js';

const NATIVE = ['1.2.840.10008.1.2.1', '1.2.840.10008.1.2', '1.2.840.10008.1.2.1.99', '1.2.840.10008.1.2.2'];

export const SUPPORTED_TRANSFER_SYNTAXES: readonly string[] = [
  ...NATIVE,
  ...TRANSFER_SYNTAXES.map((t) => t.uid).filter((u) => !NATIVE.includes(u)),
];
