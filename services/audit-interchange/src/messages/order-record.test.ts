import assert from 'node:assert/strict';
import { test } from 'node:test';
import { accepted, CTX, loadCapture, PATIENT_A } from '../../test/support/captured-traffic.js';
import { orderRecord } from './order-record.js';

const events = loadCapture('audit-capture');
const MPPS_UID = '1.2.826.0.1.3680043.10.1386.77.9.1';

test('given a Modality Worklist C-FIND, when mapped, then 110109 Read of the order of the patient it matched', () => {
  const wl = accepted(events, 'MODALITY', (x) =>
    x.operations.some((o) => o.params['affected_sop_class_uid'] === '1.2.840.10008.5.1.4.31'),
  );
  const [m, ...rest] = orderRecord(wl, CTX);
  assert.equal(rest.length, 0);
  assert.deepEqual([m!.eventId.code, m!.action, m!.outcome], ['110109', 'R', 0]);
  assert.deepEqual(
    m!.objects.map((o) => [o.typeCodeRole, o.id]),
    [
      [1, PATIENT_A],
      [24, '1.2.840.10008.5.1.4.31'],
    ],
  );
});

test('given MPPS N-CREATE then N-SET COMPLETED, when mapped, then 110109 Create and Update of the step, patient from the create', () => {
  const mpps = accepted(events, 'MODALITY', (x) => x.operations.some((o) => o.type === 'EVT_N_CREATE'));
  const messages = orderRecord(mpps, CTX);
  assert.deepEqual(
    messages.map((m) => [m.action, m.outcome, m.objects[0]!.id, m.objects[0]!.mpps]),
    [
      ['C', 0, PATIENT_A, [MPPS_UID]],
      ['U', 0, PATIENT_A, [MPPS_UID]],
    ],
  );
  assert.equal(messages[0]!.participants[0]!.userId, 'MODALITY');
});

test('given storage only, when mapped, then no Order Record', () => {
  assert.deepEqual(orderRecord(accepted(events, 'GETTER'), CTX), []);
});
