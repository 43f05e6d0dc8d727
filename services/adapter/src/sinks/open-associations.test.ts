import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EventType } from '@dicomtrail/schemas';
import type { AssociationInfo } from '../association/types.js';
import { type LoggedEvent, loggedEventOf, OpenAssociations } from './open-associations.js';

const assoc = (id: string, calling = ''): AssociationInfo => ({
  id,
  role: 'acceptor',
  calling_ae_title: calling,
  called_ae_title: calling ? 'DICOMTRAIL' : '',
  local: { address: '127.0.0.1', port: 11112 },
  remote: { address: '127.0.0.1', port: 40000 },
});

let clock = 0;
function ev(id: string, seq: number, type: EventType, extra: Partial<LoggedEvent> = {}): LoggedEvent {
  clock += 1;
  return {
    type,
    seq,
    timestamp: `2026-12-07T10:00:00.${String(clock).padStart(6, '0')}Z`,
    association: assoc(id, seq > 0 ? 'STORESCU' : ''),
    node_id: 'node-1',
    ...extra,
  };
}

test('given a released and an unfinished association, then only the unfinished one is open, with its last event', () => {
  const o = new OpenAssociations();
  for (const [s, t] of [
    'EVT_CONN_OPEN',
    'EVT_REQUESTED',
    'EVT_RELEASED',
    'EVT_DATA_SENT',
    'EVT_FSM_TRANSITION',
  ].entries())
    o.fold(ev('done', s, t as EventType));
  o.fold(ev('cut', 0, 'EVT_CONN_OPEN'));
  o.fold(ev('cut', 1, 'EVT_REQUESTED'));
  o.fold(ev('cut', 2, 'EVT_DIMSE_RECV', { storing: '1.2.3' }));
  const open = [...o.values()];
  assert.equal(open.length, 1, 'events after the release do not reopen it');
  assert.equal(open[0]!.association.id, 'cut');
  assert.equal(open[0]!.association.calling_ae_title, 'STORESCU', 'the AE titles known later are kept');
  assert.equal(open[0]!.last_seq, 2);
  assert.equal(open[0]!.last_type, 'EVT_DIMSE_RECV');
  assert.equal(open[0]!.storing?.sop_instance_uid, '1.2.3');
  o.fold(ev('cut', 3, 'EVT_C_STORE'));
  assert.equal([...o.values()][0]!.storing, undefined, 'the C-STORE is recorded: nothing in flight');
});

test('given events of an association whose start came before the checkpoint, then they open nothing', () => {
  const o = new OpenAssociations();
  o.fold(ev('old', 7, 'EVT_DATA_RECV'));
  assert.equal(o.size, 0);
});

test('a checkpoint round trip keeps the open associations; an unknown version is refused', () => {
  const o = new OpenAssociations();
  o.fold(ev('a', 0, 'EVT_CONN_OPEN'));
  o.fold(ev('a', 1, 'EVT_REQUESTED', { parent: { association_id: 'p', message_id: 3 } }));
  const back = OpenAssociations.fromCheckpoint(o.toCheckpoint());
  assert.deepEqual([...back.values()], [...o.values()]);
  back.fold(ev('a', 2, 'EVT_ABORTED'));
  assert.equal(back.size, 0);
  assert.throws(() => OpenAssociations.fromCheckpoint(Buffer.from('{"v":99,"open":[]}')), /unknown version/);
  assert.equal(OpenAssociations.fromCheckpoint(undefined).size, 0);
});

test('an envelope read back from the log gives the fold what it needs (a C-STORE-RQ names its instance)', () => {
  const e = loggedEventOf({
    type: 'EVT_DIMSE_RECV',
    seq: 4,
    timestamp: '2026-12-07T10:00:01.000000Z',
    association: assoc('x', 'STORESCU'),
    node: { id: 'node-1' },
    params: { message: { message_type: 'C-STORE-RQ', command: { affected_sop_instance_uid: '1.2.840.1' } } },
  });
  assert.equal(e?.storing, '1.2.840.1');
  assert.equal(e?.node_id, 'node-1');
  assert.equal(loggedEventOf({ type: 'EVT_RETENTION', seq: 0, node: { id: 'n' } }), undefined, 'node-scoped');
});
