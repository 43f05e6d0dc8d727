/**
 * Issue 16, the limits that need their own adapter: the archive's size limit (ARCHIVE_MAX_BYTES: A700 with
 * storescu), the MPPS step limit (0213 with our SCU's N-CREATE), and the audit proxy, whose modalities'
 * side counts associations like the SCP (idle connections do not lock storescu out of the PACS behind it)
 * and aborts an idle association (and so its upstream one).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { runDcmtk } from '@dicomtrail/testing';
import { associate } from '../../src/association/client.js';
import { MPPS } from '../../src/dataset/uids.js';
import { AuditProxy } from '../../src/proxy/proxy-server.js';
import { parseProxyRoutes } from '../../src/proxy/routes.js';
import { type ArchiveServer, startArchiveServer } from '../support/archive.js';
import { uid, writeInstance } from '../support/instances.js';
import { qrSupported } from '../support/qr.js';
import { CollectingSink, startTestServer, testLog, testPolicy, waitFor } from '../support/server.js';
import { temporaryFiles } from '../support/store-files.js';
import { RawPeer } from './hostile-adapter.js';

let dir: string;
before(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'dt-limits-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function storeStatus(events: CollectingSink['events'], sop: string): number | undefined {
  return events.find((e) => e.type === 'EVT_C_STORE' && e.params['affected_sop_instance_uid'] === sop)
    ?.params['status'] as number | undefined;
}

test('ARCHIVE_MAX_BYTES: the C-STORE that would pass it gets A700 (out of resources) and is not kept', async () => {
  let s: ArchiveServer | undefined;
  try {
    s = await startArchiveServer({ maxBytes: 300_000 });
    const sops: string[] = [];
    for (let i = 0; i < 3; i++) {
      const f = path.join(dir, `quota-${i}.dcm`);
      sops.push(writeInstance(f, { pixelBytes: 120_000 }).sopInstanceUid);
      const r = await runDcmtk('storescu', ['-aec', 'DICOMTRAIL', '127.0.0.1', String(s.port), f]);
      assert.notEqual(r.signal, 'SIGKILL');
    }
    await waitFor(
      () => sops.every((sop) => storeStatus(s!.sink.events, sop) !== undefined),
      10_000,
      'C-STOREs',
    );
    assert.deepEqual(
      sops.map((sop) => storeStatus(s!.sink.events, sop)),
      [0, 0, 0xa700],
    );
    const refused = s.sink.events.find(
      (e) => e.type === 'EVT_C_STORE' && e.params['affected_sop_instance_uid'] === sops[2],
    )!;
    assert.match(String(refused.params['error_comment']), /archive full/);
    assert.equal(s.archive.index.index.has(sops[2]!), false);
    assert.deepEqual(temporaryFiles(s.storeDir), []);
  } finally {
    await s?.close();
  }
});

test('MPPS: an N-CREATE past the step limit gets 0213 (resource limitation)', async () => {
  const storeDir = mkdtempSync(path.join(dir, 'mpps-'));
  const s = await startArchiveServer({ storeDir, maxMppsSteps: 2 });
  try {
    const c = await associate({
      host: '127.0.0.1',
      port: s.port,
      log: testLog,
      callingAeTitle: 'MODALITY',
      calledAeTitle: 'DICOMTRAIL',
      contexts: [{ abstractSyntax: MPPS, transferSyntaxes: ['1.2.840.10008.1.2.1'] }],
    });
    const step = { '00400252': { vr: 'CS', Value: ['IN PROGRESS'] } };
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await c.nCreate(MPPS, uid(), step)).status);
    await c.release();
    assert.deepEqual(statuses, [0, 0, 0x0213]);
  } finally {
    await s.close();
  }
});

test('proxy: 70 connections that never associate do not lock storescu out; an idle association is aborted', async () => {
  const pacs = await startArchiveServer();
  const sink = new CollectingSink();
  const proxy = new AuditProxy({
    host: '127.0.0.1',
    port: 0,
    routes: parseProxyRoutes(`127.0.0.1:${pacs.port}`, []),
    storeDir: path.join(dir, 'proxy'),
    sinks: [sink],
    log: testLog,
    policy: { ...testPolicy(), supported: qrSupported() },
    artimTimeoutMs: 2000,
    maxAssociations: 64,
    limits: { idleTimeoutMs: 2000 },
  });
  const { port } = await proxy.server.listen();
  try {
    const idle: RawPeer[] = [];
    for (let i = 0; i < 70; i++) idle.push(new RawPeer(port, '127.0.0.4'));
    await Promise.all(idle.map((p) => p.ready()));
    const f = path.join(dir, 'through-proxy.dcm');
    const { sopInstanceUid } = writeInstance(f);
    const r = await runDcmtk('storescu', ['-aec', 'DICOMTRAIL', '127.0.0.1', String(port), f]);
    assert.equal(r.code, 0, r.stderr);
    await waitFor(() => storeStatus(pacs.sink.events, sopInstanceUid) === 0, 10_000, 'stored in the PACS');
    await waitFor(() => idle.every((p) => p.closed), 10_000, 'ARTIM closing the idle connections');

    const c = await associate({
      host: '127.0.0.1',
      port,
      log: testLog,
      callingAeTitle: 'SILENT',
      calledAeTitle: 'DICOMTRAIL',
      contexts: [{ abstractSyntax: '1.2.840.10008.1.1', transferSyntaxes: ['1.2.840.10008.1.2'] }],
    });
    assert.equal((await c.association.closed()).kind, 'aborted');
    const downstream = sink.events.find(
      (e) =>
        e.type === 'EVT_ABORTED' &&
        e.association.role === 'acceptor' &&
        e.association.calling_ae_title === 'SILENT',
    );
    assert.ok(downstream, 'EVT_ABORTED of SILENT');
    assert.match(String((downstream.params['cause'] as { detail?: string }).detail), /idle for/);
    // The PACS's side of it is let go too.
    await waitFor(
      () =>
        pacs.sink.events.some((e) => e.type === 'EVT_ABORTED' && e.association.calling_ae_title === 'SILENT'),
      10_000,
      'the upstream association aborted',
    );
  } finally {
    await proxy.close(1000);
    await pacs.close();
  }
});

test('DICOM_MAX_CONNECTIONS: past it a connection is closed at once, associated or not; once the silent ones go, storescu is served', async () => {
  const s = await startTestServer({ maxConnections: 8, artimTimeoutMs: 3000 });
  try {
    const silent: RawPeer[] = [];
    for (let i = 0; i < 8; i++) silent.push(new RawPeer(s.port));
    await Promise.all(silent.map((p) => p.ready()));
    await new Promise((r) => setTimeout(r, 200));
    const turnedAway = new RawPeer(s.port);
    await turnedAway.ready();
    await waitFor(() => turnedAway.closed, 2000, 'the ninth connection closed');
    assert.equal(turnedAway.received.length, 0, 'closed before any PDU');
    assert.ok(
      silent.every((p) => !p.closed),
      'the eight silent ones are still open (ARTIM has not expired)',
    );
    await waitFor(() => silent.every((p) => p.closed), 10_000, 'ARTIM closing the silent connections');
    const f = path.join(dir, 'after-max-connections.dcm');
    writeInstance(f);
    const r = await runDcmtk('storescu', ['-aec', 'DICOMTRAIL', '127.0.0.1', String(s.port), f]);
    assert.equal(r.code, 0, r.stderr);
  } finally {
    await s.close();
  }
});
