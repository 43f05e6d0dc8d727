import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { datasetToDicomJson } from './dicom-json.js';
import { encodeDataset } from './encode-dataset.js';
import { condenseDataset, HeaderCondenser } from './header-condenser.js';
import { readStudySeries } from './study-series.js';

const EXPLICIT_LE = '1.2.840.10008.1.2.1';
const IMPLICIT_LE = '1.2.840.10008.1.2';
const EXPLICIT_BE = '1.2.840.10008.1.2.2';
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

const STUDY = '1.2.3.4';
const SERIES = '1.2.3.4.5';

/** Patient comments (LT, long) before group 0020, a sequence, then the identifiers and pixel data. */
function dataset(ts: string, commentLength: number): { bytes: Buffer; comment: Buffer } {
  const comment = Buffer.alloc(commentLength, 'c');
  const json = {
    '00080016': { vr: 'UI', Value: ['1.2.840.10008.5.1.4.1.1.7'] },
    '00080018': { vr: 'UI', Value: ['1.2.3.4.5.6'] },
    '00081115': { vr: 'SQ', Value: [{ '0020000E': { vr: 'UI', Value: ['9.9'] } }] },
    '00100010': { vr: 'PN', Value: [{ Alphabetic: 'Doe^Jane' }] },
    '00104000': { vr: 'LT', Value: [comment.toString('latin1')] },
    '0020000D': { vr: 'UI', Value: [STUDY] },
    '0020000E': { vr: 'UI', Value: [SERIES] },
  };
  const header = encodeDataset(json as never, ts);
  // Pixel Data header and 16 bytes of value: the condenser keeps the header only.
  const px = Buffer.alloc(ts === IMPLICIT_LE ? 8 : 12);
  const le = ts !== EXPLICIT_BE;
  const w16 = (v: number, o: number) => (le ? px.writeUInt16LE(v, o) : px.writeUInt16BE(v, o));
  w16(0x7fe0, 0);
  w16(0x0010, 2);
  if (ts === IMPLICIT_LE) px.writeUInt32LE(16, 4);
  else {
    px.write('OW', 4, 'latin1');
    le ? px.writeUInt32LE(16, 8) : px.writeUInt32BE(16, 8);
  }
  return { bytes: Buffer.concat([header, px, Buffer.alloc(16, 1)]), comment };
}

for (const [name, ts, commentLength] of [
  ['Implicit VR LE, 2 MB comment', IMPLICIT_LE, 2 * 1024 * 1024],
  ['Explicit VR LE, 60,000-byte comment', EXPLICIT_LE, 60_000],
  ['Explicit VR BE, 60,000-byte comment', EXPLICIT_BE, 60_000],
] as const) {
  test(`issue 16, ${name}: the long value is elided to length + sha256, the identifiers after it kept`, () => {
    const { bytes, comment } = dataset(ts, commentLength);
    const explicitVr = ts !== IMPLICIT_LE;
    const c = condenseDataset(bytes, { explicitVr, littleEndian: ts !== EXPLICIT_BE, valueLimit: 1024 });
    assert.equal(c.complete, true);
    assert.deepEqual(c.elided, [
      { tag: '00104000', vr: explicitVr ? 'LT' : 'UN', length: comment.length, sha256: sha(comment) },
    ]);
    assert.ok(c.bytes.length < 400, `${c.bytes.length} bytes kept`);
    assert.deepEqual(readStudySeries(c.bytes, ts), { studyInstanceUid: STUDY, seriesInstanceUid: SERIES });
    const json = datasetToDicomJson(c.bytes, {
      transferSyntaxUid: ts,
      untilTag: '7FE00010',
      elided: c.elided,
    });
    assert.deepEqual(Object.keys(json), [
      '00080016',
      '00080018',
      '00081115',
      '00100010',
      '00104000',
      '0020000D',
      '0020000E',
      '7FE00010',
    ]);
    assert.deepEqual(json['00104000'], {
      vr: explicitVr ? 'LT' : 'UN',
      BulkData: { length: comment.length, sha256: sha(comment) },
    });
    assert.deepEqual(json['7FE00010']?.BulkData, { length: 16 });
  });
}

