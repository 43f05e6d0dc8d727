import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { extractIdentifiers } from './identifiers.js';

const examples = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../../../schemas/examples/valid',
);
const paramsOf = (name: string) =>
  (JSON.parse(readFileSync(path.join(examples, name), 'utf8')) as { params: Record<string, unknown> }).params;

test('C-STORE: command fields and patient/study from the data set', () => {
  const x = extractIdentifiers(paramsOf('c-store-bulk-elision.json'));
  assert.equal(x.message_id, 7);
  assert.equal(x.sop_instance_uid, '1.2.826.0.1.3680043.8.498.1001');
  assert.equal(x.status, 0);
  assert.equal(x.status_category, 'success');
  assert.equal(x.patient_id, 'PID-0042');
  assert.equal(x.patient_name, 'Doe^Jane');
  assert.equal(x.study_instance_uid, '1.2.826.0.1.3680043.8.498.1');
  assert.equal(x.series_instance_uid, null);
});

test('C-FIND: the identifier; an element without a value is null', () => {
  const x = extractIdentifiers(paramsOf('c-find-identifier.json'));
  assert.equal(x.patient_id, 'PID-0042');
  assert.equal(x.study_instance_uid, null);
});

test('EVT_DIMSE_SENT: fields of the command, data set of the message', () => {
  const x = extractIdentifiers(paramsOf('dimse-sent-c-find-rsp.json'));
  assert.equal(x.message_id, 9);
  assert.equal(x.status_category, 'pending');
  assert.equal(x.patient_id, 'PID-0042');
});

test('N-ACTION: requested SOP class and instance', () => {
  const x = extractIdentifiers(paramsOf('n-action-storage-commitment.json'));
  assert.equal(x.sop_class_uid, '1.2.840.10008.1.20.1');
  assert.equal(x.sop_instance_uid, '1.2.840.10008.1.20.1.1');
});

test('an event without DIMSE fields extracts nothing', () => {
  assert.deepEqual(Object.values(extractIdentifiers(paramsOf('released.json'))), Array(10).fill(null));
});
