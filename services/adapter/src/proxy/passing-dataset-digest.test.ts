import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import type { NegotiatedContext } from '../association/types.js';
import { encodeDataset } from '../dataset/encode-dataset.js';
import { PassingDatasetDigest } from './passing-dataset-digest.js';

const EXPLICIT_LE = '1.2.840.10008.1.2.1';
const DEFLATED = '1.2.840.10008.1.2.1.99';
const context = (transferSyntax: string): NegotiatedContext =>
  ({ id: 1, abstractSyntax: '1.2.840.10008.5.1.4.1.1.7', transferSyntax }) as NegotiatedContext;

// A 100 KB description before the patient (longer than the event value limit), then 300 KB of pixel data.
const longText = 'x'.repeat(100_000);
const dataset = encodeDataset(
  {
    '00080016': { vr: 'UI', Value: ['1.2.840.10008.5.1.4.1.1.7'] },
    '00081030': { vr: 'LO', Value: ['Study'] },
    '00084000': { vr: 'LT', Value: [longText] },
    '00100020': { vr: 'LO', Value: ['PID-DIGEST'] },
    '0020000D': { vr: 'UI', Value: ['1.2.3.4'] },
    '7FE00010': { vr: 'OB', InlineBinary: Buffer.alloc(300_000, 7).toString('base64') },
  },
  EXPLICIT_LE,
);

function digestOf(fragments: Buffer[], transferSyntax = EXPLICIT_LE, wanted = true) {
  const d = new PassingDatasetDigest(context(transferSyntax), { bulkDataThreshold: 1024, wanted });
  for (const f of fragments) d.push(f);
  return d.result();
}

function cut(b: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < b.length; i += size) out.push(b.subarray(i, i + size));
  return out;
}

test('length, sha256 and header of a data set passing through are the same however it is fragmented', () => {
  const whole = digestOf([dataset]);
  assert.equal(whole.datasetBytes, dataset.length);
  assert.equal(whole.sha256, createHash('sha256').update(dataset).digest('hex'));
  const header = whole.header!.value()!;
  assert.equal(header['00100020']?.Value?.[0], 'PID-DIGEST', 'the patient, after the long value');
  assert.equal(header['0020000D']?.Value?.[0], '1.2.3.4');
  const long = header['00084000'] as { Value?: unknown; BulkData?: unknown };
  assert.equal(long.Value, undefined, 'the long value is not carried');
  assert.ok(long.BulkData, 'but its fingerprint is');
  assert.equal(header['7FE00010']?.Value, undefined, 'no pixel data');
  for (const size of [1, 7, 4090, 16378, 65530]) {
    const d = digestOf(cut(dataset, size));
    assert.equal(d.sha256, whole.sha256, `sha256, ${size}-byte fragments`);
    assert.deepEqual(d.header!.value(), header, `header, ${size}-byte fragments`);
  }
});

test('nothing wanted: only the length is counted', () => {
  assert.deepEqual(digestOf(cut(dataset, 4090), EXPLICIT_LE, false), { datasetBytes: dataset.length });
});

test('a data set that cannot be walked (deflated) keeps its first bytes for the header', () => {
  const d = digestOf(cut(dataset, 16378), DEFLATED);
  assert.equal(d.sha256, createHash('sha256').update(dataset).digest('hex'));
  assert.equal(d.header!.bytes.length, 256 * 1024, 'the first 256 KB');
  assert.ok(Buffer.from(d.header!.bytes).equals(dataset.subarray(0, 256 * 1024)));
});