test('the same result whatever the chunking (every split point of a small data set)', () => {
  const { bytes } = dataset(EXPLICIT_LE, 3000);
  const whole = condenseDataset(bytes, { explicitVr: true, littleEndian: true, valueLimit: 1024 });
  for (let cut = 1; cut < bytes.length; cut += 7) {
    const c = new HeaderCondenser({ explicitVr: true, littleEndian: true, valueLimit: 1024 });
    c.push(bytes.subarray(0, cut));
    c.push(bytes.subarray(cut));
    assert.deepEqual(c.result(), whole, `cut at ${cut}`);
  }
  for (const size of [1, 3, 5]) {
    const c = new HeaderCondenser({ explicitVr: true, littleEndian: true, valueLimit: 1024 });
    for (let o = 0; o < bytes.length; o += size) c.push(bytes.subarray(o, o + size));
    assert.deepEqual(c.result(), whole, `chunks of ${size}`);
  }
});

test('an undefined-length sequence longer than the limit is elided whole; a short one is kept', () => {
  const item = encodeDataset({ '00080100': { vr: 'SH', Value: ['X'.repeat(16)] } } as never, IMPLICIT_LE);
  const seq = (items: number) => {
    const parts: Buffer[] = [];
    const h = Buffer.alloc(8);
    h.writeUInt16LE(0x0008, 0);
    h.writeUInt16LE(0x1115, 2);
    h.writeUInt32LE(0xffffffff, 4);
    parts.push(h);
    for (let i = 0; i < items; i++) {
      const ih = Buffer.alloc(8);
      ih.writeUInt16LE(0xfffe, 0);
      ih.writeUInt16LE(0xe000, 2);
      ih.writeUInt32LE(0xffffffff, 4);
      const end = Buffer.from([0xfe, 0xff, 0x0d, 0xe0, 0, 0, 0, 0]);
      parts.push(ih, item, end);
    }
    parts.push(Buffer.from([0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0]));
    return Buffer.concat(parts);
  };
  const ids = encodeDataset({ '0020000D': { vr: 'UI', Value: [STUDY] } } as never, IMPLICIT_LE);
  const short = condenseDataset(Buffer.concat([seq(2), ids]), {
    explicitVr: false,
    littleEndian: true,
    valueLimit: 1024,
  });
  assert.deepEqual(short.elided, []);
  assert.equal(short.bytes.length, seq(2).length + ids.length);
  const longSeq = seq(100);
  const long = condenseDataset(Buffer.concat([longSeq, ids]), {
    explicitVr: false,
    littleEndian: true,
    valueLimit: 1024,
  });
  assert.equal(long.complete, true);
  assert.deepEqual(long.elided, [
    { tag: '00081115', vr: 'UN', length: longSeq.length - 8, sha256: sha(longSeq.subarray(8)) },
  ]);
  assert.ok(long.bytes.equals(ids));
});

test('a data set cut inside an element is reported incomplete', () => {
  const { bytes } = dataset(EXPLICIT_LE, 3000);
  const c = condenseDataset(bytes.subarray(0, 200), {
    explicitVr: true,
    littleEndian: true,
    valueLimit: 1024,
  });
  assert.equal(c.complete, false);
});

