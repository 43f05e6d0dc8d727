import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalJson } from './canonical-json.js';

test('keys are sorted at every depth, whitespace is gone, undefined members are dropped', () => {
  assert.equal(
    canonicalJson({ b: 1, a: { d: [3, { z: true, y: null }], c: 'x' }, u: undefined }),
    '{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}',
  );
});

test('equal values in any key order give the same text', () => {
  assert.equal(canonicalJson({ x: 1, y: [1, 2] }), canonicalJson(JSON.parse('{"y":[1,2],"x":1}')));
});

test('numbers and strings as ECMAScript serialises them (RFC 8785 §3.2.2)', () => {
  assert.equal(canonicalJson([1e21, 0.1, -0, 5e-7, 'é\u2028"\\']), '[1e+21,0.1,0,5e-7,"é\u2028\\"\\\\"]');
});

test('keys sort by UTF-16 code units', () => {
  assert.equal(canonicalJson({ '\u00e9': 1, z: 2, A: 3 }), '{"A":3,"z":2,"é":1}');
});

test('non-finite numbers are refused', () => {
  assert.throws(() => canonicalJson({ n: Number.NaN }), { code: 'DT_ERR_CANONICAL_JSON' });
});
