import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeDataset } from './encode-dataset.js';
import { readStudySeries } from './study-series.js';

const STUDY = '1.2.826.0.1.3680043.10.1386.7.1';
const SERIES = '1.2.826.0.1.3680043.10.1386.7.1.2';
const json = {
  '00080016': { vr: 'UI', Value: ['1.2.840.10008.5.1.4.1.1.7'] },
  '00081140': { vr: 'SQ', Value: [{ '00081150': { vr: 'UI', Value: ['1.2.3'] } }] },
  '00100010': { vr: 'PN', Value: [{ Alphabetic: 'Doe^Jane' }] },
  '0020000D': { vr: 'UI', Value: [STUDY] },
  '0020000E': { vr: 'UI', Value: [SERIES] },
  '00200013': { vr: 'IS', Value: [1] },
};

for (const [name, ts] of [
  ['Implicit VR LE', '1.2.840.10008.1.2'],
  ['Explicit VR LE', '1.2.840.10008.1.2.1'],
  ['Explicit VR BE', '1.2.840.10008.1.2.2'],
] as const) {
  test(`reads study and series UIDs without a full parse: ${name}`, () => {
    const bytes = encodeDataset(json as never, ts);
    const r = readStudySeries(bytes, ts);
    // The sequence before group 0020 (however its length is encoded) is skipped.
    assert.deepEqual(r, { studyInstanceUid: STUDY, seriesInstanceUid: SERIES });
  });
}

test('gives up (undefined) on deflated data and on truncated input, never throws', () => {
  assert.equal(readStudySeries(Buffer.from([1, 2, 3]), '1.2.840.10008.1.2.1.99'), undefined);
  const bytes = encodeDataset(json as never, '1.2.840.10008.1.2.1');
  assert.equal(
    readStudySeries(bytes.subarray(0, bytes.indexOf(Buffer.from(STUDY)) + 3), '1.2.840.10008.1.2.1'),
    undefined,
  );
});
