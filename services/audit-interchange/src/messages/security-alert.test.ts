import assert from 'node:assert/strict';
import { test } from 'node:test';
import { accepted, associations, CTX, loadCapture } from '../../test/support/captured-traffic.js';
import { securityAlert } from './security-alert.js';

const events = loadCapture('audit-capture');

test('given an association rejected for a wrong called AE title, when mapped, then 110113 Node Authentication with the cause', () => {
  const [m, ...rest] = securityAlert(accepted(events, 'INTRUDER'), CTX);
  assert.equal(rest.length, 0);
  assert.deepEqual([m!.eventId.code, m!.action, m!.outcome], ['110113', 'E', 4]);
  assert.deepEqual(
    m!.eventTypes.map((t) => t.code),
    ['110126', 'ASSOCIATION-REJECTED'],
  );
  assert.equal(
    m!.outcomeDescription,
    'A-ASSOCIATE-RJ rejected-permanent service-user called-ae-title-not-recognized (by local): called AE title "WRONG" is not "DICOMTRAIL"',
  );
  assert.deepEqual(
    m!.participants.map((p) => [p.userId, p.userIsRequestor, p.networkAccessPoint?.id]),
    [
      ['WRONG', false, '127.0.0.1'],
      ['INTRUDER', true, '127.0.0.1'],
    ],
  );
  assert.deepEqual(
    [m!.objects[0]!.typeCodeRole, m!.objects[0]!.idTypeCode.code, m!.objects[0]!.id],
    [13, '110182', 'INTRUDER@127.0.0.1'],
  );
});

test('given an association the peer aborted, when mapped, then 110113 naming the abort', () => {
  const [m, ...rest] = securityAlert(accepted(events, 'ABORTER'), CTX);
  assert.equal(rest.length, 0);
  assert.deepEqual(
    m!.eventTypes.map((t) => t.code),
    ['ASSOCIATION-ABORTED'],
  );
  assert.equal(m!.outcomeDescription, 'A-ABORT service-user not-significant (by remote)');
});

test('given an invalid PDU and the abort it caused, when mapped, then one 110113 naming the PDU error', () => {
  const a = associations(events).find((x) => x.invalidPdus.length > 0)!;
  const messages = securityAlert(a, CTX);
  assert.equal(messages.length, 1);
  assert.deepEqual(
    messages[0]!.eventTypes.map((t) => t.code),
    ['INVALID-PDU'],
  );
  assert.match(
    messages[0]!.outcomeDescription ?? '',
    /^invalid PDU DT_ERR_PDU_UNKNOWN_TYPE \(field pdu-type, offset 0\)/,
  );
});

test('given released associations, when mapped, then no alert', () => {
  assert.deepEqual(securityAlert(accepted(events, 'GETTER'), CTX), []);
});
