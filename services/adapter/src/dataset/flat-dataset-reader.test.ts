import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { makeInstance } from '../../test/support/instances.js';
import { type DecodeOptions, decodeDataset } from './dicom-json.js';
import { encodeDataset } from './encode-dataset.js';
import { readFlatDataset } from './flat-dataset-reader.js';
import { readPart10 } from './part10.js';
import { LONG_LENGTH_VRS } from './value-representations.js';

const ASCII_TEXT_VRS = 'AE AS CS DA DS DT IS LO LT PN SH ST TM UI'.split(' ');

import {
  DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN,
  EXPLICIT_VR_BIG_ENDIAN,
  EXPLICIT_VR_LITTLE_ENDIAN,
  IMPLICIT_VR_LITTLE_ENDIAN,
} from './transfer-syntaxes.js';

/** Both engines on the same bytes: the same JSON, or the same typed error. */
function bothWays(bytes: Buffer, options: DecodeOptions): { auto: unknown; dcmjs: unknown } {
  const run = (engine: 'auto' | 'dcmjs') => {
    try {
      return decodeDataset(bytes, options, engine);
    } catch (err) {
      return { error: (err as { code?: string }).code, message: (err as Error).message };
    }
  };
  return { auto: run('auto'), dcmjs: run('dcmjs') };
}

const MODES: Omit<DecodeOptions, 'transferSyntaxUid'>[] = [
  {},
  { untilTag: '7FE00010' },
  { untilTag: '7FE00010', bulkDataThreshold: 0 },
  { bulkDataThreshold: 4, valueLimit: 40 },
];

function datasetOf(part10: Buffer): Buffer {
  return readPart10(part10).datasetBytes;
}

test('given the instances the tests and benches send, when read both ways, then the flat reader reads them and its JSON is dcmjs JSON', () => {
  for (const transferSyntax of [EXPLICIT_VR_LITTLE_ENDIAN, IMPLICIT_VR_LITTLE_ENDIAN]) {
    for (const spec of [
      { transferSyntax },
      { transferSyntax, privateTag: true, pixelBytes: 10_000 },
      { transferSyntax, patientName: 'Doe^Jane^^Dr^PhD', pixelBytes: 7 },
      {
        transferSyntax,
        extra: {
          '00080005': { vr: 'CS', Value: ['ISO_IR 100'] },
          '00080020': { vr: 'DA', Value: ['20240131'] },
          '00180050': { vr: 'DS', Value: ['2.5', '-1e3'] },
          '00200013': { vr: 'IS', Value: ['7'] },
          '00324000': { vr: 'LT', Value: ['a long text \\ with a backslash '] },
          '00280030': { vr: 'DS', Value: ['0.5', '0.5'] },
        },
      },
    ]) {
      const dataset = datasetOf(makeInstance(spec).bytes);
      assert.ok(
        readFlatDataset(dataset, transferSyntax === EXPLICIT_VR_LITTLE_ENDIAN, '7FE00010'),
        `the flat reader covers ${JSON.stringify(spec)}`,
      );
      for (const mode of MODES) {
        const { auto, dcmjs } = bothWays(dataset, { transferSyntaxUid: transferSyntax, ...mode });
        assert.deepEqual(auto, dcmjs, `${JSON.stringify(spec)} ${JSON.stringify(mode)}`);
        assert.ok(!('error' in (dcmjs as object)), 'a valid instance decodes');
      }
    }
  }
});

test('given the DCMTK sample files and the storescu data set, when read both ways, then the same JSON', () => {
  const vectors = new URL('../../../test/vectors/', import.meta.url);
  const files: [string, string][] = [
    ['ct-ele.dcm', EXPLICIT_VR_LITTLE_ENDIAN],
    ['ct-ile.dcm', IMPLICIT_VR_LITTLE_ENDIAN],
    ['ct-ebe.dcm', EXPLICIT_VR_BIG_ENDIAN],
    ['ct-def.dcm', DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN],
  ];
  const sets: [Buffer, string][] = files.map(([name, ts]) => [
    datasetOf(readFileSync(new URL(`dataset/${name}`, vectors))),
    ts,
  ]);
  sets.push([
    Buffer.from(readFileSync(new URL('dimse/c-store-rq.dataset.hex', vectors), 'utf8').trim(), 'hex'),
    EXPLICIT_VR_LITTLE_ENDIAN,
  ]);
  for (const [bytes, ts] of sets)
    for (const mode of [
      ...MODES,
      { bulkDataThreshold: 16 },
      { untilTag: '7FE00010', untilTagSha256: 'ab' },
    ]) {
      const { auto, dcmjs } = bothWays(bytes, { transferSyntaxUid: ts, ...mode });
      assert.deepEqual(auto, dcmjs, `${ts} ${JSON.stringify(mode)}`);
    }
});

