import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PARAMS_CATALOG } from './event.js';
import {
  EVENT_TYPE_TABLE,
  EVENT_TYPES,
  eventKind,
  eventOrigin,
  eventScope,
  isEventType,
} from './event-types.js';

const count = (pred: (row: (typeof EVENT_TYPE_TABLE)[number]) => boolean) =>
  EVENT_TYPE_TABLE.filter(pred).length;

test('pynetdicom: 17 notifications and 15 interventions (spec §1)', () => {
  assert.equal(
    count((r) => r[2] === 'pynetdicom' && r[1] === 'notification'),
    17,
  );
  assert.equal(
    count((r) => r[2] === 'pynetdicom' && r[1] === 'intervention'),
    15,
  );
});

test("ours: the §9 / architecture / durability events, the console's Audit Log Used and the node lifecycle, all notifications", () => {
  const ours = EVENT_TYPE_TABLE.filter((r) => r[2] === 'dicomtrail').map((r) => r[0]);
  assert.deepEqual(ours, [
    'EVT_C_CANCEL',
    'EVT_DUL_REJECTED',
    'EVT_INVALID_PDU',
    'EVT_SPOOL_LIMIT',
    'EVT_RETENTION',
    'EVT_ASSOCIATION_INTERRUPTED',
    'EVT_AUDIT_LOG_USED',
    'EVT_NODE_STARTED',
    'EVT_NODE_STOPPED',
    'EVT_TLS_REFUSED',
    'EVT_CHAIN_ANCHORED',
  ]);
  for (const type of ours) assert.equal(eventKind(type), 'notification');
});

test('types are unique, look like pynetdicom names, and each has params in the catalog', () => {
  assert.equal(new Set(EVENT_TYPES).size, EVENT_TYPES.length);
  assert.deepEqual(Object.keys(PARAMS_CATALOG).sort(), [...EVENT_TYPES].sort());
  for (const type of EVENT_TYPES) assert.match(type, /^EVT_[A-Z_]+$/);
});

test('lookups', () => {
  assert.equal(eventKind('EVT_C_STORE'), 'intervention');
  assert.equal(eventKind('EVT_FSM_TRANSITION'), 'notification');
  assert.equal(eventOrigin('EVT_USER_ID'), 'pynetdicom');
  assert.equal(eventScope('EVT_RETENTION'), 'node');
  assert.equal(eventScope('EVT_NODE_STARTED'), 'node');
  assert.equal(eventScope('EVT_C_ECHO'), 'association');
  assert.equal(isEventType('EVT_C_ECHO'), true);
  assert.equal(isEventType('EVT_DIMSE_RESPONSE'), false);
  assert.equal(isEventType(7), false);
});
