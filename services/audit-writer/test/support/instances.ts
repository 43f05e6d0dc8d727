/** Test instances made with dcmtk's dump2dcm (a DICOM dump in, a Part 10 file out): no data set is downloaded. */
import { writeFileSync } from 'node:fs';
import { runDcmtk } from '@dicomtrail/testing';

export const SC_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.7';

export interface Instance {
  file: string;
  sopInstanceUid: string;
  patientId: string;
  studyUid: string;
  seriesUid: string;
}

export async function writeInstance(file: string, i: Omit<Instance, 'file'> & { patientName?: string }) {
  const dump = [
    `(0008,0016) UI [${SC_IMAGE_STORAGE}]`,
    `(0008,0018) UI [${i.sopInstanceUid}]`,
    '(0008,0050) SH [ACC-1]',
    '(0008,0060) CS [OT]',
    `(0010,0010) PN [${i.patientName ?? 'Test^Patient'}]`,
    `(0010,0020) LO [${i.patientId}]`,
    `(0020,000d) UI [${i.studyUid}]`,
    `(0020,000e) UI [${i.seriesUid}]`,
    '(0028,0002) US 1',
    '(0028,0004) CS [MONOCHROME2]',
    '(0028,0010) US 4',
    '(0028,0011) US 4',
    '(0028,0100) US 8',
    '(0028,0101) US 8',
    '(0028,0102) US 7',
    '(0028,0103) US 0',
    '(7fe0,0010) OB 00\\01\\02\\03\\04\\05\\06\\07\\08\\09\\0a\\0b\\0c\\0d\\0e\\0f',
  ].join('\n');
  writeFileSync(`${file}.dump`, `${dump}\n`);
  const r = await runDcmtk('dump2dcm', ['-g', '+te', `${file}.dump`, file]);
  if (r.code !== 0) throw new Error(`dump2dcm failed: ${r.stderr}`);
  return { file, ...i };
}
