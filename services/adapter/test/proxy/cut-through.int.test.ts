/**
 * The audit proxy's cut-through C-STORE against real PACSes (DCMTK's storescp, our own SCP): each fragment
 * goes upstream as it arrives (the first data PDU reaches the PACS before the modality's last one reaches the
 * proxy), re-cut only where the PACS takes smaller PDUs than the modality sends (16 KB to 4 KB), passed as it
 * is otherwise (4 KB to 16 KB), the PACS receiving a byte-identical data set either way, with the length,
 * sha256 and header recorded on the way through (the same header our SCP records for the instance). And what
 * a failure mid-transfer gives: the PACS's failure status passed back and recorded; the PACS aborting, or
 * killed, mid-transfer: the modality's association aborted with the cause recorded in its EVT_ABORTED; the
 * modality aborting: the PACS's association aborted.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { freePort, runDcmtk } from '@dicomtrail/testing';
import { associate, type DicomClient } from '../../src/association/client.js';
import { readPart10 } from '../../src/dataset/part10.js';
import type { MaxPduOffer } from '../../src/proxy/negotiation-relay.js';
import { AuditProxy } from '../../src/proxy/proxy-server.js';
import { parseProxyRoutes } from '../../src/proxy/routes.js';
import { listening } from '../support/archive.js';
import { EXPLICIT_LE, IMPLICIT_LE, SC_IMAGE_STORAGE, writeInstance } from '../support/instances.js';
import {
  CollectingSink,
  type Envelope,
  startTestServer,
  type TestServer,
  testLog,
  testPolicy,
  waitFor,
} from '../support/server.js';

let dir: string;
const children: ChildProcess[] = [];

before(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'dt-cut-through-'));
});

after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** DCMTK's storescp as the PACS, taking PDUs of at most `maxPdu` bytes. */
async function startStorescp(maxPdu: number): Promise<{ port: number; out: string; child: ChildProcess }> {
  const out = mkdtempSync(path.join(dir, 'pacs-'));
  const port = await freePort();
  const child = spawn('storescp', ['-aet', 'PACS', '--max-pdu', String(maxPdu), '-od', out, String(port)], {
    env: { ...process.env, TCP_NODELAY: '1' },
    stdio: 'ignore',
  });
  children.push(child);
  await listening(port);
  return { port, out, child };
}

async function startProxy(
  upstreamPort: number,
  maxPdu: number,
  sink: CollectingSink,
  maxPduOffer: MaxPduOffer = 'peer',
): Promise<AuditProxy> {
  const p = new AuditProxy({
    maxPduOffer,
    host: '127.0.0.1',
    port: 0,
    routes: parseProxyRoutes(`127.0.0.1:${upstreamPort}`, []),
    storeDir: mkdtempSync(path.join(dir, 'proxy-')),
    sinks: [sink],
    log: testLog,
    policy: { ...testPolicy(), requireCalledAeTitle: false, maxPduReceive: maxPdu },
    artimTimeoutMs: 5000,
    connectTimeoutMs: 2000,
  });
  await p.listen();
  return p;
}

/** storescu sends `file` through the proxy; the PACS holds the same data set. Returns the data set's bytes. */
async function storeByteIdentical(
  file: string,
  proxyPort: number,
  pacsOut: string,
  args: string[] = [],
): Promise<Buffer> {
  const sent = readPart10(readFileSync(file)).datasetBytes;
  const via = ['-aet', 'MODALITY', '-aec', 'PACS', '127.0.0.1', String(proxyPort)];
  const r = await runDcmtk('storescu', [...args, ...via, file]);
  assert.equal(r.code, 0, r.stderr);
  const [name] = readdirSync(pacsOut);
  assert.ok(name, 'an instance at the PACS');
  assert.ok(readPart10(readFileSync(path.join(pacsOut, name))).datasetBytes.equals(sent), 'byte-identical');
  return sent;
}

/** The proxy's two associations: the modality's (acceptor) and the PACS's (requestor). */
function legs(sink: CollectingSink): { down: Envelope[]; up: Envelope[] } {
  const ids = sink.associationIds();
  const of = (role: string) =>
    ids.map((id) => sink.of(id)).find((e) => e[0]?.association.role === role) ?? [];
  return { down: of('acceptor'), up: of('requestor') };
}

