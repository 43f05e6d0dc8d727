import assert from 'node:assert/strict';
import { test } from 'node:test';
import dcmjs from 'dcmjs';
import type { DicomJson } from './dicom-json.js';
import { encodeSimpleDataset } from './simple-encoder.js';
import {
  EXPLICIT_VR_BIG_ENDIAN,
  EXPLICIT_VR_LITTLE_ENDIAN,
  IMPLICIT_VR_LITTLE_ENDIAN,
} from './transfer-syntaxes.js';

function viaDcmjs(json: DicomJson, ts: string): Buffer {
  const dict: Record<string, { vr: string; Value: unknown[] }> = {};
  for (const [k, v] of Object.entries(json)) dict[k] = { vr: v.vr, Value: v.Value ?? [] };
  const stream = new dcmjs.data.WriteBufferStream(4096, true);
  dcmjs.data.DicomMessage.write(dict as never, stream, ts, {});
  return Buffer.from(stream.getBuffer());
}

const IDENTIFIER: DicomJson = {
  '00080052': { vr: 'CS', Value: ['STUDY'] },
  '0020000D': { vr: 'UI', Value: ['1.2.3'] },
  '00100010': { vr: 'PN', Value: [{ Alphabetic: 'Doe^Jane' }] },
  '00100020': { vr: 'LO', Value: ['PID-1'] },
  '00080061': { vr: 'CS', Value: ['CT', 'MR'] },
  '00201208': { vr: 'IS', Value: [12] },
  '00080020': { vr: 'DA' },
  '00280010': { vr: 'US', Value: [512] },
  '00081030': { vr: 'LO', Value: ['Éèà ü'] },
  '00101030': { vr: 'DS', Value: [72.5] },
  '00080005': { vr: 'CS', Value: ['ISO_IR 192'] },
};

for (const ts of [EXPLICIT_VR_LITTLE_ENDIAN, IMPLICIT_VR_LITTLE_ENDIAN]) {
  test(`simple data sets encode byte for byte as dcmjs writes them (${ts})`, () => {
    assert.deepEqual(encodeSimpleDataset(IDENTIFIER, ts), viaDcmjs(IDENTIFIER, ts));
    const odd = { '00100020': { vr: 'LO', Value: ['ABC'] }, '00080018': { vr: 'UI', Value: ['1.2.34'] } };
    assert.deepEqual(encodeSimpleDataset(odd, ts), viaDcmjs(odd, ts));
  });
}

test('anything not simple is left to dcmjs (undefined)', () => {
  const cases: DicomJson[] = [
    { '00400100': { vr: 'SQ', Value: [{}] } },
    { '7FE00010': { vr: 'OW', InlineBinary: 'AAE=' } },
    { '00100010': { vr: 'PN', Value: [{ Alphabetic: 'Yamada^Tarou', Ideographic: '山田^太郎' }] } },
    { '00209165': { vr: 'AT', Value: ['00100010'] } },
  ];
  for (const c of cases) assert.equal(encodeSimpleDataset(c, EXPLICIT_VR_LITTLE_ENDIAN), undefined);
  assert.equal(encodeSimpleDataset(IDENTIFIER, EXPLICIT_VR_BIG_ENDIAN), undefined);
});
