import assert from 'node:assert/strict';
import { test } from 'node:test';
import { recordRejection } from './record-rejection.js';

test('@platformatic/kafka: MESSAGE_TOO_LARGE nested under MultipleErrors/ResponseError is found', () => {
  const protocol = Object.assign(new Error('The request included a message larger than ...'), {
    apiId: 'MESSAGE_TOO_LARGE',
    canRetry: false,
  });
  const response = Object.assign(new Error('Received response with error'), { errors: [protocol] });
  const multiple = Object.assign(new Error('Producing messages failed.'), { errors: [response] });
  assert.equal(recordRejection(multiple), 'MESSAGE_TOO_LARGE');
});

test('kafkajs: a protocol error of a record type is found; a leader change or a permission is not', () => {
  assert.equal(
    recordRejection(Object.assign(new Error('x'), { type: 'INVALID_RECORD', retriable: false })),
    'INVALID_RECORD',
  );
  assert.equal(
    recordRejection(Object.assign(new Error('x'), { type: 'NOT_LEADER_FOR_PARTITION', retriable: true })),
    undefined,
  );
  assert.equal(
    recordRejection(Object.assign(new Error('x'), { apiId: 'TOPIC_AUTHORIZATION_FAILED', canRetry: false })),
    undefined,
    'not about the record: sending again (once access is fixed) is right',
  );
});

test('a producer thread error carries the verdict; plain errors and non-objects have none', () => {
  assert.equal(
    recordRejection(Object.assign(new Error('x'), { rejected: 'RECORD_LIST_TOO_LARGE' })),
    'RECORD_LIST_TOO_LARGE',
  );
  assert.equal(recordRejection(new Error('connect ECONNREFUSED')), undefined);
  assert.equal(recordRejection('MESSAGE_TOO_LARGE'), undefined);
  assert.equal(recordRejection(undefined), undefined);
});
