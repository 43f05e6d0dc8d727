import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  accepted,
  associations,
  CTX,
  loadCapture,
  PATIENT_A,
  STUDY_A,
  STUDY_B,
} from '../../test/support/captured-traffic.js';
import { beginTransferring } from './begin-transferring.js';
import { instancesTransferred } from './instances-transferred.js';

const events = loadCapture('audit-capture');

test('given storescu sent 4 instances of study A, when mapped, then one 110102 and one 110104 Create with them', () => {
  const a = accepted(
    events,
    'MODALITY',
    (x) => x.operations.filter((o) => o.type === 'EVT_C_STORE').length === 4,
  );
  const [begin, ...restBegin] = beginTransferring(a, CTX);
  const [moved, ...rest] = instancesTransferred(a, CTX);
  assert.equal(restBegin.length, 0);
  assert.equal(rest.length, 0);
  assert.equal(begin!.eventId.code, '110102');
  assert.equal(begin!.action, 'E');
  assert.equal(moved!.eventId.code, '110104');
  assert.equal(moved!.action, 'C');
  assert.equal(moved!.outcome, 0);
  const [source, destination] = moved!.participants;
  assert.deepEqual(
    [source!.userId, source!.userIsRequestor, source!.roles[0]!.code],
    ['MODALITY', true, '110153'],
  );
  assert.equal(source!.userName, 'tech01', 'the user identity of the association');
  assert.deepEqual([destination!.userId, destination!.roles[0]!.code], ['DICOMTRAIL', '110152']);
  assert.deepEqual(source!.networkAccessPoint, { id: '127.0.0.1', typeCode: 2 });
  const [study, patient] = moved!.objects;
  assert.deepEqual(
    [study!.typeCode, study!.typeCodeRole, study!.idTypeCode.code, study!.id],
    [2, 3, '110180', STUDY_A],
  );
  assert.deepEqual(study!.accessions, ['ACC-A']);
  assert.deepEqual(study!.sopClasses?.map((s) => [s.uid, s.numberOfInstances]).sort(), [
    ['1.2.840.10008.5.1.4.1.1.1.1', 1],
    ['1.2.840.10008.5.1.4.1.1.7', 3],
  ]);
  assert.deepEqual(
    [patient!.typeCode, patient!.typeCodeRole, patient!.id, patient!.name],
    [1, 1, PATIENT_A, undefined],
  );
  assert.ok(begin!.dateTime <= moved!.dateTime);
});

test('given a C-MOVE with 3 sub-operations completed and 1 failed, when mapped, then two 110104: outcome 0 (3) and 4 (1)', () => {
  const a = accepted(events, 'VIEWER', (x) => x.operations.some((o) => o.type === 'EVT_C_MOVE'));
  const transferred = instancesTransferred(a, CTX);
  assert.deepEqual(
    transferred.map((m) => [m.eventId.code, m.action, m.outcome, m.objects[0]!.details?.[0]?.value]),
    [
      ['110104', 'R', 0, '3'],
      ['110104', 'R', 4, '1'],
    ],
  );
  assert.match(
    transferred[1]!.outcomeDescription ?? '',
    /1 of 4 sub-operations failed; status 0xB000 \(warning\); .*77\.1\.1\.4: failed/,
  );
  const [source, destination, requestor] = transferred[0]!.participants;
  assert.deepEqual(
    [source!.userId, source!.roles[0]!.code, source!.userIsRequestor],
    ['DICOMTRAIL', '110153', false],
  );
  assert.deepEqual([destination!.userId, destination!.roles[0]!.code], ['MOVEDEST', '110152']);
  assert.deepEqual([requestor!.userId, requestor!.userIsRequestor], ['VIEWER', true]);
  assert.notEqual(transferred[0]!.id, transferred[1]!.id);
  assert.equal(beginTransferring(a, CTX).length, 1, 'one Begin Transferring per study');
});

test('given a C-GET of study B, when mapped, then 110104 Read from this node to the requestor', () => {
  const a = accepted(events, 'GETTER');
  const [m] = instancesTransferred(a, CTX);
  assert.deepEqual([m!.action, m!.outcome, m!.objects[0]!.id], ['R', 0, STUDY_B]);
  assert.deepEqual(
    m!.participants.map((p) => [p.userId, p.roles[0]?.code, p.userIsRequestor]),
    [
      ['DICOMTRAIL', '110153', false],
      ['GETTER', '110152', true],
    ],
  );
});

test('given the C-MOVE sub-association this node opened, when mapped, then nothing (the C-MOVE describes it)', () => {
  const subs = associations(events).filter((a) => a.role === 'requestor');
  assert.equal(subs.length, 1);
  assert.equal(subs[0]!.acceptor.aeTitle, 'MOVEDEST');
  assert.deepEqual(instancesTransferred(subs[0]!, CTX), []);
  assert.deepEqual(beginTransferring(subs[0]!, CTX), []);
});
