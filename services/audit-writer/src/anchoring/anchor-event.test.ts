import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import { assertEvent, uuidv7Time } from '@dicomtrail/schemas';
import { chainAnchoredEvent } from './anchor-event.js';
import { keyIdOf } from './anchor-key.js';
import { ANCHOR_FORMAT, anchorDigest, signAnchor, signatureVerifies } from './anchor-record.js';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const NODE = { id: 'anchor-vm', hostname: 'vm', version: '0.1.0' };
const anchor = {
  ...signAnchor(
    {
      format: ANCHOR_FORMAT,
      seq: 7,
      created_at: '2026-12-07T18:00:00.250Z',
      interval_ms: 60000,
      key_id: keyIdOf(publicKey),
      prev: 'cd'.repeat(32),
      full: false,
      heads: [{ chain_id: 'capture-node/0/events_2026_12', position: 42, hash: 'ab'.repeat(32) }],
      retired: [],
    },
    privateKey,
  ),
  timestamp_token: Buffer.from('a DER TimeStampToken').toString('base64'),
};

test('given a signed, timestamped anchor, when made an event, then a valid node-scoped EVT_CHAIN_ANCHORED carrying it whole', () => {
  const e = assertEvent(chainAnchoredEvent(anchor, '000000/0000000007-20261207T180000Z.json', NODE));
  assert.equal(e.type, 'EVT_CHAIN_ANCHORED');
  assert.equal(e.seq, 6, 'seq counts from 0: the anchor seq minus one');
  assert.deepEqual(e.node, { ...NODE, mode: 'anchor' });
  assert.equal(e.timestamp, '2026-12-07T18:00:00.250000Z');
  assert.equal(uuidv7Time(e.id), Date.parse(anchor.created_at));
  assert.ok(e.type === 'EVT_CHAIN_ANCHORED');
  assert.deepEqual(e.params.anchor, anchor);
  assert.equal(e.params.statement_sha256, anchorDigest(anchor));
  assert.match(e.params.timestamp_token_sha256 ?? '', /^[0-9a-f]{64}$/);
  assert.ok(signatureVerifies(e.params.anchor, publicKey), 'what travels verifies with the public key');
});

test('given the same anchor twice, then the same event byte for byte; another anchor, another id', () => {
  const a = JSON.stringify(chainAnchoredEvent(anchor, 'f', NODE));
  assert.equal(JSON.stringify(chainAnchoredEvent(anchor, 'f', NODE)), a);
  const other = signAnchor({ ...anchor, seq: 8, prev: anchorDigest(anchor) }, privateKey);
  assert.notEqual(chainAnchoredEvent(other, 'f', NODE).id, JSON.parse(a).id);
});
