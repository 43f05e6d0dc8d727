import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  accepted,
  CTX,
  loadCapture,
  PATIENT_B,
  STUDY_A,
  STUDY_B,
} from '../../test/support/captured-traffic.js';
import { instancesAccessed } from './instances-accessed.js';

const events = loadCapture('audit-capture');

test('given a C-GET of study B, when mapped, then 110103 Read of the study and its patient, requestor GETTER', () => {
  const [m, ...rest] = instancesAccessed(accepted(events, 'GETTER'), CTX);
  assert.equal(rest.length, 0);
  assert.deepEqual([m!.eventId.code, m!.action, m!.outcome], ['110103', 'R', 0]);
  assert.deepEqual(
    m!.participants.map((p) => [p.userId, p.userIsRequestor]),
    [
      ['GETTER', true],
      ['DICOMTRAIL', false],
    ],
  );
  assert.deepEqual(
    m!.objects.map((o) => [o.typeCodeRole, o.id]),
    [
      [3, STUDY_B],
      [1, PATIENT_B],
    ],
  );
  assert.deepEqual(m!.objects[0]!.sopClasses, [{ uid: '1.2.840.10008.5.1.4.1.1.7', numberOfInstances: 1 }]);
});

test('given a C-MOVE of study A whose final status is a warning, when mapped, then 110103 with outcome 0', () => {
  const a = accepted(events, 'VIEWER', (x) => x.operations.some((o) => o.type === 'EVT_C_MOVE'));
  const [m, ...rest] = instancesAccessed(a, CTX);
  assert.equal(rest.length, 0);
  assert.deepEqual([m!.action, m!.outcome, m!.objects[0]!.id], ['R', 0, STUDY_A]);
});

test('given associations without C-GET or C-MOVE, when mapped, then no 110103', () => {
  assert.deepEqual(instancesAccessed(accepted(events, 'MODALITY'), CTX), []);
  assert.deepEqual(instancesAccessed(accepted(events, 'ABORTER'), CTX), []);
});
