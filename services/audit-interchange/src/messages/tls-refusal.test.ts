import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CTX, loadSecurityEvents } from '../../test/support/captured-traffic.js';
import { type TlsRefusedEvent, tlsRefusal } from './tls-refusal.js';

const refusals = loadSecurityEvents().filter((e): e is TlsRefusedEvent => e.type === 'EVT_TLS_REFUSED');
const byCause = (cause: string) => refusals.find((e) => e.params.cause === cause)!;

test('given a TLS handshake that failed (no client certificate), when mapped, then 110113 Node Authentication naming the cause', () => {
  const [m, ...rest] = tlsRefusal(byCause('handshake-failed'), CTX);
  assert.equal(rest.length, 0);
  assert.deepEqual([m!.eventId.code, m!.action, m!.outcome], ['110113', 'E', 4]);
  assert.deepEqual(
    m!.eventTypes.map((t) => t.code),
    ['110126', 'TLS-HANDSHAKE-FAILED'],
  );
  assert.equal(
    m!.outcomeDescription,
    'TLS connection from 127.0.0.1:41122 refused on the TLS listener (handshake-failed): peer did not return a certificate; protocol TLSv1.3',
  );
  assert.deepEqual(
    m!.participants.map((p) => [
      p.userId,
      p.userIsRequestor,
      p.networkAccessPoint?.id,
      p.roles.map((r) => r.code),
    ]),
    [
      ['127.0.0.1:41122', true, '127.0.0.1', []],
      ['capture-node', false, '127.0.0.1', ['110150']],
    ],
  );
  const [o] = m!.objects;
  assert.deepEqual(
    [o!.typeCode, o!.typeCodeRole, o!.idTypeCode.code, o!.id],
    [2, 13, '110182', '127.0.0.1:41122'],
  );
  assert.equal(m!.dateTime, '2026-12-07T19:02:11.402115Z');
});

test('given a peer certificate refused, when mapped, then its subject is the requestor and its issuer, serial and fingerprint details', () => {
  const e = byCause('certificate-refused');
  const [m] = tlsRefusal(e, CTX);
  assert.deepEqual(
    m!.eventTypes.map((t) => t.code),
    ['110126', 'TLS-CERTIFICATE-REFUSED'],
  );
  const [peer] = m!.participants;
  assert.deepEqual(
    [peer!.userId, peer!.alternativeUserId, peer!.networkAccessPoint],
    ['CN=rogue-modality,O=Radiology', '127.0.0.1:41130', { id: '127.0.0.1', typeCode: 2 }],
  );
  const [o] = m!.objects;
  assert.equal(o!.name, 'CN=rogue-modality,O=Radiology');
  assert.deepEqual(
    o!.details!.map((d) => d.type),
    [
      'Alert Description',
      'Certificate Subject',
      'Certificate Issuer',
      'Certificate Serial',
      'Certificate SHA-256',
    ],
  );
  assert.equal(
    o!.details!.find((d) => d.type === 'Certificate SHA-256')!.value,
    e.params.peer_certificate!.sha256,
  );
});

test('given a plaintext client on the TLS port, when mapped, then the plaintext alert; the same event gives the same message id', () => {
  const e = byCause('plaintext-on-tls-port');
  const [m] = tlsRefusal(e, CTX);
  assert.deepEqual(
    m!.eventTypes.map((t) => t.code),
    ['110126', 'TLS-PLAINTEXT'],
  );
  assert.equal(tlsRefusal(e, CTX)[0]!.id, m!.id);
  assert.notEqual(tlsRefusal(byCause('handshake-failed'), CTX)[0]!.id, m!.id);
});
