/** What other packages use of the adapter as a library: data set encoding for DICOM JSON. */
export type { DicomJson, DicomJsonElement } from './dataset/dicom-json.js';
export { encodeDataset } from './dataset/encode-dataset.js';
export { EXPLICIT_VR_LITTLE_ENDIAN } from './dataset/transfer-syntaxes.js';
