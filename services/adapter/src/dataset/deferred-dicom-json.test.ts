import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DeferredDicomJson,
  isDeferredWire,
  materializeDeferred,
  materializeHere,
} from './deferred-dicom-json.js';
import { datasetToDicomJson } from './dicom-json.js';
import { encodeDataset } from './encode-dataset.js';

const EXPLICIT_LE = '1.2.840.10008.1.2.1';
const options = { transferSyntaxUid: EXPLICIT_LE, bulkDataThreshold: 1024, untilTag: '7FE00010' };
const bytes = encodeDataset(
  {
    '00080018': { vr: 'UI', Value: ['1.2.3.4'] },
    '00100010': { vr: 'PN', Value: [{ Alphabetic: 'Doe^Jane' }] },
    '00100020': { vr: 'LO', Value: ['PID-7'] },
  },
  EXPLICIT_LE,
);
const decoded = datasetToDicomJson(bytes, options);

describe('DeferredDicomJson', () => {
  it('stringifies to the same bytes as the decoded header in its place', () => {
    const d = new DeferredDicomJson(bytes, options);
    assert.equal(
      JSON.stringify({ a: 1, dataset: d, b: 2 }),
      JSON.stringify({ a: 1, dataset: decoded, b: 2 }),
    );
  });

  it('decodes once, and peek never decodes', () => {
    const d = new DeferredDicomJson(bytes, options);
    assert.equal(d.peek(), undefined);
    const v = d.value();
    assert.deepEqual(v, decoded);
    assert.equal(d.peek(), v);
    assert.equal(d.orElse({}).value(), v, 'a view with a fallback shares the decode');
    assert.equal(d.orElse({}).id, d.id);
  });

  it('undecodable bytes: the property is left out, or the fallback stands in', () => {
    const bad = new DeferredDicomJson(
      Buffer.from([0x08, 0x00, 0x18, 0x00, 0x55, 0x49, 0xff, 0xff, 1]),
      options,
    );
    assert.equal(JSON.stringify({ dataset: bad }), '{}');
    assert.equal(JSON.stringify({ dataset: bad.orElse({}) }), '{"dataset":{}}');
  });

  it('crosses a thread as its plain fields, which materializeDeferred recognises', () => {
    const d = new DeferredDicomJson(bytes, options);
    const cloned = structuredClone({ message: { dataset: d }, other: [1, { x: 2 }] });
    assert.ok(isDeferredWire(cloned.message.dataset));
    const out = materializeDeferred(cloned, (w) => datasetToDicomJson(Buffer.from(w.bytes), w.options));
    assert.deepEqual(out, { message: { dataset: decoded }, other: [1, { x: 2 }] });
  });

  it('materializeHere copies only what holds a deferred header', () => {
    const plain = { a: { b: [1, 2] } };
    assert.equal(materializeHere(plain), plain);
    const withHeader = { keep: plain.a, dataset: new DeferredDicomJson(bytes, options) };
    const out = materializeHere(withHeader);
    assert.notEqual(out, withHeader);
    assert.equal(out.keep, plain.a);
    assert.deepEqual(out.dataset, decoded);
  });
});