test('past maxBytes only small elements are kept, the identifying ones always', () => {
  const many: Record<string, { vr: string; Value: string[] }> = {};
  for (let i = 0; i < 40; i++)
    many[`0009${(0x1000 + i).toString(16).toUpperCase()}`] = { vr: 'LO', Value: ['v'.repeat(60)] };
  const ds = encodeDataset(
    { ...many, '0020000D': { vr: 'UI', Value: [STUDY] }, '0020000E': { vr: 'UI', Value: [SERIES] } } as never,
    EXPLICIT_LE,
  );
  const c = condenseDataset(ds, { explicitVr: true, littleEndian: true, valueLimit: 1024, maxBytes: 500 });
  assert.ok(c.elided.length > 0);
  assert.deepEqual(readStudySeries(c.bytes, EXPLICIT_LE), {
    studyInstanceUid: STUDY,
    seriesInstanceUid: SERIES,
  });
});

test('a data set condensed in one go gives what the condenser gives it pushed byte by byte or whole', () => {
  const item = encodeDataset({ '00080100': { vr: 'SH', Value: ['X'.repeat(16)] } } as never, IMPLICIT_LE);
  const undefinedSeq = (items: number, nested: boolean): Buffer => {
    const parts: Buffer[] = [Buffer.from([0x08, 0x00, 0x15, 0x11, 0xff, 0xff, 0xff, 0xff])];
    for (let i = 0; i < items; i++) {
      parts.push(Buffer.from([0xfe, 0xff, 0x00, 0xe0, 0xff, 0xff, 0xff, 0xff]), item);
      if (nested) parts.push(undefinedSeq(1, false));
      parts.push(Buffer.from([0xfe, 0xff, 0x0d, 0xe0, 0, 0, 0, 0]));
    }
    parts.push(Buffer.from([0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0]));
    return Buffer.concat(parts);
  };
  const ids = encodeDataset(
    { '0020000D': { vr: 'UI', Value: [STUDY] }, '0020000E': { vr: 'UI', Value: [SERIES] } } as never,
    IMPLICIT_LE,
  );
  const cases: Array<[string, Buffer, boolean, boolean]> = [];
  for (const ts of [IMPLICIT_LE, EXPLICIT_LE, EXPLICIT_BE])
    for (const commentLength of [0, 10, 1000, 1025, 3000]) {
      const { bytes } = dataset(ts, commentLength);
      const le = ts !== EXPLICIT_BE;
      const explicit = ts !== IMPLICIT_LE;
      cases.push([`${ts} comment ${commentLength}`, bytes, explicit, le]);
      cases.push([`${ts} comment ${commentLength}, cut`, bytes.subarray(0, bytes.length - 30), explicit, le]);
      cases.push([
        `${ts} comment ${commentLength}, no pixel data`,
        bytes.subarray(0, bytes.length - 28),
        explicit,
        le,
      ]);
    }
  for (const [items, nested] of [
    [0, false],
    [2, false],
    [2, true],
    [40, false],
  ] as const)
    cases.push([
      `undefined-length sequence of ${items}`,
      Buffer.concat([undefinedSeq(items, nested), ids]),
      false,
      true,
    ]);
  cases.push([
    'stray item at the top',
    Buffer.concat([Buffer.from([0xfe, 0xff, 0x00, 0xe0, 0, 0, 0, 0]), ids]),
    false,
    true,
  ]);
  cases.push(['empty', Buffer.alloc(0), true, true]);
  for (const [name, bytes, explicitVr, littleEndian] of cases)
    for (const opts of [
      { explicitVr, littleEndian, valueLimit: 1024 },
      { explicitVr, littleEndian, valueLimit: 1024, maxBytes: 500 },
      { explicitVr, littleEndian, valueLimit: 1024, untilPixelData: false },
    ]) {
      const whole = new HeaderCondenser(opts);
      whole.push(bytes);
      const byByte = new HeaderCondenser(opts);
      for (let i = 0; i < bytes.length; i++) byByte.push(bytes.subarray(i, i + 1));
      const once = condenseDataset(bytes, opts);
      assert.deepEqual(once, whole.result(), `${name}, ${JSON.stringify(opts)}`);
      assert.deepEqual(once, byByte.result(), `${name} byte by byte, ${JSON.stringify(opts)}`);
    }
});
