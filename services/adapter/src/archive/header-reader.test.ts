import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { datasetToDicomJson } from '../dataset/dicom-json.js';
import { readPart10 } from '../dataset/part10.js';
import { INDEXED_TAGS, pick } from './attributes.js';
import { readIndexedAttributes } from './header-reader.js';

const vectors = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/vectors/dataset');

function viaDcmjs(buf: Buffer) {
  const p = readPart10(buf);
  const header = datasetToDicomJson(p.datasetBytes, {
    transferSyntaxUid: p.transferSyntaxUid,
    untilTag: '7FE00010',
    bulkDataThreshold: 0,
  });
  return pick(header, INDEXED_TAGS);
}

for (const name of ['ct-ile.dcm', 'ct-ele.dcm', 'ct-ebe.dcm']) {
  test(`quick header reader equals the dcmjs decode on the indexed attributes: ${name} (dcmtk-made)`, () => {
    const buf = readFileSync(path.join(vectors, name));
    const quick = readIndexedAttributes(buf);
    assert.ok(quick, 'the quick path applies');
    assert.deepEqual(quick.attributes, viaDcmjs(buf));
    assert.ok(Object.keys(quick.attributes).length >= 8);
  });
}

test('quick header reader: deflated and truncated prefixes fall back (undefined)', () => {
  const deflated = readFileSync(path.join(vectors, 'ct-def.dcm'));
  assert.equal(readIndexedAttributes(deflated), undefined);
  const ele = readFileSync(path.join(vectors, 'ct-ele.dcm'));
  assert.equal(readIndexedAttributes(ele.subarray(0, 400), false), undefined);
  assert.equal(readIndexedAttributes(Buffer.from('not dicom')), undefined);
});
