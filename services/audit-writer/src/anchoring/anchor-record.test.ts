import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import { keyIdOf } from './anchor-key.js';
import {
  ANCHOR_FORMAT,
  anchorDigest,
  signAnchor,
  signatureVerifies,
  statementBytes,
} from './anchor-record.js';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const statement = {
  format: ANCHOR_FORMAT,
  seq: 1,
  created_at: '2026-12-07T18:00:00.000Z',
  interval_ms: 60000,
  key_id: keyIdOf(publicKey),
  prev: null,
  full: true,
  heads: [{ chain_id: 't/0/events_2026_12', position: 3, hash: 'ab'.repeat(32) }],
  retired: [],
} as const;

test('a signed anchor verifies; any edit of a signed field does not', () => {
  const anchor = signAnchor({ ...statement, heads: [...statement.heads], retired: [] }, privateKey);
  assert.equal(signatureVerifies(anchor, publicKey), true);
  const edits = [
    { ...anchor, seq: 2 },
    { ...anchor, heads: [{ ...anchor.heads[0]!, position: 2 }] },
    { ...anchor, created_at: '2026-12-07T18:00:01.000Z' },
    { ...anchor, prev: '00'.repeat(32) },
  ];
  for (const e of edits) assert.equal(signatureVerifies(e, publicKey), false);
  // the token is outside the statement: adding one leaves the signature valid
  assert.equal(signatureVerifies({ ...anchor, timestamp_token: 'AAAA' }, publicKey), true);
  const other = generateKeyPairSync('ed25519').publicKey;
  assert.equal(signatureVerifies(anchor, other), false);
});

test('the statement is canonical: key order does not change its bytes or digest', () => {
  const { retired: _r, ...rest } = statement;
  const reordered = JSON.parse(JSON.stringify({ retired: [], ...rest, heads: [...statement.heads] }));
  assert.equal(
    statementBytes(reordered).toString(),
    statementBytes({ ...statement, heads: [...statement.heads], retired: [] }).toString(),
  );
  assert.match(anchorDigest(reordered), /^[0-9a-f]{64}$/);
  assert.match(statementBytes(reordered).toString(), /^\{"created_at":/);
});
