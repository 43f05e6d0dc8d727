import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import { ANCHOR_FORMAT, chainAnchoredEvent, signAnchor, signatureVerifies } from '@dicomtrail/audit-writer';
import { assertEvent } from '@dicomtrail/schemas';
import { CTX } from '../../test/support/captured-traffic.js';
import { ANCHOR_DETAIL, type ChainAnchoredEvent, chainAnchored } from './chain-anchored.js';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const keyId = `sha256:${createHash('sha256')
  .update(publicKey.export({ type: 'spki', format: 'der' }))
  .digest('hex')}`;
const anchor = signAnchor(
  {
    format: ANCHOR_FORMAT,
    seq: 3,
    created_at: '2026-12-07T19:00:00.125Z',
    interval_ms: 60000,
    key_id: keyId,
    prev: 'ef'.repeat(32),
    full: false,
    heads: [{ chain_id: 'capture-node/0/events_2026_12', position: 118, hash: '9a'.repeat(32) }],
    retired: [],
  },
  privateKey,
);
const event = assertEvent(
  chainAnchoredEvent(anchor, '000000/0000000003-20261207T190000Z.json', {
    id: 'anchor-vm',
    hostname: 'vm',
    version: '0.1.0',
  }),
) as ChainAnchoredEvent;

test('given an anchor event, when mapped, then 110101 Audit Log Used (R) of the Security Audit Log by the anchoring process', () => {
  const [m, ...rest] = chainAnchored(event, CTX);
  assert.equal(rest.length, 0);
  assert.deepEqual([m!.eventId.code, m!.action, m!.outcome], ['110101', 'R', 0]);
  assert.deepEqual(
    m!.eventTypes.map((t) => t.code),
    ['CHAIN-ANCHORED'],
  );
  assert.equal(
    m!.outcomeDescription,
    `anchor 3 (000000/0000000003-20261207T190000Z.json): 1 chain heads, 0 retired, signed by ${keyId}`,
  );
  const [p] = m!.participants;
  assert.deepEqual(
    [p!.userId, p!.alternativeUserId, p!.userIsRequestor, p!.roles[0]!.code],
    ['anchor-vm', keyId, true, '110150'],
  );
  const [o] = m!.objects;
  assert.deepEqual(
    [o!.typeCode, o!.typeCodeRole, o!.idTypeCode.code, o!.id, o!.name],
    [2, 13, '12', `urn:dicomtrail:audit-trail:${keyId}`, 'Security Audit Log'],
  );
});

test('given an anchor event, when mapped, then the anchor rides whole in a detail and still verifies with the public key', () => {
  const [m] = chainAnchored(event, CTX);
  const detail = m!.objects[0]!.details!.find((d) => d.type === ANCHOR_DETAIL)!;
  const carried = JSON.parse(detail.value);
  assert.deepEqual(carried, anchor);
  assert.ok(signatureVerifies(carried, publicKey));
  assert.equal(m!.objects[0]!.details!.find((d) => d.type === 'Anchor Seq')!.value, '3');
  assert.equal(chainAnchored(event, CTX)[0]!.id, m!.id, 'the same event gives the same message id');
});
