/**
 * The modality a storage SOP class implies (PS3.6 Annex A names, PS3.3 C.7.3.1.1.1 modality codes), for the
 * patient report's "what": "CT", "MR", ... Undefined when the class is not an image storage class this table knows.
 */
import { sopClassName } from '@dicomtrail/trace-exporter';

const BY_NAME_PREFIX: readonly (readonly [string, string])[] = [
  ['Enhanced CT', 'CT'],
  ['CT ', 'CT'],
  ['Enhanced MR', 'MR'],
  ['MR ', 'MR'],
  ['Computed Radiography', 'CR'],
  ['Digital X-Ray', 'DX'],
  ['Digital Mammography', 'MG'],
  ['Ultrasound', 'US'],
  ['Nuclear Medicine', 'NM'],
  ['Positron Emission', 'PT'],
  ['Secondary Capture', 'OT'],
  ['Multi-frame', 'OT'],
  ['X-Ray Angiographic', 'XA'],
  ['X-Ray Radiofluoroscopic', 'RF'],
  ['Basic Text SR', 'SR'],
  ['Enhanced SR', 'SR'],
  ['Comprehensive SR', 'SR'],
  ['Encapsulated PDF', 'DOC'],
  ['RT Image', 'RTIMAGE'],
  ['RT Dose', 'RTDOSE'],
  ['RT Structure Set', 'RTSTRUCT'],
  ['RT Plan', 'RTPLAN'],
  ['Segmentation', 'SEG'],
  ['VL Whole Slide', 'SM'],
  ['12-lead ECG', 'ECG'],
];

export function modalityOf(sopClassUid: string | null | undefined): string | undefined {
  if (!sopClassUid) return undefined;
  const name = sopClassName(sopClassUid);
  if (!name) return undefined;
  return BY_NAME_PREFIX.find(([prefix]) => name.startsWith(prefix))?.[1];
}
