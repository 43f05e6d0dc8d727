/**
 * DICOM TLS in the trail (migration 0016), against real Postgres through writeBatch: an association whose
 * EVT_CONN_OPEN carries TLS facts gets them on its audit.associations row (protocol, suite, the peer certificate's
 * subject, issuer and fingerprint, whether it verified); a plaintext one gets none; a node-scoped EVT_TLS_REFUSED
 * is listed by audit.tls_refusals.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { EventRecord } from '@dicomtrail/event-log';
import { migrate } from '@dicomtrail/migrations';
import { uuidv7 } from '@dicomtrail/schemas';
import { createTestDatabase, type TestDatabase } from '@dicomtrail/testing';
import pg from 'pg';
import { contentsOf, writeDirect } from './support/direct-write.js';
import { associationRecords, nowMicros, timestampOf } from './support/synthetic.js';

let db: TestDatabase;
let writer: pg.Pool;
let owner: pg.Pool;

before(async () => {
  db = await createTestDatabase('association_tls');
  await migrate(db.url);
  writer = new pg.Pool({ connectionString: db.url, max: 1, options: '-c role=dicomtrail_writer' });
  owner = new pg.Pool({ connectionString: db.url, max: 1 });
});
after(async () => {
  await writer?.end();
  await owner?.end();
  await db?.drop();
});

const TLS = {
  protocol: 'TLSv1.3',
  cipher: 'TLS_AES_256_GCM_SHA384',
  peer_certificate: {
    subject: 'CN=modality-01,O=Radiology',
    issuer: 'CN=hospital-ca',
    serial: '7F12C0E6C958DAD7907E8C68C560270420754B4E',
    sha256: 'C0:D8:76:61:9C:C9:7C:55:DB:BE:33:31:4A:07:C4:E3:7C:BD:41:D7:C0:F7:D9:4F:8B:6C:6F:C9:59:03:FE:0D',
  },
  peer_verified: true,
};

function withTls(records: EventRecord[]): EventRecord[] {
  return records.map((r) => {
    const e = JSON.parse(r.value.toString()) as { type: string; params: Record<string, unknown> };
    if (e.type === 'EVT_CONN_OPEN') e.params['tls'] = TLS;
    return { ...r, value: Buffer.from(JSON.stringify(e)) };
  });
}

function tlsRefused(): EventRecord {
  const e = {
    schema: 'dicomtrail.event/1',
    id: uuidv7(),
    type: 'EVT_TLS_REFUSED',
    kind: 'notification',
    timestamp: timestampOf(nowMicros()),
    seq: 1,
    node: { id: 'tls-node', hostname: 'tls-node', version: '0.1.0', mode: 'scp' },
    params: {
      remote: { address: '10.0.0.66', port: 40404 },
      local: { address: '10.0.0.1', port: 2762 },
      cause: 'handshake-failed',
      reason: 'certificate has expired (CERT_HAS_EXPIRED)',
      protocol: 'TLSv1.2',
      peer_certificate: { ...TLS.peer_certificate, issuer: 'CN=rogue-ca' },
      leg: 'listener',
      port: 2762,
    },
    trace: { trace_id: '0af7651916cd43dd8448eb211c80319c', span_id: 'b7ad6b7169203331' },
  };
  return {
    key: 'tls-node',
    value: Buffer.from(JSON.stringify(e)),
    headers: { type: e.type, schema: e.schema },
  };
}

test('the TLS facts of EVT_CONN_OPEN reach the association row; a plaintext association has none', async () => {
  const secure = withTls(associationRecords('PID-TLS-1'));
  const plain = associationRecords('PID-TLS-2');
  await writeDirect(writer, contentsOf([...secure, ...plain, tlsRefused()]), 0);
  const rows = (
    await owner.query(
      `SELECT association_id::text AS id, tls_protocol, tls_cipher, tls_peer_subject, tls_peer_issuer,
              tls_peer_sha256, tls_peer_verified
         FROM audit.associations`,
    )
  ).rows as Record<string, unknown>[];
  const idOf = (r: EventRecord[]) => r[0]!.key;
  const s = rows.find((r) => r['id'] === idOf(secure))!;
  assert.deepEqual(
    [s['tls_protocol'], s['tls_cipher'], s['tls_peer_subject'], s['tls_peer_issuer'], s['tls_peer_verified']],
    ['TLSv1.3', 'TLS_AES_256_GCM_SHA384', 'CN=modality-01,O=Radiology', 'CN=hospital-ca', true],
  );
  assert.equal(s['tls_peer_sha256'], TLS.peer_certificate.sha256);
  const p = rows.find((r) => r['id'] === idOf(plain))!;
  assert.equal(p['tls_protocol'], null);
  assert.equal(p['tls_peer_verified'], null);
  const refused = (await owner.query('SELECT * FROM audit.tls_refusals')).rows as Record<string, unknown>[];
  assert.equal(refused.length, 1);
  assert.deepEqual(
    [refused[0]!['cause'], refused[0]!['remote_address'], refused[0]!['port'], refused[0]!['peer_issuer']],
    ['handshake-failed', '10.0.0.66', 2762, 'CN=rogue-ca'],
  );
  assert.match(String(refused[0]!['reason']), /expired/);
});