/** A small deterministic PRNG (mulberry32): the same data sets on every run. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every VR, AT and a VR that does not exist among them. */
const ALL_VRS = [
  ...new Set([...LONG_LENGTH_VRS, ...ASCII_TEXT_VRS, 'AT', 'FD', 'FL', 'SL', 'SS', 'UL', 'US', 'XX']),
];
/** Tags of the dictionary (of several VRs), private creators and elements, Specific Character Set, Pixel Data. */
const TAGS = [
  0x00080005, 0x00080016, 0x00080018, 0x00080020, 0x00080030, 0x00080060, 0x00080090, 0x00081030, 0x00100010,
  0x00100020, 0x00101010, 0x00101020, 0x00181151, 0x00200013, 0x00280010, 0x00280030, 0x00280106, 0x00324000,
  0x00090010, 0x00090001, 0x00091001, 0x00291010, 0x00400275, 0x00081110, 0x00189328, 0x00720064, 0x7fe00010,
  0x00200032, 0x00281050, 0x00081199, 0x00101002,
];
const ALPHABET = [
  ...'0123456789.-+eE ^=\\AZaz',
  '\u0000',
  '\u001b',
  '\n',
  '\u007f',
  '\u0080',
  '\u0093',
  '\u00e9',
  '\u00ff',
];
const CHARSETS = [
  'ISO_IR 100',
  'ISO_IR 192',
  'ISO_IR 6',
  '',
  'ISO 2022 IR 87',
  'ISO_IR 100\\ISO_IR 13',
  ' ISO_IR 100',
];

/** The VRs the flat reader reads, with the width of their numbers. */
const READ_VRS: Record<string, number> = {
  AE: 1,
  AS: 1,
  CS: 1,
  DA: 1,
  DS: 1,
  DT: 1,
  IS: 1,
  LO: 1,
  LT: 1,
  PN: 1,
  SH: 1,
  ST: 1,
  TM: 1,
  UC: 1,
  UI: 1,
  UR: 1,
  UT: 1,
  US: 2,
  SS: 2,
  UL: 4,
  SL: 4,
  FL: 4,
  FD: 8,
  OB: 1,
  OW: 2,
  UN: 1,
};

function cleanValue(r: () => number, vr: string): Buffer {
  const width = READ_VRS[vr] ?? 1;
  if (width > 1 || vr === 'OB' || vr === 'UN')
    return Buffer.from(
      Array.from({ length: width * (1 + Math.floor(r() * 3)) }, () => Math.floor(r() * 256)),
    );
  const length = Math.floor(r() * 24);
  let s = '';
  for (let i = 0; i < length; i++) s += ALPHABET[Math.floor(r() * 24)]!;
  if (r() < 0.2) s += '\u0000';
  return Buffer.from(s.length % 2 ? `${s} ` : s, 'latin1');
}

function randomValue(r: () => number, tag: number): Buffer {
  if (tag === 0x00080005 && r() < 0.8) {
    const cs = CHARSETS[Math.floor(r() * CHARSETS.length)]!;
    return Buffer.from(cs.length % 2 ? `${cs} ` : cs, 'latin1');
  }
  const kind = r();
  const length = kind < 0.1 ? 0 : kind < 0.2 ? [2, 4, 8, 6, 3][Math.floor(r() * 5)]! : Math.floor(r() * 40);
  if (r() < 0.3) return Buffer.from(Array.from({ length }, () => Math.floor(r() * 256)));
  let s = '';
  for (let i = 0; i < length; i++) s += ALPHABET[Math.floor(r() * ALPHABET.length)]!;
  return Buffer.from(s, 'latin1');
}