const isData = (e: Envelope, type: string) => e.type === type && e.params['pdu_type'] === 'P-DATA-TF';
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const dataSet = (e: Envelope | undefined) =>
  (e?.params['message'] as { data_set?: { length: number; sha256: string } } | undefined)?.data_set;

for (const [modalityPdu, pacsPdu] of [
  [16384, 4096],
  [4096, 16384],
] as const) {
  test(`cut-through, modality's PDUs ${modalityPdu} B, the PACS's ${pacsPdu} B: passed on as it arrives, byte-identical at the PACS`, async () => {
    const pacs = await startStorescp(pacsPdu);
    const sink = new CollectingSink();
    // PROXY_MAX_PDU_OFFER=own: the modality is offered the proxy's own maximum, not the PACS's.
    const proxy = await startProxy(pacs.port, modalityPdu, sink, 'own');
    try {
      const f = path.join(dir, `refragment-${modalityPdu}-${pacsPdu}.dcm`);
      writeInstance(f, { pixelBytes: 2 * 1024 * 1024 + 778, patientId: 'PID-CUT' });
      const sent = await storeByteIdentical(f, proxy.port, pacs.out);

      await waitFor(() => legs(sink).up.some((e) => e.type === 'EVT_RELEASED'), 5000, 'the release');
      const { down, up } = legs(sink);
      const received = down.filter((e) => isData(e, 'EVT_DATA_RECV'));
      const passed = up.filter((e) => isData(e, 'EVT_DATA_SENT'));
      // Cut-through: the PACS got data before the modality had sent its last fragment.
      const order = sink.events;
      assert.ok(
        order.indexOf(passed[1]!) < order.indexOf(received.at(-1)!),
        'the first data PDU went upstream before the last one came in',
      );
      const lengths = (es: Envelope[]) => es.map((e) => Number(e.params['length']) - 6);
      // PDU-length, header excluded: DCMTK fills its PDUs to 6 bytes short of the maximum.
      assert.ok(
        lengths(received).every((n) => n <= modalityPdu) && lengths(received).includes(modalityPdu - 6),
      );
      if (modalityPdu > pacsPdu) {
        assert.ok(
          lengths(passed).every((n) => n <= pacsPdu),
          're-cut to the PACS maximum',
        );
        assert.ok(lengths(passed).includes(pacsPdu), 'to full PDUs');
        assert.ok(passed.length >= (received.length - 1) * (modalityPdu / pacsPdu));
      } else {
        assert.deepEqual(lengths(passed), lengths(received), 'passed as they came: not re-cut, not joined');
      }
      // The length, sha256 and header, computed on the way through, are the data set's.
      const inbound = dataSet(down.find((e) => e.type === 'EVT_DIMSE_RECV'));
      const outbound = dataSet(up.find((e) => e.type === 'EVT_DIMSE_SENT'));
      assert.deepEqual(inbound, { length: sent.length, sha256: sha256(sent) });
      assert.deepEqual(outbound, inbound);
      const store = down.find((e) => e.type === 'EVT_C_STORE')!.params;
      assert.equal(store['status'], 0);
      const header = store['dataset'] as Record<
        string,
        { Value?: unknown[]; BulkData?: { length?: number } }
      >;
      assert.equal(header['00100020']?.Value?.[0], 'PID-CUT');
      assert.equal(
        header['7FE00010']?.BulkData?.length,
        2 * 1024 * 1024 + 778,
        'pixel data elided to its length',
      );
      assert.deepEqual(
        readdirSync(path.join(dir))
          .filter((d) => d.startsWith('proxy-'))
          .flatMap((d) => readdirSync(path.join(dir, d))),
        [],
        'nothing written at the proxy',
      );
    } finally {
      await proxy.close(1000);
      pacs.child.kill('SIGTERM');
    }
  });
}

