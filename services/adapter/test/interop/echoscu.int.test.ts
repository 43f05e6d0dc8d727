/** dcmtk's echoscu against our SCP: status, exact event sequence, AE title reject, user identity. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { runDcmtk } from '@dicomtrail/testing';
import { assertValidAndGapFree, startTestServer, type TestServer, waitFor } from '../support/server.js';

let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(async () => s.close());

const ECHO_SEQUENCE = [
  'EVT_CONN_OPEN',
  'EVT_FSM_TRANSITION', // Sta1 + Evt5 -> AE-5 -> Sta2
  'EVT_DATA_RECV',
  'EVT_PDU_RECV', // A-ASSOCIATE-RQ
  'EVT_ACSE_RECV',
  'EVT_REQUESTED',
  'EVT_FSM_TRANSITION', // Sta2 + Evt6 -> AE-6 -> Sta3
  'EVT_SOP_EXTENDED',
  'EVT_SOP_COMMON',
  'EVT_ACSE_SENT',
  'EVT_ACCEPTED',
  'EVT_ESTABLISHED',
  'EVT_DATA_SENT',
  'EVT_PDU_SENT', // A-ASSOCIATE-AC
  'EVT_FSM_TRANSITION', // Sta3 + Evt7 -> AE-7 -> Sta6
  'EVT_DATA_RECV',
  'EVT_PDU_RECV', // P-DATA-TF
  'EVT_DIMSE_RECV', // C-ECHO-RQ
  'EVT_FSM_TRANSITION', // Sta6 + Evt10 -> DT-2 -> Sta6
  'EVT_C_ECHO',
  'EVT_DIMSE_SENT', // C-ECHO-RSP
  'EVT_DATA_SENT',
  'EVT_PDU_SENT',
  'EVT_FSM_TRANSITION', // Sta6 + Evt9 -> DT-1 -> Sta6
  'EVT_DATA_RECV',
  'EVT_PDU_RECV', // A-RELEASE-RQ
  'EVT_ACSE_RECV',
  'EVT_FSM_TRANSITION', // Sta6 + Evt12 -> AR-2 -> Sta8
  'EVT_ACSE_SENT',
  'EVT_RELEASED',
  'EVT_DATA_SENT',
  'EVT_PDU_SENT', // A-RELEASE-RP
  'EVT_FSM_TRANSITION', // Sta8 + Evt14 -> AR-4 -> Sta13
  'EVT_CONN_CLOSE',
  'EVT_FSM_TRANSITION', // Sta13 + Evt17 -> AR-5 -> Sta1
];

async function newAssociation(before: Set<string>): Promise<string> {
  await waitFor(() => s.sink.associationIds().some((id) => !before.has(id)), 5000, 'a new association');
  const id = s.sink.associationIds().find((x) => !before.has(x))!;
  await waitFor(
    () => s.sink.of(id).some((e) => e.type === 'EVT_FSM_TRANSITION' && e.params['next_state'] === 'Sta1'),
    5000,
    'Sta1',
  );
  return id;
}

test('echoscu: C-ECHO succeeds and the adapter emits the exact event sequence', async () => {
  const known = new Set(s.sink.associationIds());
  const r = await runDcmtk('echoscu', [
    '-aet',
    'MODALITY1',
    '-aec',
    'DICOMTRAIL',
    '127.0.0.1',
    String(s.port),
  ]);
  assert.equal(r.code, 0, r.stderr);
  const id = await newAssociation(known);
  const events = s.sink.of(id);
  assert.deepEqual(
    events.map((e) => e.type),
    ECHO_SEQUENCE,
  );
  const fsm = events
    .filter((e) => e.type === 'EVT_FSM_TRANSITION')
    .map(
      (e) =>
        `${e.params['current_state']}+${e.params['fsm_event']}>${e.params['action']}>${e.params['next_state']}`,
    );
  assert.deepEqual(fsm, [
    'Sta1+Evt5>AE-5>Sta2',
    'Sta2+Evt6>AE-6>Sta3',
    'Sta3+Evt7>AE-7>Sta6',
    'Sta6+Evt10>DT-2>Sta6',
    'Sta6+Evt9>DT-1>Sta6',
    'Sta6+Evt12>AR-2>Sta8',
    'Sta8+Evt14>AR-4>Sta13',
    'Sta13+Evt17>AR-5>Sta1',
  ]);
  const echo = events.find((e) => e.type === 'EVT_C_ECHO')!;
  assert.equal(echo.params['status'], 0);
  assert.equal(echo.association.calling_ae_title, 'MODALITY1');
  const requested = events.find((e) => e.type === 'EVT_REQUESTED')!;
  const neg = (
    requested.association as unknown as {
      negotiation: { implementation: { requestor: { class_uid: string } } };
    }
  ).negotiation;
  assert.match(
    neg.implementation.requestor.class_uid,
    /^1\.2\.276\.0\.7230010\.3/,
    'dcmtk implementation class UID recorded',
  );
  assert.deepEqual(events.find((e) => e.type === 'EVT_RELEASED')!.params, {
    initiator: 'remote',
    collision: false,
  });
  assertValidAndGapFree(events);
});

test('echoscu with a wrong called AE title is rejected: permanent, service user, called AE title not recognized', async () => {
  const known = new Set(s.sink.associationIds());
  const r = await runDcmtk('echoscu', ['-aet', 'MODALITY1', '-aec', 'NOT_US', '127.0.0.1', String(s.port)]);
  assert.notEqual(r.code, 0);
  assert.match(r.stdout + r.stderr, /Called AE Title Not Recognized/);
  const id = await newAssociation(known);
  const events = s.sink.of(id);
  const rejected = events.find((e) => e.type === 'EVT_REJECTED')!;
  const cause = rejected.params['cause'] as Record<string, unknown>;
  assert.equal(cause['result'], 1);
  assert.equal(cause['source'], 1);
  assert.equal(cause['reason'], 7);
  assert.equal(cause['reason_name'], 'called-ae-title-not-recognized');
  assert.equal(cause['initiator'], 'local');
  assert.ok(!events.some((e) => e.type === 'EVT_ACCEPTED'));
  assert.deepEqual(
    events.filter((e) => e.type === 'EVT_FSM_TRANSITION').map((e) => e.params['action']),
    ['AE-5', 'AE-6', 'AE-8', 'AR-5'],
  );
  assertValidAndGapFree(events);
});

test('many echoes on one association keep seq gap-free', async () => {
  const known = new Set(s.sink.associationIds());
  const r = await runDcmtk('echoscu', ['-aec', 'DICOMTRAIL', '--repeat', '50', '127.0.0.1', String(s.port)]);
  assert.equal(r.code, 0, r.stderr);
  const id = await newAssociation(known);
  const events = s.sink.of(id);
  assert.equal(events.filter((e) => e.type === 'EVT_C_ECHO').length, 50);
  assertValidAndGapFree(events);
});
