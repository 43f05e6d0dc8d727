import assert from 'node:assert/strict';
import { test } from 'node:test';
import { accepted, CTX, loadCapture, PATIENT_A, PATIENT_B } from '../../test/support/captured-traffic.js';
import { query } from './query.js';

const events = loadCapture('audit-capture');
const finder = accepted(events, 'VIEWER', (x) => x.operations.some((o) => o.type === 'EVT_C_FIND'));

test('given a C-FIND whose matches name two patients, when mapped, then one 110112 per patient', () => {
  const messages = query(finder, CTX);
  assert.deepEqual(
    messages.map((m) => [m.eventId.code, m.action, m.outcome, m.objects[1]?.id]),
    [
      ['110112', 'E', 0, PATIENT_A],
      ['110112', 'E', 0, PATIENT_B],
    ],
  );
  assert.notEqual(messages[0]!.id, messages[1]!.id);
  const q = messages[0]!.objects[0]!;
  assert.deepEqual(
    [q.typeCode, q.typeCodeRole, q.idTypeCode.code, q.id],
    [2, 24, '110181', '1.2.840.10008.5.1.4.1.2.2.1'],
  );
  assert.deepEqual(q.details, [{ type: 'TransferSyntax', value: '1.2.840.10008.1.2.1' }]);
  assert.deepEqual(
    messages[0]!.participants.map((p) => [p.userId, p.roles[0]?.code, p.userIsRequestor]),
    [
      ['VIEWER', '110153', true],
      ['DICOMTRAIL', '110152', false],
    ],
  );
});

test('given the C-FIND identifier, when encoded, then ParticipantObjectQuery is that data set in explicit VR LE, base64', () => {
  const bytes = Buffer.from(query(finder, CTX)[0]!.objects[0]!.query ?? '', 'base64');
  // (0008,0052) CS "STUDY " first: tag group 0008 element 0052 little endian, then the VR.
  assert.deepEqual([...bytes.subarray(0, 6)], [0x08, 0x00, 0x52, 0x00, 0x43, 0x53]);
  assert.ok(bytes.includes(Buffer.from('STUDY')));
  assert.ok(bytes.includes(Buffer.from('Atna*')), 'the PatientName key as asked');
});

test('given a Modality Worklist C-FIND, when mapped as a query, then nothing (it is an Order Record)', () => {
  const wl = accepted(events, 'MODALITY', (x) =>
    x.operations.some((o) => o.params['affected_sop_class_uid'] === '1.2.840.10008.5.1.4.31'),
  );
  assert.deepEqual(query(wl, CTX), []);
});
