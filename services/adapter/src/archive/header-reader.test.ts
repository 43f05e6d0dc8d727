import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { deflateRawSync } from 'node:zlib';
import { datasetToDicomJson } from '../dataset/dicom-json.js';
import { encodePart10Header, readPart10 } from '../dataset/part10.js';
import { INDEXED_TAGS, pick } from './attributes.js';
import { readIndexedAttributes } from './header-reader.js';
import { heldIndexedInstance, readIndexedInstance, receivedIndexedInstance } from './instance-header.js';

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

for (const name of ['ct-ile.dcm', 'ct-ele.dcm', 'ct-ebe.dcm', 'ct-def.dcm']) {
  test(`a received instance is indexed from its data set as from its whole file: ${name}`, () => {
    const buf = readFileSync(path.join(vectors, name));
    const { transferSyntaxUid, datasetBytes } = readPart10(buf);
    assert.deepEqual(
      receivedIndexedInstance(buf, datasetBytes.length, transferSyntaxUid, '/store/x.dcm'),
      heldIndexedInstance(buf, '/store/x.dcm'),
    );
  });
}

test('quick header reader: deflated and truncated prefixes fall back (undefined)', () => {
  const deflated = readFileSync(path.join(vectors, 'ct-def.dcm'));
  assert.equal(readIndexedAttributes(deflated), undefined);
  const ele = readFileSync(path.join(vectors, 'ct-ele.dcm'));
  assert.equal(readIndexedAttributes(ele.subarray(0, 400), false), undefined);
  assert.equal(readIndexedAttributes(Buffer.from('not dicom')), undefined);
});

/** An Explicit VR LE element; `length` overrides the declared length (a lie). */
function el(tag: number, vr: string, value: Buffer | string, length?: number): Buffer {
  const v =
    typeof value === 'string' ? Buffer.from(value.length % 2 ? `${value}\0` : value, 'latin1') : value;
  const long = ['OB', 'SQ', 'UN', 'UT'].includes(vr);
  const h = Buffer.alloc(long ? 12 : 8);
  h.writeUInt16LE(tag >>> 16, 0);
  h.writeUInt16LE(tag & 0xffff, 2);
  h.write(vr, 4, 'latin1');
  if (long) h.writeUInt32LE(length ?? v.length, 8);
  else h.writeUInt16LE(length ?? v.length, 6);
  return Buffer.concat([h, v]);
}
function item(body: Buffer, length = body.length): Buffer {
  const h = Buffer.from([0xfe, 0xff, 0x00, 0xe0, 0, 0, 0, 0]);
  h.writeUInt32LE(length >>> 0, 4);
  return Buffer.concat([h, body]);
}
function part10(...elements: Buffer[]): Buffer {
  return Buffer.concat([
    encodePart10Header({
      mediaStorageSopClassUid: '1.2.840.10008.5.1.4.1.1.7',
      mediaStorageSopInstanceUid: '1.2.3.4',
      transferSyntaxUid: '1.2.840.10008.1.2.1',
      implementationClassUid: '1.2.3',
    }),
    ...elements,
  ]);
}
const STUDY = el(0x0020000d, 'UI', '1.2.3.4.5');
const SERIES = el(0x0020000e, 'UI', '1.2.3.4.5.6');

test('quick header reader on honest lengths: the identifiers are read', () => {
  const quick = readIndexedAttributes(
    part10(
      el(0x00100010, 'PN', 'Doe^Jane'),
      el(0x00400275, 'SQ', item(el(0x00100010, 'PN', 'X'))),
      STUDY,
      SERIES,
    ),
  );
  assert.deepEqual(quick?.attributes['0020000D'], { vr: 'UI', Value: ['1.2.3.4.5'] });
});

const lies: [string, Buffer][] = [
  [
    'an item longer than its sequence',
    part10(el(0x00400275, 'SQ', item(el(0x00100010, 'PN', 'X'), 40), 18), STUDY, SERIES),
  ],
  [
    'an element longer than its item',
    part10(el(0x00400275, 'SQ', item(el(0x00100010, 'PN', 'X', 30), 10)), STUDY, SERIES),
  ],
  [
    'a sequence longer than the file',
    part10(el(0x00400275, 'SQ', item(el(0x00100010, 'PN', 'X')), 0x7ffffff0), STUDY, SERIES),
  ],
  [
    'an unindexed sequence longer than the file (the study after it would be silently missed)',
    part10(el(0x00081115, 'SQ', item(el(0x00081150, 'UI', '1.2')), 0x10000), STUDY, SERIES),
  ],
  [
    'a skipped element longer than the file',
    part10(el(0x00091010, 'UN', Buffer.alloc(4), 0xfffffff0), STUDY),
  ],
  [
    'a sequence whose items stop short of its declared length',
    part10(el(0x00400275, 'SQ', Buffer.concat([item(el(0x00100010, 'PN', 'X')), Buffer.alloc(4)])), STUDY),
  ],
  ['a text value longer than the file', part10(el(0x00104000, 'LT', 'abc', 0xfff0), STUDY, SERIES)],
];

for (const [name, file] of lies) {
  test(`quick header reader: ${name} is not exact (undefined, so the bounded decode decides), never partial`, () => {
    assert.equal(readIndexedAttributes(file), undefined);
    assert.equal(readIndexedAttributes(file.subarray(0, Math.min(file.length, 200)), false), undefined);
  });
}

test('an archived file whose lengths lie: indexed from its whole elements or refused, never a value from outside its element', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dt-header-'));
  try {
    for (const [name, bytes] of lies) {
      const file = path.join(dir, 'x.dcm');
      writeFileSync(file, bytes);
      let rec: ReturnType<typeof readIndexedInstance> | undefined;
      try {
        rec = readIndexedInstance(file);
      } catch (err) {
        assert.equal((err as { code?: string }).code, 'DT_ERR_ARCHIVE_UNREADABLE', name);
        continue;
      }
      for (const [tag, e] of Object.entries(rec.attributes)) {
        if (tag === '0020000D') assert.deepEqual(e.Value, ['1.2.3.4.5'], name);
        assert.ok(JSON.stringify(e).length < 200, `${name}: ${tag} is small`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a Deflated file of 4 MB: indexed from its first compressed bytes, not read whole', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dt-header-def-'));
  try {
    const pixels = Buffer.concat([
      Buffer.from([0xe0, 0x7f, 0x10, 0x00, 0x4f, 0x57, 0, 0, 0, 0, 0x40, 0]),
      randomBytes(4 * 1024 * 1024),
    ]);
    const body = deflateRawSync(Buffer.concat([el(0x00100010, 'PN', 'Doe^Jane'), STUDY, SERIES, pixels]));
    const meta = encodePart10Header({
      mediaStorageSopClassUid: '1.2.840.10008.5.1.4.1.1.7',
      mediaStorageSopInstanceUid: '1.2.3.4',
      transferSyntaxUid: '1.2.840.10008.1.2.1.99',
      implementationClassUid: '1.2.3',
    });
    const file = path.join(dir, 'deflated.dcm');
    writeFileSync(file, Buffer.concat([meta, body]));
    const rec = readIndexedInstance(file);
    assert.equal(rec.transferSyntax, '1.2.840.10008.1.2.1.99');
    assert.deepEqual(rec.attributes['0020000D'], { vr: 'UI', Value: ['1.2.3.4.5'] });
    assert.deepEqual(rec.attributes['0020000E'], { vr: 'UI', Value: ['1.2.3.4.5.6'] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
