import assert from 'node:assert/strict';
import { test } from 'node:test';
import { recordsetElement } from './event-insert.js';
import type { EventContent } from './event-row.js';
import { genesisHash, link } from './hash-chain.js';
import { ChainWalker } from './verify.js';

function content(i: number): EventContent {
  return {
    id: `01a212ec-d1e7-71e4-88b9-79401eaf5a${String(i).padStart(2, '0')}`,
    occurred_at: '2026-11-25T13:37:19.846825Z',
    schema: 'dicomtrail.event/1',
    type: 'EVT_REQUESTED',
    kind: 'notification',
    seq: i,
    association_id: 'b25ac353-6358-4169-8ebd-faf1cef135dd',
    association_role: 'acceptor',
    calling_ae_title: 'STORESCU',
    called_ae_title: 'DICOMTRAIL',
    local_address: '127.0.0.1',
    local_port: 11112,
    remote_address: '127.0.0.1',
    remote_port: 40000,
    negotiation: null,
    parent_association_id: null,
    parent_message_id: null,
    node_id: 'vm',
    node_hostname: 'vm',
    node_version: '0.1.0',
    node_mode: 'scp',
    trace_id: '429ebe96476ecf72c29b57637f87e769',
    span_id: 'e4eda02740dd0927',
    parent_span_id: null,
    params: { b: 1, a: [1, { y: 2, x: 1 }] },
    message_id: null,
    sop_class_uid: null,
    sop_instance_uid: null,
    status: null,
    status_category: null,
    patient_id: i === 2 ? 'PID-1' : null,
    patient_name: null,
    study_instance_uid: null,
    series_instance_uid: null,
    accession_number: null,
    source_topic: 't',
    source_partition: 0,
    source_offset: String(i),
  };
}

const CHAIN = 't/0/events_2026_11';

test('given a linked chain, then every row checks and the head matches', () => {
  const { rows, head } = link(CHAIN, undefined, [0, 1, 2, 3].map(content));
  assert.equal(rows[0]!.prev_hash, genesisHash(CHAIN));
  const w = new ChainWalker(CHAIN);
  for (const r of rows) assert.equal(w.next(r), undefined);
  assert.equal(w.end(head), undefined);
});

test('appending in two batches gives the same hashes as one', () => {
  const all = link(CHAIN, undefined, [0, 1, 2, 3].map(content));
  const first = link(CHAIN, undefined, [0, 1].map(content));
  const second = link(CHAIN, first.head, [2, 3].map(content));
  assert.deepEqual([...first.rows, ...second.rows], all.rows);
});

test('an edited column breaks that row (row_hash), even with jsonb key order changed elsewhere', () => {
  const { rows } = link(CHAIN, undefined, [0, 1, 2].map(content));
  const w = new ChainWalker(CHAIN);
  assert.equal(w.next({ ...rows[0]!, params: { a: [1, { x: 1, y: 2 }], b: 1 } }), undefined);
  assert.equal(w.next(rows[1]!), undefined);
  const broken = w.next({ ...rows[2]!, patient_id: 'PID-2' });
  assert.equal(broken?.problem, 'row_hash');
  assert.equal(broken?.position, 3);
  assert.equal(broken?.event_id, rows[2]!.id);
  assert.equal(broken?.found, rows[2]!.row_hash);
});

test('a deleted row is a missing position; a deleted tail is a head mismatch', () => {
  const { rows, head } = link(CHAIN, undefined, [0, 1, 2].map(content));
  const w = new ChainWalker(CHAIN);
  w.next(rows[0]!);
  assert.equal(w.next(rows[2]!)?.problem, 'missing_row');
  const tail = new ChainWalker(CHAIN);
  tail.next(rows[0]!);
  tail.next(rows[1]!);
  assert.equal(tail.end(head)?.problem, 'head_mismatch');
});

test('a row re-hashed after an edit still breaks the next link (prev_hash)', () => {
  const { rows } = link(CHAIN, undefined, [0, 1, 2].map(content));
  const forged = link(CHAIN, undefined, [{ ...content(0), patient_id: 'X' }]).rows[0]!;
  const w = new ChainWalker(CHAIN);
  assert.equal(w.next(forged), undefined);
  assert.equal(w.next(rows[1]!)?.problem, 'prev_hash');
});

test('link: each row as INSERT JSON is the row itself with the hashes as bytea literals', () => {
  const { rows, rendered } = link(CHAIN, undefined, [0, 1, 2].map(content));
  assert.equal(rendered.length, rows.length);
  rows.forEach((row, i) => {
    assert.deepEqual(JSON.parse(recordsetElement(row, rendered[i]!)), {
      ...row,
      negotiation_sha256: null,
      prev_hash: `\\x${row.prev_hash}`,
      row_hash: `\\x${row.row_hash}`,
    });
  });
});
