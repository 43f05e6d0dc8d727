import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CTX, loadCapture } from '../../test/support/captured-traffic.js';
import { applicationActivity, type NodeLifecycleEvent } from './application-activity.js';

const events = loadCapture('audit-capture');
const lifecycle = events.filter(
  (e) => e.type === 'EVT_NODE_STARTED' || e.type === 'EVT_NODE_STOPPED',
) as NodeLifecycleEvent[];

test('given the adapter started and stopped, when mapped, then 110100 Application Start and Stop', () => {
  assert.deepEqual(
    lifecycle.map((e) => e.type),
    ['EVT_NODE_STARTED', 'EVT_NODE_STOPPED'],
  );
  const [start, stop] = lifecycle.map((e) => applicationActivity(e, CTX)[0]!);
  assert.equal(start!.eventId.code, '110100');
  assert.equal(start!.action, 'E');
  assert.equal(start!.outcome, 0);
  assert.deepEqual(
    start!.eventTypes.map((t) => t.code),
    ['110120'],
  );
  assert.deepEqual(
    stop!.eventTypes.map((t) => t.code),
    ['110121'],
  );
  assert.equal(stop!.outcomeDescription, 'stopped on SIGTERM');
  assert.equal(start!.dateTime, lifecycle[0]!.timestamp);
  const [app, launcher] = start!.participants;
  assert.equal(app!.userId, 'DICOMTRAIL');
  assert.equal(app!.alternativeUserId, String(lifecycle[0]!.params.pid));
  assert.equal(app!.userIsRequestor, false);
  assert.deepEqual(
    app!.roles.map((r) => r.code),
    ['110150'],
  );
  assert.equal(launcher!.userIsRequestor, true);
  assert.deepEqual(
    launcher!.roles.map((r) => r.code),
    ['110151'],
  );
  assert.equal(start!.source.id, 'capture-node');
  assert.notEqual(start!.id, stop!.id);
});

test('given the same node event twice, when mapped, then the same stable id', () => {
  assert.equal(
    applicationActivity(lifecycle[0]!, CTX)[0]!.id,
    applicationActivity(lifecycle[0]!, CTX)[0]!.id,
  );
});
