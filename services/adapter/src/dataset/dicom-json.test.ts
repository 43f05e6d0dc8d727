import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { deflateRawSync } from 'node:zlib';
import { datasetToDicomJson, inflateDataset, inflateHeader } from './dicom-json.js';
import { encodeDataset } from './encode-dataset.js';
import { readPart10 } from './part10.js';
import {
  DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN,
  EXPLICIT_VR_BIG_ENDIAN,
  EXPLICIT_VR_LITTLE_ENDIAN,
  IMPLICIT_VR_LITTLE_ENDIAN,
} from './transfer-syntaxes.js';

const VECTORS = new URL('../../../test/vectors/', import.meta.url);
export const FILES: [string, string][] = [
  ['ct-ele.dcm', EXPLICIT_VR_LITTLE_ENDIAN],
  ['ct-ile.dcm', IMPLICIT_VR_LITTLE_ENDIAN],
  ['ct-ebe.dcm', EXPLICIT_VR_BIG_ENDIAN],
  ['ct-def.dcm', DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN],
];
const load = (name: string) => readFileSync(new URL(`dataset/${name}`, VECTORS));
const PIXELS = Buffer.from(Array.from({ length: 16 }, (_, i) => [i + 1, 0]).flat());
const PIXELS_SHA256 = createHash('sha256').update(PIXELS).digest('hex');

for (const [name, uid] of FILES) {
  test(`DICOM JSON of ${name} (DCMTK): PN, DA, sequence, private tag, pixel data over/under threshold`, () => {
    const part10 = readPart10(load(name));
    assert.equal(part10.transferSyntaxUid, uid);
    const over = datasetToDicomJson(part10.datasetBytes, { transferSyntaxUid: uid, bulkDataThreshold: 16 });
    assert.deepEqual(over['00100010'], { vr: 'PN', Value: [{ Alphabetic: 'Doe^Jane' }] });
    assert.deepEqual(over['00080020'], { vr: 'DA', Value: ['20240131'] });
    assert.deepEqual(over['00080005'], { vr: 'CS', Value: ['ISO_IR 100'] });
    assert.deepEqual(over['00081110'], {
      vr: 'SQ',
      Value: [
        {
          '00081150': { vr: 'UI', Value: ['1.2.840.10008.5.1.4.1.1.2'] },
          '00081155': { vr: 'UI', Value: ['1.2.826.0.1.3680043.10.1337.9.9'] },
        },
      ],
    });
    assert.deepEqual(over['00290010'], { vr: 'LO', Value: ['DICOMTRAIL TEST'] });
    if (uid === IMPLICIT_VR_LITTLE_ENDIAN)
      assert.deepEqual(over['00291001'], {
        vr: 'UN',
        InlineBinary: Buffer.from('private value ').toString('base64'),
      });
    else assert.deepEqual(over['00291001'], { vr: 'LO', Value: ['private value'] });
    assert.deepEqual(over['00280010'], { vr: 'US', Value: [4] });
    assert.deepEqual(over['7FE00010'], { vr: 'OW', BulkData: { length: 32, sha256: PIXELS_SHA256 } });
    const under = datasetToDicomJson(part10.datasetBytes, { transferSyntaxUid: uid, bulkDataThreshold: 32 });
    assert.deepEqual(under['7FE00010'], { vr: 'OW', InlineBinary: PIXELS.toString('base64') });
  });

  test(`header-only DICOM JSON of ${name} stops at pixel data and reports its length`, () => {
    const { datasetBytes } = readPart10(load(name));
    const json = datasetToDicomJson(datasetBytes, {
      transferSyntaxUid: uid,
      untilTag: '7fe00010',
      untilTagSha256: 'ab',
    });
    assert.deepEqual(json['7FE00010'], {
      vr: 'OW',
      BulkData: { length: 32, sha256: 'ab' },
    });
    assert.deepEqual(json['00100010'], { vr: 'PN', Value: [{ Alphabetic: 'Doe^Jane' }] });
  });
}

test('the data set storescu sent decodes like the file it came from', () => {
  const wire = Buffer.from(
    readFileSync(new URL('dimse/c-store-rq.dataset.hex', VECTORS), 'utf8').trim(),
    'hex',
  );
  const fromFile = readPart10(load('ct-ele.dcm')).datasetBytes;
  const opts = { transferSyntaxUid: EXPLICIT_VR_LITTLE_ENDIAN };
  assert.deepEqual(datasetToDicomJson(wire, opts), datasetToDicomJson(fromFile, opts));
});