test("by default the modality is offered the PACS's maximum PDU length, the PACS the modality's: fragments pass through as they came", async () => {
  const pacs = await startStorescp(16384);
  const sink = new CollectingSink();
  // The proxy's own maximum (DICOM_MAX_PDU) is larger than either side's: only a bound.
  const proxy = await startProxy(pacs.port, 65536, sink);
  try {
    const f = path.join(dir, 'offer-peer.dcm');
    writeInstance(f, { pixelBytes: 1024 * 1024 + 3, patientId: 'PID-OFFER' });
    await storeByteIdentical(f, proxy.port, pacs.out, ['--max-pdu', '32768']);

    await waitFor(() => legs(sink).up.some((e) => e.type === 'EVT_RELEASED'), 5000, 'the release');
    const { down, up } = legs(sink);
    const maxPdu = (es: Envelope[]) =>
      (
        es.find((e) => e.type === 'EVT_RELEASED')!.association as unknown as {
          negotiation?: { max_pdu?: { requestor: number; acceptor?: number } };
        }
      ).negotiation?.max_pdu;
    assert.deepEqual(
      maxPdu(down),
      { requestor: 32768, acceptor: 16384 },
      "the modality's AC: the PACS's maximum",
    );
    assert.deepEqual(
      maxPdu(up),
      { requestor: 32768, acceptor: 16384 },
      "the PACS's RQ: the modality's maximum",
    );
    const lengths = (es: Envelope[]) => es.map((e) => Number(e.params['length']) - 6);
    const received = lengths(down.filter((e) => isData(e, 'EVT_DATA_RECV')));
    assert.ok(
      received.every((n) => n <= 16384) && received.includes(16384 - 6),
      'the modality sent 16 KB PDUs',
    );
    assert.deepEqual(
      lengths(up.filter((e) => isData(e, 'EVT_DATA_SENT'))),
      received,
      'not re-cut, not joined',
    );
  } finally {
    await proxy.close(1000);
    pacs.child.kill('SIGTERM');
  }
});

for (const transferSyntax of [EXPLICIT_LE, IMPLICIT_LE]) {
  test(`the audit record of a cut-through C-STORE is the one our SCP keeps for the same instance (${transferSyntax})`, async () => {
    const pacs = await startTestServer();
    const sink = new CollectingSink();
    const proxy = await startProxy(pacs.port, 16384, sink);
    try {
      const f = path.join(dir, `same-record-${transferSyntax}.dcm`);
      writeInstance(f, {
        transferSyntax,
        pixelBytes: 300_000,
        privateTag: true,
        patientId: 'PID-SAME',
        // Longer than the event value limit, before the patient: kept as its length and sha256.
        extra: { '00084000': { vr: 'LT', Value: ['y'.repeat(100_000)] } },
      });
      const r = await runDcmtk('storescu', ['-aec', 'DICOMTRAIL', '127.0.0.1', String(proxy.port), f]);
      assert.equal(r.code, 0, r.stderr);
      await waitFor(() => legs(sink).down.some((e) => e.type === 'EVT_C_STORE'), 5000, 'EVT_C_STORE');
      const atPacs = pacs.sink.events.find((e) => e.type === 'EVT_C_STORE')!.params;
      const here = legs(sink).down.find((e) => e.type === 'EVT_C_STORE')!.params;
      assert.equal(here['status'], 0);
      assert.deepEqual(here['dataset'], atPacs['dataset']);
      const header = here['dataset'] as Record<string, { Value?: unknown[]; BulkData?: unknown }>;
      assert.equal(header['00100020']?.Value?.[0], 'PID-SAME');
      assert.ok(header['00084000']?.BulkData && !header['00084000'].Value, 'the long value fingerprinted');
      const recv = (events: Envelope[]) => dataSet(events.find((e) => e.type === 'EVT_DIMSE_RECV'));
      assert.deepEqual(recv(legs(sink).down), recv(pacs.sink.events), 'length and sha256');
    } finally {
      await proxy.close(1000);
      await pacs.close();
    }
  });
}

