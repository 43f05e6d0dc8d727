/**
 * The archive's storage commitment report (N-EVENT-REPORT) to a tls:// requestor of ARCHIVE_MOVE_DESTINATIONS:
 * our SCU asks for commitment and releases, the archive opens a new association over TLS to the requestor's own
 * SCP (our DicomServer behind a TLS gate) and reports there, both sides recording the TLS facts; a requestor
 * whose certificate another CA signed gets no report, and the refusal is an EVT_TLS_REFUSED of the
 * move-destination leg.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { after, before, test } from 'node:test';
import type { DicomtrailEvent } from '@dicomtrail/schemas';
import { type CertFiles, makeCa, makeCert } from '@dicomtrail/testing';
import { parseMoveDestinations } from '../../src/archive/move-destinations.js';
import { STORAGE_COMMITMENT_INSTANCE } from '../../src/archive/storage-commitment.js';
import { associate } from '../../src/association/client.js';
import type { DicomJson } from '../../src/dataset/dicom-json.js';
import { STORAGE_COMMITMENT_PUSH } from '../../src/dataset/uids.js';
import { startRun } from '../../src/events/node-lifecycle.js';
import type { NServiceRequest } from '../../src/service-classes/n-services.js';
import { loadOutboundTls } from '../../src/tls/outbound-tls.js';
import { TlsGate } from '../../src/tls/tls-gate.js';
import { TlsRefusalRecorder } from '../../src/tls/tls-refused-event.js';
import {
  type ArchiveServer,
  commitmentRequest,
  SC,
  startArchiveServer,
  storeCommitmentInstances,
} from '../support/archive.js';
import { makeTestPki, type TestPki } from '../support/dicom-tls.js';
import {
  CollectingSink,
  type Envelope,
  startTestServer,
  type TestServer,
  testLog,
  testPolicy,
  waitFor,
} from '../support/server.js';

const U = '1.2.826.0.1.3680043.10.1386.72';
const TS = ['1.2.840.10008.1.2.1', '1.2.840.10008.1.2'];
const STORED = [`${U}.1.1`, `${U}.1.2`];

/** The archive's node-scoped events (EVT_TLS_REFUSED), as the adapter's sinks receive them. */
class NodeEventSink extends CollectingSink {
  readonly nodeEvents: DicomtrailEvent[] = [];
  writeNodeEvent(event: DicomtrailEvent): void {
    this.nodeEvents.push(event);
  }
}

let pki: TestPki;
let archive: ArchiveServer;
let trusted: TestServer;
let rogue: TestServer;
const nodeSink = new NodeEventSink();
const reports = new Map<string, NServiceRequest[]>();

/** A requestor's own SCP for storage commitment reports, as `aeTitle`, over TLS presenting `cert`. */
async function commitmentScp(aeTitle: string, cert: CertFiles): Promise<TestServer> {
  const scp = await startTestServer({
    tlsGate: new TlsGate({
      tls: {
        material: {
          ca: readFileSync(pki.ca.cert, 'utf8'),
          cert: readFileSync(cert.cert, 'utf8'),
          key: readFileSync(cert.key, 'utf8'),
        },
        clientAuth: 'require',
      },
      handshakeTimeoutMs: 5000,
      log: testLog,
      onRefused: () => {},
    }),
    policy: {
      ...testPolicy(),
      aeTitle,
      supported: { ...testPolicy().supported, abstractSyntaxes: new Set([STORAGE_COMMITMENT_PUSH]) },
    },
  });
  const got: NServiceRequest[] = [];
  reports.set(aeTitle, got);
  scp.server.handlers.handle('EVT_N_EVENT_REPORT', ((req: NServiceRequest) => {
    got.push(req);
    return [0, null];
  }) as never);
  return scp;
}

before(async () => {
  pki = makeTestPki();
  // TRUSTED presents our CA's CN=pacs; ROGUE the same name and address, signed by a CA we do not trust.
  trusted = await commitmentScp('TRUSTED', pki.pacs);
  const otherCa = makeCa(pki.dir, 'other-ca', 'rsa');
  rogue = await commitmentScp(
    'ROGUE',
    makeCert(pki.dir, otherCa, 'rogue-pacs', { cn: 'pacs', ips: ['127.0.0.1'], keyType: 'rsa' }),
  );
  // ARCHIVE_MOVE_DESTINATIONS as the adapter reads it: each tls:// leg loaded, named move-destination, and its
  // refusals recorded as node events of the run.
  const files = `ca=${pki.ca.cert}&cert=${pki.server.cert}&key=${pki.server.key}`;
  const destinations = parseMoveDestinations([
    `TRUSTED=tls://127.0.0.1:${trusted.port}?${files}`,
    `ROGUE=tls://127.0.0.1:${rogue.port}?${files}`,
  ]);
  const recorder = new TlsRefusalRecorder([nodeSink]);
  recorder.start(
    startRun({ id: 'test', hostname: os.hostname(), version: 'test', mode: 'scp' }, 'DICOMTRAIL', {
      address: '127.0.0.1',
      port: 0,
    }),
  );
  for (const [ae, d] of destinations) {
    assert.ok(d.tls, `${ae} is a tls:// destination`);
    loadOutboundTls(d.tls, {}, `ARCHIVE_MOVE_DESTINATIONS ${ae}`);
    d.tls.leg = 'move-destination';
    d.tls.onRefused = (r) => recorder.record(r);
  }
  // The report waits long enough for the requestor to release first, so it goes on a new association.
  archive = await startArchiveServer({ destinations, commitmentReportDelayMs: 400 });
  const c = await associate({
    host: '127.0.0.1',
    port: archive.port,
    callingAeTitle: 'MODALITY',
    calledAeTitle: 'DICOMTRAIL',
    contexts: [{ abstractSyntax: SC, transferSyntaxes: TS }],
    log: testLog,
  });
  await storeCommitmentInstances(c, pki.dir, `${U}.1`, STORED);
  await c.release();
});
after(async () => {
  await archive?.close();
  await trusted?.close();
  await rogue?.close();
  if (pki) rmSync(pki.dir, { recursive: true, force: true });
});