test('header-only mode on a prefix of the data set (pixel data not yet received)', () => {
  const { datasetBytes } = readPart10(load('ct-ele.dcm'));
  const prefix = datasetBytes.subarray(0, datasetBytes.length - 20);
  const json = datasetToDicomJson(prefix, {
    transferSyntaxUid: EXPLICIT_VR_LITTLE_ENDIAN,
    untilTag: '7FE00010',
  });
  assert.deepEqual(json['7FE00010'], { vr: 'OW', BulkData: { length: 32 } });
});

test('a Buffer view with byteOffset ≠ 0 decodes fully (infra.md §7)', () => {
  const { datasetBytes } = readPart10(load('ct-ele.dcm'));
  const padded = Buffer.concat([Buffer.alloc(3), datasetBytes]).subarray(3);
  const json = datasetToDicomJson(padded, {
    transferSyntaxUid: EXPLICIT_VR_LITTLE_ENDIAN,
    bulkDataThreshold: 0,
  });
  assert.deepEqual(json['7FE00010'], { vr: 'OW', BulkData: { length: 32, sha256: PIXELS_SHA256 } });
});

test('malformed data sets give typed errors', () => {
  const { datasetBytes } = readPart10(load('ct-ele.dcm'));
  assert.throws(
    () => datasetToDicomJson(datasetBytes.subarray(0, 30), { transferSyntaxUid: EXPLICIT_VR_LITTLE_ENDIAN }),
    { code: 'DT_ERR_DATASET_PARSE' },
  );
  assert.throws(
    () =>
      datasetToDicomJson(Buffer.from('not deflate at all'), {
        transferSyntaxUid: DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN,
      }),
    { code: 'DT_ERR_DATASET_INFLATE' },
  );
  assert.ok(deflateRawSync(datasetBytes).length > 0);
});

test('issue 16: a deflate bomb is refused at the inflate limit, not allocated', () => {
  const bomb = deflateRawSync(Buffer.alloc(8 * 1024 * 1024));
  assert.ok(bomb.length < 64 * 1024);
  assert.throws(
    () => inflateDataset(bomb, 1024 * 1024),
    (e: unknown) =>
      (e as { code?: string }).code === 'DT_ERR_DATASET_INFLATE' &&
      /inflates to more than 1048576 bytes/.test((e as Error).message),
  );
  assert.equal(inflateDataset(bomb).length, 8 * 1024 * 1024);
});

test('issue 16: a long text value of any VR is elided to BulkData {length, sha256} past valueLimit', () => {
  const long = 'y'.repeat(5000);
  const bytes = encodeDataset(
    {
      '00080052': { vr: 'CS', Value: ['STUDY'] },
      '00324000': { vr: 'LT', Value: [long] },
    } as never,
    '1.2.840.10008.1.2.1',
  );
  const json = datasetToDicomJson(bytes, { transferSyntaxUid: '1.2.840.10008.1.2.1', valueLimit: 1024 });
  assert.deepEqual(json['00324000'], {
    vr: 'LT',
    BulkData: { length: 5000, sha256: createHash('sha256').update(long).digest('hex') },
  });
  assert.deepEqual(json['00080052'], { vr: 'CS', Value: ['STUDY'] });
  const inline = datasetToDicomJson(bytes, { transferSyntaxUid: '1.2.840.10008.1.2.1', valueLimit: 8192 });
  assert.deepEqual(inline['00324000'], { vr: 'LT', Value: [long] });
});

test('issue 16: one data set buffer is decoded once per options, a failure too', () => {
  const bytes = encodeDataset({ '00080052': { vr: 'CS', Value: ['STUDY'] } } as never, '1.2.840.10008.1.2.1');
  const opts = { transferSyntaxUid: '1.2.840.10008.1.2.1', bulkDataThreshold: 1024 };
  assert.equal(datasetToDicomJson(bytes, opts), datasetToDicomJson(bytes, { ...opts }));
  const bomb = deflateRawSync(Buffer.alloc(80 * 1024 * 1024));
  const deflated = { transferSyntaxUid: '1.2.840.10008.1.2.1.99', bulkDataThreshold: 1024 };
  let first: unknown;
  let second: unknown;
  try {
    datasetToDicomJson(bomb, deflated);
  } catch (e) {
    first = e;
  }
  try {
    datasetToDicomJson(bomb, deflated);
  } catch (e) {
    second = e;
  }
  assert.equal((first as { code?: string }).code, 'DT_ERR_DATASET_INFLATE');
  assert.equal(second, first, 'the second reader gets the first failure, without inflating again');
});

