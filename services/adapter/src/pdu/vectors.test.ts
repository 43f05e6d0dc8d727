/**
 * Vector tests (STYLE convention 7): every PDU captured from DCMTK in test/vectors/<pdu>/<case>.hex
 *   1. decodePdu(vector) deep-equals the reviewed <case>.json;
 *   2. encodePdu(decoded) equals the vector byte for byte (associate-rq: except DCMTK's 0xFF reserved byte);
 *   3. the framer, fed the vector split at every offset, returns exactly one identical PDU.
 * UPDATE_VECTORS=1 rewrites the JSON files (review the diff before committing).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { decodePdu } from './decode.js';
import { encodePdu } from './encode.js';
import { PduFramer } from './pdu-framer.js';

const ROOT = fileURLToPath(new URL('../../../test/vectors/', import.meta.url));
const PDU_DIRS = ['associate-rq', 'associate-ac', 'associate-rj', 'p-data-tf', 'release-rp', 'abort'];

function toJson(value: unknown): string {
  const replacer = function (this: Record<string, unknown>, key: string, v: unknown) {
    const raw = this[key];
    return Buffer.isBuffer(raw) ? { $hex: raw.toString('hex') } : v;
  };
  return `${JSON.stringify(value, replacer, 2)}\n`;
}

function fromJson(text: string): unknown {
  return JSON.parse(text, (_key, v) =>
    v !== null && typeof v === 'object' && typeof v.$hex === 'string' ? Buffer.from(v.$hex, 'hex') : v,
  );
}

/** Offsets of the reserved byte DCMTK sets to 0xFF in each A-ASSOCIATE-RQ presentation context item. */
function dcmtkQuirkOffsets(pdu: Buffer): Set<number> {
  const offsets = new Set<number>();
  for (let at = 74; at + 4 <= pdu.length; at += 4 + pdu.readUInt16BE(at + 2)) {
    if (pdu[at] === 0x20) offsets.add(at + 6);
  }
  return offsets;
}

const cases = PDU_DIRS.flatMap((dir) =>
  readdirSync(`${ROOT}${dir}`)
    .filter((f) => f.endsWith('.hex'))
    .map((f) => ({ dir, name: f.slice(0, -4), base: `${ROOT}${dir}/${f.slice(0, -4)}` })),
);

for (const { dir, name, base } of cases) {
  const bytes = Buffer.from(readFileSync(`${base}.hex`, 'utf8').replace(/\s+/g, ''), 'hex');

  test(`${dir}/${name}: decodePdu equals the reviewed JSON`, () => {
    const decoded = decodePdu(bytes);
    if (process.env['UPDATE_VECTORS'] === '1' || !existsSync(`${base}.json`)) {
      writeFileSync(`${base}.json`, toJson(decoded));
    }
    assert.deepStrictEqual(fromJson(toJson(decoded)), fromJson(readFileSync(`${base}.json`, 'utf8')));
  });

  test(`${dir}/${name}: encodePdu(JSON) equals the captured bytes`, () => {
    const encoded = encodePdu(fromJson(readFileSync(`${base}.json`, 'utf8')) as never);
    assert.equal(encoded.length, bytes.length);
    const allowed = dir === 'associate-rq' ? dcmtkQuirkOffsets(bytes) : new Set<number>();
    for (let i = 0; i < bytes.length; i++) {
      if (encoded[i] === bytes[i]) continue;
      assert.ok(allowed.has(i) && bytes[i] === 0xff && encoded[i] === 0, `byte ${i} differs`);
    }
  });

  test(`${dir}/${name}: framer split at every offset yields one identical PDU`, () => {
    for (let split = 0; split <= bytes.length; split++) {
      const framer = new PduFramer({ maxPduLength: bytes.length });
      const got = [...framer.push(bytes.subarray(0, split)), ...framer.push(bytes.subarray(split))];
      assert.equal(got.length, 1, `split ${split}`);
      assert.ok(got[0]!.bytes.equals(bytes), `split ${split}`);
      assert.equal(got[0]!.type, bytes[0]);
      assert.equal(got[0]!.length, bytes.length - 6);
      assert.equal(framer.bufferedLength, 0);
    }
  });

  test(`${dir}/${name}: framer fed one byte at a time yields one identical PDU`, () => {
    const framer = new PduFramer({ maxPduLength: bytes.length });
    const got = [];
    for (let i = 0; i < bytes.length; i++) got.push(...framer.push(bytes.subarray(i, i + 1)));
    assert.equal(got.length, 1);
    assert.ok(got[0]!.bytes.equals(bytes));
  });
}