/** The requestor `ae` asks for commitment of `refs` and releases before the report. */
async function requestCommitment(ae: string, transaction: string, refs: [string, string][]): Promise<void> {
  const c = await associate({
    host: '127.0.0.1',
    port: archive.port,
    callingAeTitle: ae,
    calledAeTitle: 'DICOMTRAIL',
    contexts: [{ abstractSyntax: STORAGE_COMMITMENT_PUSH, transferSyntaxes: TS }],
    log: testLog,
  });
  const rsp = await c.nAction(
    STORAGE_COMMITMENT_PUSH,
    STORAGE_COMMITMENT_INSTANCE,
    1,
    commitmentRequest(transaction, refs),
  );
  assert.equal(rsp.status, 0);
  await c.release();
}

type TlsFacts = Record<string, unknown> & { peer_certificate?: Record<string, unknown> };
const tlsOf = (events: Envelope[]): TlsFacts | undefined =>
  events.find((e) => e.type === 'EVT_CONN_OPEN')?.params['tls'] as TlsFacts | undefined;
const uidsOf = (seq: DicomJson[string] | undefined): unknown[] =>
  ((seq?.Value ?? []) as DicomJson[]).map((i) => i['00081155']?.Value?.[0]);

test('the commitment report to a tls:// requestor goes over verified TLS on a new association, with the committed instances', async () => {
  const transaction = `${U}.2.99`;
  await requestCommitment('TRUSTED', transaction, [
    [SC, STORED[0]!],
    [SC, STORED[1]!],
  ]);
  const got = reports.get('TRUSTED')!;
  await waitFor(() => got.length === 1, 10_000, 'the report at the TRUSTED SCP');
  const r = got[0]!;
  assert.equal(r.request.eventTypeId, 1, 'all committed');
  assert.equal(r.request.affectedSopInstanceUid, STORAGE_COMMITMENT_INSTANCE);
  assert.equal(r.association.callingAeTitle, 'DICOMTRAIL');
  assert.deepEqual(r.datasetJson!['00081195']?.Value, [transaction]);
  assert.deepEqual(uidsOf(r.datasetJson!['00081199']), STORED);
  assert.equal(r.datasetJson!['00081198'], undefined);

  // The archive's side: a requestor association to TRUSTED, over TLS, the peer's certificate verified.
  const out = archive.sink
    .associationIds()
    .map((id) => archive.sink.of(id))
    .find(
      (ev) => ev[0]!.association.called_ae_title === 'TRUSTED' && ev[0]!.association.role === 'requestor',
    );
  assert.ok(out, 'the archive recorded the report association');
  assert.ok(out[0]!['parent'], 'a child of the N-ACTION association');
  const outTls = tlsOf(out);
  assert.ok(outTls, "the archive's EVT_CONN_OPEN carries TLS facts");
  assert.match(String(outTls['protocol']), /^TLSv1\.[23]$/);
  assert.equal(outTls['peer_verified'], true);
  assert.equal(outTls.peer_certificate?.['subject'], 'CN=pacs');
  assert.ok(
    out.some(
      (e) =>
        e.type === 'EVT_DIMSE_SENT' &&
        (e.params['message'] as { message_type: string }).message_type === 'N-EVENT-REPORT-RQ',
    ),
    'the report was sent on it',
  );
  // The receiving side: the archive's client certificate, verified by our gate.
  const inTls = tlsOf(trusted.sink.of(r.association.id));
  assert.ok(inTls, "the receiver's EVT_CONN_OPEN carries TLS facts");
  assert.equal(inTls['peer_verified'], true);
  assert.equal(inTls.peer_certificate?.['subject'], 'CN=dicomtrail');
});

test('a tls:// requestor whose certificate another CA signed: no report over an unverified link, EVT_TLS_REFUSED of the move-destination leg', async () => {
  await requestCommitment('ROGUE', `${U}.3.99`, [[SC, STORED[0]!]]);
  await waitFor(() => nodeSink.nodeEvents.length === 1, 10_000, 'the EVT_TLS_REFUSED');
  const refused = nodeSink.nodeEvents[0]!;
  assert.equal(refused.type, 'EVT_TLS_REFUSED');
  const p = refused.params as Record<string, unknown>;
  assert.deepEqual([p['leg'], p['cause'], p['port']], ['move-destination', 'handshake-failed', rogue.port]);
  // The peer sends its leaf alone, which no CA of ours signed.
  assert.equal(p['reason'], 'unable to verify the first certificate (UNABLE_TO_VERIFY_LEAF_SIGNATURE)');
  // Give a report that slipped through time to arrive: none may.
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(reports.get('ROGUE')!.length, 0, 'no report delivered');
  const toRogue = archive.sink.events.filter((e) => e.association.called_ae_title === 'ROGUE');
  assert.deepEqual(
    toRogue.filter((e) => e.type === 'EVT_DIMSE_SENT' || e.type === 'EVT_CONN_OPEN'),
    [],
    'no association to ROGUE opened',
  );
});
