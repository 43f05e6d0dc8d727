import assert from 'node:assert/strict';
import { test } from 'node:test';
import { accepted, CTX, loadCapture, PATIENT_A } from '../../test/support/captured-traffic.js';
import { query } from '../messages/query.js';
import { auditEvent, DCM, transactionBundle } from './audit-event.js';

/** The parts of an AuditEvent the assertions read. */
interface Agent {
  who: { identifier: { value: string } };
  type: { coding: { code: string }[] };
  requestor: boolean;
  network: { address: string; type: string };
}
interface Entity {
  type: { code: string };
  role?: { code: string };
  query?: string;
  name?: string;
  what: { identifier: { value: string } };
  detail?: { type: string; valueString: string }[];
}

const events = loadCapture('audit-capture');
const finder = accepted(events, 'VIEWER', (x) => x.operations.some((o) => o.type === 'EVT_C_FIND'));

test('given a 110112 Query message, when made an AuditEvent, then type, action, agents, query and patient entities, trace entity', () => {
  const m = query(finder, CTX)[0]!;
  const r = auditEvent(m) as { agent: Agent[]; entity: Entity[] } & Record<string, unknown>;
  assert.equal(r['resourceType'], 'AuditEvent');
  assert.equal(r['id'], m.id);
  assert.deepEqual(r['type'], { system: DCM, code: '110112', display: 'Query' });
  assert.equal(r['action'], 'E');
  assert.equal(r['outcome'], '0');
  assert.equal(r['recorded'], m.dateTime);
  assert.deepEqual(
    r.agent.map((a) => [
      a.who.identifier.value,
      a.type.coding[0]?.code,
      a.requestor,
      a.network.address,
      a.network.type,
    ]),
    [
      ['VIEWER', '110153', true, '127.0.0.1', '2'],
      ['DICOMTRAIL', '110152', false, '127.0.0.1', '2'],
    ],
  );
  const [q, patient, trace] = r.entity as [Entity, Entity, Entity];
  assert.deepEqual([q.type.code, q.role?.code, q.query], ['2', '24', m.objects[0]!.query]);
  assert.deepEqual(
    [patient.type.code, patient.role?.code, patient.what.identifier.value],
    ['1', '1', PATIENT_A],
  );
  assert.equal(patient.name, undefined, 'no patient name unless configured');
  assert.equal(trace.type.code, 'traceparent');
  assert.equal(
    trace.what.identifier.value,
    `urn:dicomtrail:traceparent:00-${finder.traceId}-${finder.spanId}-01`,
  );
  assert.deepEqual(trace.detail?.[0], { type: 'trace_id', valueString: finder.traceId });
});

test('a transaction Bundle PUTs each AuditEvent by its id', () => {
  const resources = query(finder, CTX).map(auditEvent);
  const b = transactionBundle(resources) as {
    type: string;
    entry: { request: { method: string; url: string } }[];
  };
  assert.equal(b.type, 'transaction');
  assert.deepEqual(
    b.entry.map((e) => [e.request.method, e.request.url]),
    resources.map((r) => ['PUT', `AuditEvent/${r['id']}`]),
  );
});
