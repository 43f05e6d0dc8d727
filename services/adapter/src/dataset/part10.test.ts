import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import dcmjs from 'dcmjs';
import { datasetToDicomJson } from './dicom-json.js';
import { encodeDataset } from './encode-dataset.js';
import { encodePart10Header, readPart10 } from './part10.js';
import {
  DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN,
  EXPLICIT_VR_BIG_ENDIAN,
  EXPLICIT_VR_LITTLE_ENDIAN,
  IMPLICIT_VR_LITTLE_ENDIAN,
} from './transfer-syntaxes.js';
import { CT_IMAGE_STORAGE } from './uids.js';

const VECTORS = new URL('../../../test/vectors/', import.meta.url);
const load = (name: string) => readFileSync(new URL(`dataset/${name}`, VECTORS));
const str = (json: ReturnType<typeof datasetToDicomJson>, tag: string) => json[tag]?.Value?.[0];

function dcmdump(bytes: Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'dicomtrail-part10-'));
  try {
    const file = join(dir, 'x.dcm');
    writeFileSync(file, bytes);
    const r = spawnSync('dcmdump', ['-E', file], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  } finally {
    rmSync(dir, { recursive: true });
  }
}

for (const name of ['ct-ele.dcm', 'ct-ile.dcm', 'ct-ebe.dcm', 'ct-def.dcm']) {
  test(`encodePart10Header reproduces DCMTK's file meta of ${name} byte for byte`, () => {
    const file = load(name);
    const { fileMeta, transferSyntaxUid, datasetBytes } = readPart10(file);
    const header = encodePart10Header({
      mediaStorageSopClassUid: String(str(fileMeta, '00020002')),
      mediaStorageSopInstanceUid: String(str(fileMeta, '00020003')),
      transferSyntaxUid,
      implementationClassUid: String(str(fileMeta, '00020012')),
      implementationVersionName: String(str(fileMeta, '00020013')),
    });
    assert.deepEqual(header, file.subarray(0, file.length - datasetBytes.length));
  });
}

test('a streamed file (our header + received bytes) is read by dcmdump and by dcmjs', () => {
  const wire = Buffer.from(
    readFileSync(new URL('dimse/c-store-rq.dataset.hex', VECTORS), 'utf8').trim(),
    'hex',
  );
  const header = encodePart10Header({
    mediaStorageSopClassUid: CT_IMAGE_STORAGE,
    mediaStorageSopInstanceUid: '1.2.826.0.1.3680043.10.1337.2.1',
    transferSyntaxUid: EXPLICIT_VR_LITTLE_ENDIAN,
    implementationClassUid: '1.2.826.0.1.3680043.10.1337',
    implementationVersionName: 'DICOMTRAIL_01',
    sourceApplicationEntityTitle: 'STORESCU',
  });
  const file = Buffer.concat([header, wire]);
  const dump = dcmdump(file);
  assert.match(dump, /\(0002,0000\) UL \d+/);
  assert.match(dump, /\(0002,0016\) AE \[STORESCU\]/);
  assert.match(dump, /\(0002,0013\) SH \[DICOMTRAIL_01\]/);
  assert.match(dump, /\(0010,0010\) PN \[Doe\^Jane\]/);
  const dict = dcmjs.data.DicomMessage.readFile(
    file.buffer.slice(file.byteOffset, file.byteOffset + file.length),
  );
  assert.deepEqual(dict.meta['00020016']?.Value, ['STORESCU']);
  assert.deepEqual(dict.dict['00100010']?.Value, [{ Alphabetic: 'Doe^Jane' }]);
  const back = readPart10(file);
  assert.deepEqual(back.datasetBytes, wire);
  assert.deepEqual(back.fileMeta['00020001'], { vr: 'OB', InlineBinary: 'AAE=' });
});

for (const uid of [
  EXPLICIT_VR_LITTLE_ENDIAN,
  IMPLICIT_VR_LITTLE_ENDIAN,
  EXPLICIT_VR_BIG_ENDIAN,
  DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN,
]) {
  test(`encodeDataset in ${uid}: decodes back to the same DICOM JSON and dcmdump reads it`, () => {
    const source = readPart10(load('ct-ele.dcm'));
    const json = datasetToDicomJson(source.datasetBytes, { transferSyntaxUid: EXPLICIT_VR_LITTLE_ENDIAN });
    if (uid === IMPLICIT_VR_LITTLE_ENDIAN) delete json['00291001']; // private LO would come back as UN
    const bytes = encodeDataset(json, uid);
    assert.deepEqual(datasetToDicomJson(bytes, { transferSyntaxUid: uid }), json);
    const header = encodePart10Header({
      mediaStorageSopClassUid: CT_IMAGE_STORAGE,
      mediaStorageSopInstanceUid: '1.2.826.0.1.3680043.10.1337.2.1',
      transferSyntaxUid: uid,
      implementationClassUid: '1.2.826.0.1.3680043.10.1337',
    });
    const dump = dcmdump(Buffer.concat([header, bytes]));
    assert.match(dump, /\(0010,0010\) PN \[Doe\^Jane\]/);
    assert.match(dump, /\(7fe0,0010\) OW 0001\\0002\\0003/);
  });
}

test('encode errors are typed', () => {
  assert.throws(
    () => encodeDataset({ '7FE00010': { vr: 'OB', BulkData: { length: 4 } } }, EXPLICIT_VR_LITTLE_ENDIAN),
    {
      code: 'DT_ERR_DATASET_ENCODE_BULKDATA',
    },
  );
  assert.throws(() => encodeDataset({}, '1.2.840.10008.1.2.4.50'), {
    code: 'DT_ERR_DATASET_ENCODE_TRANSFER_SYNTAX',
  });
  assert.throws(() => readPart10(Buffer.alloc(200)), { code: 'DT_ERR_DATASET_PART10_PREAMBLE' });
});