/** Our SCU sends half of a data set, then waits for `open()` before the rest (a modality mid-transfer). */
async function halfThenGate(
  port: number,
): Promise<{ client: DicomClient; store: Promise<number>; open: () => void }> {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const client = await associate({
    host: '127.0.0.1',
    port,
    callingAeTitle: 'MODALITY',
    calledAeTitle: 'DICOMTRAIL',
    contexts: [{ abstractSyntax: SC_IMAGE_STORAGE, transferSyntaxes: [EXPLICIT_LE] }],
    log: testLog,
  });
  const f = path.join(dir, `half-${Math.random().toString(36).slice(2)}.dcm`);
  const { sopInstanceUid } = writeInstance(f, { pixelBytes: 4 * 1024 * 1024 });
  const bytes = readPart10(readFileSync(f)).datasetBytes;
  async function* halves(): AsyncGenerator<Buffer> {
    yield bytes.subarray(0, bytes.length >> 1);
    await gate;
    yield bytes.subarray(bytes.length >> 1);
  }
  const store = client.store(SC_IMAGE_STORAGE, sopInstanceUid, EXPLICIT_LE, halves());
  store.catch(() => undefined);
  return { client, store, open };
}

function abortDetail(events: Envelope[]): string {
  const e = events.find((x) => x.type === 'EVT_ABORTED');
  assert.ok(e, 'EVT_ABORTED');
  return String((e.params['cause'] as { detail?: string }).detail);
}

test('the PACS aborts mid-transfer: the modality is aborted, the cause recorded; the PACS keeps nothing', async () => {
  const pacs: TestServer = await startTestServer();
  const sink = new CollectingSink();
  const proxy = await startProxy(pacs.port, 16384, sink);
  let open = () => {};
  try {
    const modality = await halfThenGate(proxy.port);
    open = modality.open;
    const { client, store } = modality;
    await waitFor(
      () => pacs.sink.events.filter((e) => isData(e, 'EVT_DATA_RECV')).length > 20,
      10_000,
      'the first half at the PACS',
    );
    await pacs.server.close(0); // no grace: the PACS aborts its associations
    const outcome = await client.association.closed();
    open();
    assert.equal(outcome.kind, 'aborted', 'the modality is aborted');
    await assert.rejects(store);
    await waitFor(() => legs(sink).down.some((e) => e.type === 'EVT_ABORTED'), 5000, 'the abort recorded');
    const { down, up } = legs(sink);
    assert.match(
      abortDetail(down),
      /^C-STORE-RQ 1 not completed, \d+ bytes passed on: the paired association was aborted: an A-ABORT from the peer \(service-user\)$/,
    );
    assert.equal(
      (up.find((e) => e.type === 'EVT_ABORTED')!.params['cause'] as { initiator: string }).initiator,
      'remote',
    );
    assert.ok(!down.some((e) => e.type === 'EVT_C_STORE'), 'no C-STORE outcome: none was given');
    assert.ok(!pacs.sink.events.some((e) => e.type === 'EVT_C_STORE'), 'the PACS stored nothing');
  } finally {
    open();
    await proxy.close(1000);
    await pacs.close();
  }
});

test('the PACS killed mid-transfer: the modality is aborted, the lost connection recorded as the cause', async () => {
  const pacs = await startStorescp(16384);
  const sink = new CollectingSink();
  const proxy = await startProxy(pacs.port, 16384, sink);
  let open = () => {};
  try {
    const modality = await halfThenGate(proxy.port);
    open = modality.open;
    const { client, store } = modality;
    await waitFor(
      () => legs(sink).up.filter((e) => isData(e, 'EVT_DATA_SENT')).length > 20,
      10_000,
      'the first half on its way to the PACS',
    );
    pacs.child.kill('SIGKILL');
    const outcome = await client.association.closed();
    open();
    assert.equal(outcome.kind, 'aborted');
    await assert.rejects(store);
    await waitFor(() => legs(sink).down.some((e) => e.type === 'EVT_ABORTED'), 5000, 'the abort recorded');
    assert.match(
      abortDetail(legs(sink).down),
      /^C-STORE-RQ 1 not completed, \d+ bytes passed on: the paired association was aborted: transport connection closed$/,
    );
  } finally {
    open();
    await proxy.close(1000);
  }
});

