import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type AccessRow, accountingEntries, PURPOSE_NOT_STATED } from './disclosure-accounting.js';

const CT = '1.2.840.10008.5.1.4.1.1.2';
const row = (o: Partial<AccessRow>): AccessRow => ({
  at: new Date('2026-12-07T10:00:00Z'),
  association_id: 'a1',
  parent_association_id: null,
  role: 'acceptor',
  service: 'C-STORE',
  direction: 'received',
  sop_class_uid: CT,
  sop_instance_uid: null,
  series_instance_uid: 'se1',
  study_instance_uid: 'st1',
  patient_id: 'P1',
  patient_name: 'DOE^JANE',
  accession_number: 'ACC1',
  move_destination: null,
  query_level: null,
  status_category: 'success',
  completed_suboperations: null,
  failed_suboperations: null,
  calling_ae_title: 'MOD1',
  called_ae_title: 'DICOMTRAIL',
  remote_address: '10.0.0.5',
  user_identity: 'tech01',
  proxied_to: null,
  ...o,
});

test('given three C-STOREs of one association, then one "stored" entry with their counts and modality', () => {
  const [e, ...rest] = accountingEntries([
    row({ sop_instance_uid: 'i1' }),
    row({ sop_instance_uid: 'i2', at: new Date('2026-12-07T10:00:02Z') }),
    row({ sop_instance_uid: 'i3', series_instance_uid: 'se2', status_category: 'failure' }),
  ]);
  assert.equal(rest.length, 0);
  assert.equal(e!.operation, 'stored');
  assert.equal(e!.recipient, 'MOD1, user tech01');
  assert.equal(e!.address, '10.0.0.5');
  assert.equal(e!.description, '3 CT instances in 2 series of 1 study');
  assert.deepEqual(e!.accession_numbers, ['ACC1']);
  assert.equal(e!.purpose, PURPOSE_NOT_STATED);
  assert.equal(e!.outcome, '1 failed of 3');
  assert.equal(e!.last.toISOString(), '2026-12-07T10:00:02.000Z');
});

test('given a C-MOVE through a proxy and its sub-association, then "moved to" and "sent to" entries in time order', () => {
  const entries = accountingEntries([
    row({
      association_id: 'sub',
      role: 'requestor',
      parent_association_id: 'mv',
      direction: 'sent',
      sop_instance_uid: 'i1',
      called_ae_title: 'WS1',
      calling_ae_title: 'DICOMTRAIL',
      remote_address: '10.0.0.9',
      user_identity: null,
      at: new Date('2026-12-07T10:00:05Z'),
    }),
    row({
      association_id: 'mv',
      service: 'C-MOVE',
      sop_class_uid: '1.2.840.10008.5.1.4.1.2.2.2',
      move_destination: 'WS1',
      calling_ae_title: 'VIEWER',
      user_identity: null,
      completed_suboperations: 12,
      failed_suboperations: 0,
      series_instance_uid: null,
      proxied_to: 'PACS@10.0.0.2:104',
    }),
  ]);
  assert.deepEqual(
    entries.map((e) => e.operation),
    ['moved to WS1', 'sent to WS1 (C-MOVE sub-operation)'],
  );
  assert.equal(entries[0]!.recipient, 'WS1, requested by VIEWER, via proxy to PACS@10.0.0.2:104');
  assert.equal(entries[0]!.description, '12 instances of 1 study');
  assert.equal(entries[1]!.recipient, 'WS1');
  assert.equal(entries[1]!.address, '10.0.0.9');
});

test('a query names its level and the studies it named, if any', () => {
  const [e] = accountingEntries([
    row({ service: 'C-FIND', query_level: 'STUDY', study_instance_uid: null, sop_class_uid: null }),
  ]);
  assert.equal(e!.operation, 'queried');
  assert.equal(e!.description, 'query at STUDY level');
});
