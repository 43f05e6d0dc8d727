import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as zlib from 'node:zlib';
import {
  crc32,
  crc32Portable,
  decodeAckCheckpoint,
  decodeAckFile,
  decodeSegmentHeader,
  encodeAckFile,
  encodeRecordInto,
  encodeSegmentHeader,
  FileWindow,
  readRecords,
  recordBytes,
  SEGMENT_HEADER_BYTES,
} from './spool-format.js';

test('CRC-32: check value, portable == native, chaining', () => {
  assert.equal(crc32Portable(Buffer.from('123456789')), 0xcbf43926);
  assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
  for (const size of [0, 1, 7, 64, 1000, 65_537]) {
    const buf = randomBytes(size);
    const expected = (zlib as { crc32?: (d: Uint8Array) => number }).crc32?.(buf) ?? crc32(buf);
    assert.equal(crc32Portable(buf), expected >>> 0);
    const cut = size >> 1;
    assert.equal(crc32Portable(buf.subarray(cut), crc32Portable(buf.subarray(0, cut))), expected >>> 0);
  }
});

test('segment header and ack file round trip; damage is detected', () => {
  const h = encodeSegmentHeader(123_456_789_012);
  assert.equal(h.length, SEGMENT_HEADER_BYTES);
  assert.equal(h.toString('latin1', 0, 4), 'DTSG');
  assert.deepEqual(decodeSegmentHeader(h), { ok: true, value: 123_456_789_012 });
  const a = encodeAckFile(42);
  assert.equal(a.toString('latin1', 0, 4), 'DTSA');
  assert.deepEqual(decodeAckFile(a), { ok: true, value: 42 });
  assert.equal(decodeAckFile(h).ok, false, 'a segment header is not an ack file');
  const bad = Buffer.from(a);
  bad[12]! ^= 1;
  assert.equal(decodeAckFile(bad).ok, false);
  assert.equal(decodeAckFile(a.subarray(0, 10)).ok, false);
});

test('records: byte layout, read back, resync after a damaged record', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'dt-spool-format-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const key = Buffer.from('assoc-1');
  const payloads = [Buffer.from('{"a":1}'), Buffer.from('{"b":22}'), Buffer.from('{"c":333}')];
  const buf = Buffer.alloc(
    SEGMENT_HEADER_BYTES + payloads.reduce((s, p) => s + recordBytes(key.length, p.length), 0),
  );
  encodeSegmentHeader(1).copy(buf);
  let off = SEGMENT_HEADER_BYTES;
  const starts: number[] = [];
  for (const [i, p] of payloads.entries()) {
    starts.push(off);
    off = encodeRecordInto(buf, off, i + 1, key, p);
  }
  const first = starts[0]!;
  assert.deepEqual([...buf.subarray(first, first + 4)], [0xf9, 0xc0, 0xd7, 0x5a]);
  assert.equal(buf.readUInt32BE(first + 8), payloads[0]!.length);
  assert.equal(buf.readBigUInt64BE(first + 12), 1n);
  assert.equal(buf.readUInt16BE(first + 20), key.length);
  assert.equal(buf.toString('utf8', first + 22, first + 22 + key.length), 'assoc-1');
  assert.equal(buf.readUInt32BE(first + 4), crc32(buf.subarray(first + 8, starts[1])));

  buf[starts[1]! + 24]! ^= 0xff; // inside the second record's key
  const file = join(dir, 'seg');
  await writeFile(file, buf);
  const fh = await open(file, 'r');
  try {
    const items = [];
    for await (const item of readRecords(new FileWindow(fh, buf.length), SEGMENT_HEADER_BYTES, buf.length)) {
      items.push(item);
    }
    assert.deepEqual(
      items.map((i) =>
        i.kind === 'record' ? `${i.seq}:${i.key}:${i.payload}` : `corrupt@${i.offset}+${i.bytes}`,
      ),
      ['1:assoc-1:{"a":1}', `corrupt@${starts[1]}+${starts[2]! - starts[1]!}`, '3:assoc-1:{"c":333}'],
    );
  } finally {
    await fh.close();
  }
});

test('ack file with a checkpoint: the watermark as before, the checkpoint when its CRC checks', () => {
  const cp = Buffer.from('{"v":1,"open":[]}');
  const buf = encodeAckFile(42, cp);
  assert.deepEqual(decodeAckFile(buf), { ok: true, value: 42 });
  assert.deepEqual(decodeAckCheckpoint(buf), cp);
  assert.equal(decodeAckCheckpoint(encodeAckFile(42)), undefined, 'none written');
  const torn = Buffer.from(buf);
  torn.writeUInt8(torn.readUInt8(torn.length - 1) ^ 0xff, torn.length - 1);
  assert.deepEqual(decodeAckFile(torn), { ok: true, value: 42 }, 'the watermark does not depend on it');
  assert.equal(decodeAckCheckpoint(torn), undefined, 'a checkpoint that does not check is none');
  assert.equal(decodeAckCheckpoint(buf.subarray(0, buf.length - 3)), undefined, 'nor a short one');
});