test('the modality aborts mid-transfer: the PACS association is aborted, naming why; the PACS keeps nothing', async () => {
  const pacs = await startTestServer();
  const sink = new CollectingSink();
  const proxy = await startProxy(pacs.port, 16384, sink);
  const modality = await halfThenGate(proxy.port);
  try {
    await waitFor(
      () => pacs.sink.events.filter((e) => isData(e, 'EVT_DATA_RECV')).length > 20,
      10_000,
      'the first half at the PACS',
    );
    modality.client.abort();
    await waitFor(() => legs(sink).up.some((e) => e.type === 'EVT_ABORTED'), 5000, 'the PACS leg aborted');
    assert.match(
      abortDetail(legs(sink).up),
      /^the requestor's association ended during a C-STORE it was sending: /,
    );
    await waitFor(() => pacs.sink.events.some((e) => e.type === 'EVT_ABORTED'), 5000, 'the PACS told');
    assert.ok(!pacs.sink.events.some((e) => e.type === 'EVT_C_STORE'), 'the PACS stored nothing');
  } finally {
    modality.open();
    await proxy.close(1000);
    await pacs.close();
  }
});

test("the PACS's failure status (A700, out of resources) goes back to the modality and is recorded", async () => {
  const pacs = await startTestServer({ maxInstanceBytes: 100_000 });
  const sink = new CollectingSink();
  const proxy = await startProxy(pacs.port, 16384, sink);
  try {
    const f = path.join(dir, 'too-large-for-the-pacs.dcm');
    writeInstance(f, { pixelBytes: 1024 * 1024, patientId: 'PID-REFUSED' });
    const r = await runDcmtk('storescu', ['-v', '-aec', 'DICOMTRAIL', '127.0.0.1', String(proxy.port), f]);
    assert.match(r.stdout + r.stderr, /Refused: OutOfResources/, `storescu is told: ${r.stdout}${r.stderr}`);
    await waitFor(() => legs(sink).down.some((e) => e.type === 'EVT_C_STORE'), 5000, 'EVT_C_STORE');
    const store = legs(sink).down.find((e) => e.type === 'EVT_C_STORE')!.params;
    assert.equal(store['status'], 0xa700);
    assert.equal(store['status_category'], 'failure');
    assert.equal(
      (store['dataset'] as Record<string, { Value?: unknown[] }>)['00100020']?.Value?.[0],
      'PID-REFUSED',
    );
    assert.ok(
      legs(sink).down.some((e) => e.type === 'EVT_RELEASED'),
      'the association goes on to its release',
    );
  } finally {
    await proxy.close(1000);
    await pacs.close();
  }
});

test('a data set past the limit (DICOM_MAX_INSTANCE_BYTES) aborts the modality and, with it, the PACS; cause recorded', async () => {
  const pacs = await startTestServer();
  const sink = new CollectingSink();
  const p = new AuditProxy({
    host: '127.0.0.1',
    port: 0,
    routes: parseProxyRoutes(`127.0.0.1:${pacs.port}`, []),
    storeDir: mkdtempSync(path.join(dir, 'limit-')),
    sinks: [sink],
    log: testLog,
    policy: { ...testPolicy(), requireCalledAeTitle: false },
    limits: { maxInstanceBytes: 200_000 },
  });
  await p.listen();
  try {
    const f = path.join(dir, 'past-the-limit.dcm');
    writeInstance(f, { pixelBytes: 1024 * 1024 });
    const r = await runDcmtk('storescu', ['-aec', 'DICOMTRAIL', '127.0.0.1', String(p.port), f]);
    assert.notEqual(r.code, 0);
    await waitFor(
      () => legs(sink).up.some((e) => e.type === 'EVT_ABORTED'),
      5000,
      'the PACS association aborted',
    );
    assert.match(abortDetail(legs(sink).down), /instance larger than 200000 bytes/);
    assert.ok(!pacs.sink.events.some((e) => e.type === 'EVT_C_STORE'), 'the PACS stored nothing');
  } finally {
    await p.close(1000);
    await pacs.close();
  }
});