test('given a data set whose declared lengths run past its end (a VR byte off), when decoded, then a parse error, no 1.3 GB value', () => {
  // Found by the DIMSE fuzzer (seed 1, case 352): an N-CREATE attribute list of 130 bytes.
  const bytes = Buffer.from(
    '080060004353040043541000100043530a0046757a7a5e4d707073204000520243530a00434f4d504c45544544204000700253510000fffffffffeff00e0ffffffff20000d0055492800312e322e3832362e302e312e333638303034332e31302e313338362e392e39372e39343237393100feff0de000000000feffdde000000000',
    'hex',
  );
  const rssBefore = process.memoryUsage().rss;
  assert.throws(
    () => datasetToDicomJson(bytes, { transferSyntaxUid: '1.2.840.10008.1.2.1' }),
    (err: Error & { code?: string }) =>
      err.code === 'DT_ERR_DATASET_PARSE' && /runs past the end of the data set/.test(err.message),
  );
  assert.ok(
    process.memoryUsage().rss - rssBefore < 256 * 1048576,
    'no value of the declared length was allocated',
  );
});

test('given sequence items whose element lengths run past the item, when decoded, then a parse error at once', () => {
  // Found by the DIMSE fuzzer (seed 20261207, case 20): an N-EVENT-REPORT attribute list of 830 bytes with
  // nested items whose lengths lie; read unbounded it took 6 s of CPU here and 1.2 GB in the adapter.
  const bytes = Buffer.from(
    '08006000435302004354e07f36fc41451800b92321afe3239f2c6463dd5bf9aeae14ff4b0e3dbdc1b07f10001000504e1200' +
      '312e322e335c342e352e365c372e382e39204000750253510000fffffffffeff00e0ffffffff4000750253510000ffffffff' +
      'feff00e0ffffffff4000750253510000fffffffffeff00e0ffffffff4000750253510000fffffffffeff00e0ffffffff4000' +
      '750253510000fffffffffeff00e0ffffffff4000750253510000fffffffffeff00e0ffffffff4000750253510000ffffffff' +
      'feff00e0ffffffff4000750253510000fffffffffeff00e0ffffffff4000750253510000fffffffffeff00e0ffffffff4000' +
      '750253510000fffffffffeff00e0ffffffff4000750253510000fffffffffeff00e0ffffffff4000750253510000ffffffff' +
      'feff00e0ffffffff4000750253510000fffffffffeff00e0ffffffff4000750253510000fffffffffeff00e0ffffffff4000' +
      '750253510000fffffffffeff00e0ffffffff4000750253510000fffffffffeff00e0ffffffff10001000504e040044656570' +
      'feff0de000000000feffdde000000000feff0de000000000feffdde000000000feff0de000000000feffdde000000000feff' +
      '0de000000000feffdde000000000feff0de000000000feffdde000000000feff0de000000000feffdde000000000feff0de0' +
      '00000000feffdde000000000feff0de000000000feffdde000000000feff0de000000000feffdde000000000feff0de00000' +
      '0000feffdde000000000feff0de000000000feffdde000000000feff0de000000000feffdde000000000feff0de000000000' +
      'feffdde000000000feff0de000000000feffdde000000000feff0de000000000feffdde000000000feff0de000000000feff' +
      'dde0000000004000520243530600424f475553204000700253510000fffffffffeff00e0ffffffff20000d0055492800312e' +
      '322e3832362e302e312e333638303034332e31302e313338362e392e3334372e373536303434feff0de000000000feff00e0' +
      'ffffffff20000d0055492800312e322e3832362e302e312e333638303034332e31302e313338362e392e3334372e37353630' +
      '3434feff0de0554e000000000000feff0de000000000feffdde000000000',
    'hex',
  );
  assert.throws(
    () => datasetToDicomJson(bytes, { transferSyntaxUid: '1.2.840.10008.1.2.1' }),
    (err: Error & { code?: string }) =>
      err.code === 'DT_ERR_DATASET_PARSE' && /runs past the end of the data set/.test(err.message),
  );
});

test('given a header-only decode whose declared length runs past the bytes (DIMSE fuzzer, seed 1, case 38644), then a parse error at once, no 1.2 GB value', () => {
  // A C-STORE data set of 254 bytes: (0010,0020) LO says 0 bytes, so "PID-53" is read as a tag with a length of
  // 1,230,307,341. Read unbounded, dcmjs made that value and the event hashed it: 2-5 s of CPU per C-STORE.
  const bytes = Buffer.from(
    '0800160055491a00312e322e3834302e31303030382e352e312e342e312e312e37000800180055492800312e322e3832362e302e' +
      '312e333638303034332e31302e313338362e392e3336372e3839393336360800200044410800323032343031303208006000435302' +
      '004f54100020004c4f00005049442d353320000d0055492800312e322e3832362e302e312e333638303034332e31302e313338362e' +
      '392e3134312e38323935363620000e0055492800312e322e3832362e302e312e333638303034332e31302e313338362e392e383235' +
      '2e3437343938002800100055530200020028001100555302000200e07f10004f4200000400000000000000',
    'hex',
  );
  assert.throws(
    () =>
      datasetToDicomJson(bytes, {
        transferSyntaxUid: EXPLICIT_VR_LITTLE_ENDIAN,
        untilTag: '7FE00010',
        bulkDataThreshold: 0,
      }),
    (err: Error & { code?: string }) =>
      err.code === 'DT_ERR_DATASET_PARSE' && /runs past the end of the data set/.test(err.message),
  );
});

