import assert from 'node:assert/strict';
import { test } from 'node:test';
import { accepted, CTX, loadCapture, loadSecurityEvents } from '../../test/support/captured-traffic.js';
import { userAuthentication } from './user-authentication.js';

const events = loadCapture('audit-capture');

test('given storescu --user tech01, when mapped, then 110114 Login of tech01 from MODALITY, accepted', () => {
  const a = accepted(events, 'MODALITY', (x) => x.userIdentity !== undefined);
  const [m, ...rest] = userAuthentication(a, CTX);
  assert.equal(rest.length, 0);
  assert.deepEqual([m!.eventId.code, m!.action, m!.outcome], ['110114', 'E', 0]);
  assert.deepEqual(
    m!.eventTypes.map((t) => t.code),
    ['110122'],
  );
  assert.equal(m!.outcomeDescription, undefined, 'the adapter verified it (acceptAndRecord)');
  const [user, node] = m!.participants;
  assert.deepEqual(
    [user!.userId, user!.alternativeUserId, user!.userIsRequestor],
    ['tech01', 'MODALITY', true],
  );
  assert.deepEqual([node!.userId, node!.roles[0]!.code], ['DICOMTRAIL', '110150']);
});

test('given an association without user identity, when mapped, then no 110114', () => {
  assert.deepEqual(userAuthentication(accepted(events, 'GETTER'), CTX), []);
});

test('given a username-passcode the verifier refused (association rejected), when mapped, then 110114 Login with a failure outcome and the reason', () => {
  const a = accepted(loadSecurityEvents(), 'MALLORY');
  const [m, ...rest] = userAuthentication(a, CTX);
  assert.equal(rest.length, 0);
  assert.deepEqual([m!.eventId.code, m!.outcome], ['110114', 4]);
  assert.deepEqual(
    m!.eventTypes.map((t) => t.code),
    ['110122'],
  );
  assert.equal(m!.outcomeDescription, 'username-passcode identity refused: unknown user or wrong passcode');
  const [user, node] = m!.participants;
  assert.deepEqual(
    [user!.userId, user!.alternativeUserId, user!.userIsRequestor, user!.networkAccessPoint?.id],
    ['mallory', 'MALLORY', true, '127.0.0.1'],
  );
  assert.equal(node!.userId, 'DICOMTRAIL');
});