function element(tag: number, vr: string, value: Buffer, explicit: boolean): Buffer {
  const head = Buffer.alloc(explicit && LONG_LENGTH_VRS.has(vr) ? 12 : 8);
  head.writeUInt16LE(tag >>> 16, 0);
  head.writeUInt16LE(tag & 0xffff, 2);
  if (!explicit) head.writeUInt32LE(value.length, 4);
  else {
    head.write(vr, 4, 'latin1');
    if (LONG_LENGTH_VRS.has(vr)) head.writeUInt32LE(value.length, 8);
    else head.writeUInt16LE(value.length & 0xffff, 6);
  }
  return Buffer.concat([head, value]);
}

test('given 4,000 generated data sets of every VR, odd values and lying lengths, when read both ways, then the same JSON or the same error, and most are read by the flat reader', () => {
  const r = prng(20261208);
  let flat = 0;
  let total = 0;
  for (let i = 0; i < 4000; i++) {
    const explicit = i % 2 === 0;
    const ts = explicit ? EXPLICIT_VR_LITTLE_ENDIAN : IMPLICIT_VR_LITTLE_ENDIAN;
    const count = 1 + Math.floor(r() * 6);
    const tags = Array.from({ length: count }, () => TAGS[Math.floor(r() * TAGS.length)]!).sort(
      (a, b) => a - b,
    );
    const clean = r() < 0.6;
    const readVrs = Object.keys(READ_VRS);
    const parts = tags.map((tag) => {
      if (clean && tag === 0x00080005) return element(tag, 'CS', randomValue(r, tag), explicit);
      if (clean) {
        const vr = readVrs[Math.floor(r() * readVrs.length)]!;
        return element(tag, vr, cleanValue(r, vr), explicit);
      }
      const vr = r() < 0.6 ? 'LO' : ALL_VRS[Math.floor(r() * ALL_VRS.length)]!;
      return element(tag, vr, randomValue(r, tag), explicit);
    });
    let bytes = Buffer.concat(parts);
    const cut = r();
    if (cut < 0.05) bytes = bytes.subarray(0, Math.floor(r() * bytes.length));
    else if (cut < 0.1 && bytes.length > 8) bytes[6] = (bytes[6]! + 1) & 0xff;
    for (const mode of MODES) {
      total++;
      const { auto, dcmjs } = bothWays(bytes, { transferSyntaxUid: ts, ...mode });
      assert.deepEqual(auto, dcmjs, `case ${i} ${JSON.stringify(mode)}: ${bytes.toString('hex')}`);
      if (readFlatDataset(bytes, explicit, mode.untilTag)) flat++;
    }
  }
  assert.ok(flat > total / 5, `the flat reader read ${flat} of ${total}`);
});

test('given a data set the flat reader leaves to dcmjs (a sequence, a non-ASCII name, another character set), then it returns undefined', () => {
  const seq = encodeDataset(
    {
      '00081110': { vr: 'SQ', Value: [{ '00081150': { vr: 'UI', Value: ['1.2.3'] } }] },
    } as never,
    EXPLICIT_VR_LITTLE_ENDIAN,
  );
  assert.equal(readFlatDataset(seq, true, undefined), undefined);
  const accented = encodeDataset(
    { '00100010': { vr: 'PN', Value: [{ Alphabetic: 'Müller^Jörg' }] } } as never,
    EXPLICIT_VR_LITTLE_ENDIAN,
  );
  assert.equal(readFlatDataset(accented, true, undefined), undefined);
  const jis = encodeDataset(
    { '00080005': { vr: 'CS', Value: ['ISO 2022 IR 87'] } } as never,
    EXPLICIT_VR_LITTLE_ENDIAN,
  );
  assert.equal(readFlatDataset(jis, true, undefined), undefined);
  for (const charset of ['ISO_IR 100\\ISO_IR 144', 'ISO_IR 13', 'GB18030']) {
    const bytes = Buffer.concat([
      element(0x00080005, 'CS', Buffer.from(charset.length % 2 ? `${charset} ` : charset), true),
      element(0x00100020, 'LO', Buffer.from('PID-1 '), true),
    ]);
    assert.equal(readFlatDataset(bytes, true, undefined), undefined, charset);
    const { auto, dcmjs } = bothWays(bytes, { transferSyntaxUid: EXPLICIT_VR_LITTLE_ENDIAN });
    assert.deepEqual(auto, dcmjs, charset);
  }
  const plain = encodeDataset(
    { '00100010': { vr: 'PN', Value: [{ Alphabetic: 'Muller^Jorg' }] } } as never,
    EXPLICIT_VR_LITTLE_ENDIAN,
  );
  assert.ok(readFlatDataset(plain, true, undefined));
});