test('given a header-only decode whose last element before Pixel Data lies about its length (seed 1, case 38913), then the elements before it are decoded and the lie is left out', () => {
  // (0028,0010) US with length 0, then (ffff,71de) US claiming 0x0009 bytes in a run the fuzzer inserted.
  const bytes = Buffer.from(
    '0800160055491a00312e322e3834302e31303030382e352e312e342e312e312e32000800180055492800312e322e3832362e302e' +
      '312e333638303034332e31302e313338362e392e3234322e3633373938340800200044410800323032343031303208006000435302' +
      '004f5410001000504e0c0046757a7a5e50617469656e74100020004c4f06005049442d383120000d0055492800312e322e3832362e' +
      '302e312e333638303034332e31302e313338362e392e3736302e38353139373720000e0055492800312e322e3832362e302e312e33' +
      '3638303034332e31302e313338362e392e3739352e33333937313428001000555300000200ffff71de55530900385515458838b6f1' +
      'fc28001100555302000200e07f10004f4200000400000000000000',
    'hex',
  );
  const json = datasetToDicomJson(bytes, {
    transferSyntaxUid: EXPLICIT_VR_LITTLE_ENDIAN,
    untilTag: '7FE00010',
    bulkDataThreshold: 0,
  });
  assert.deepEqual(json['0020000D'], { vr: 'UI', Value: ['1.2.826.0.1.3680043.10.1386.9.760.851977'] });
  assert.deepEqual(json['00100020'], { vr: 'LO', Value: ['PID-81'] });
  for (const [tag, e] of Object.entries(json))
    assert.ok((e.BulkData?.length ?? 0) <= bytes.length, `${tag} claims no more bytes than there are`);
});

test('given a header prefix that ends inside an element of any VR, then only its whole elements are decoded', () => {
  const { datasetBytes } = readPart10(load('ct-ele.dcm'));
  const whole = datasetToDicomJson(datasetBytes, {
    transferSyntaxUid: EXPLICIT_VR_LITTLE_ENDIAN,
    untilTag: '7FE00010',
  });
  // Cut inside every element in turn: what is decoded is always a subset of the whole header, value for value.
  for (let cut = 64; cut < datasetBytes.length - 40; cut += 7) {
    const part = datasetToDicomJson(datasetBytes.subarray(0, cut), {
      transferSyntaxUid: EXPLICIT_VR_LITTLE_ENDIAN,
      untilTag: '7FE00010',
    });
    for (const [tag, e] of Object.entries(part)) assert.deepEqual(e, whole[tag], `cut at ${cut}: ${tag}`);
  }
});

test('a Deflated data set read header-only from a prefix of its compressed bytes: the whole elements in it are decoded, no inflate error', () => {
  const { datasetBytes } = readPart10(load('ct-def.dcm'));
  const opts = { transferSyntaxUid: DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN, untilTag: '7FE00010' };
  const whole = datasetToDicomJson(datasetBytes, opts);
  assert.ok(whole['0020000D'], 'the whole data set has its Study Instance UID');
  const half = datasetToDicomJson(datasetBytes.subarray(0, Math.floor(datasetBytes.length / 2)), opts);
  assert.ok(Object.keys(half).length > 0);
  for (const [tag, e] of Object.entries(half)) assert.deepEqual(e, whole[tag], tag);
});

test('a Deflated header whose first compressed bytes inflate past the limit: the largest prefix that fits is read', () => {
  // 16 MiB of zeros after a first element: 16 KiB of compressed bytes inflate to 16 MiB, past a 1 MiB limit.
  const first = Buffer.from('0800050043530a0049534f5f495220313030', 'hex');
  const zeros = deflateRawSync(Buffer.concat([first, Buffer.alloc(16 * 1024 * 1024)]));
  const out = inflateHeader(zeros, 1024 * 1024);
  assert.ok(out.length > first.length && out.length <= 1024 * 1024, `${out.length} bytes`);
  assert.deepEqual(out.subarray(0, first.length), first);
  assert.throws(() => inflateHeader(Buffer.from('not deflate at all')), { code: 'DT_ERR_DATASET_INFLATE' });
});
