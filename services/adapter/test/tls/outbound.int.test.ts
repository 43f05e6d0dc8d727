/**
 * Our TLS legs as a requestor, against dcmtk's storescp +tls: the SCU API over TLS (and refused by a peer of another
 * CA), the audit proxy terminating the modality's TLS and originating its own to the PACS (TLS->TLS) or not
 * (TLS->plain), and a C-MOVE sub-association to a tls:// destination. Each side's EVT_CONN_OPEN records its own
 * connection's TLS facts.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { makeCa, qrArgs, runDcmtk } from '@dicomtrail/testing';
import { associate } from '../../src/association/client.js';
import { readPart10 } from '../../src/dataset/part10.js';
import { AuditProxy } from '../../src/proxy/proxy-server.js';
import { parseProxyRoutes } from '../../src/proxy/routes.js';
import { loadOutboundTls } from '../../src/tls/outbound-tls.js';
import type { TlsRefusal } from '../../src/tls/tls-gate.js';
import { startArchiveServer, startStorescp, writeArchiveInstance } from '../support/archive.js';
import { dcmtkTls, makeTestPki, type TestPki, testGate, testOutbound } from '../support/dicom-tls.js';
import { EXPLICIT_LE, writeInstance } from '../support/instances.js';
import { qrSupported } from '../support/qr.js';
import { CollectingSink, type Envelope, testLog, testPolicy, waitFor } from '../support/server.js';

let pki: TestPki;
let tlsScp: { port: number; child: ChildProcess; dir: string };
let plainScp: { port: number; child: ChildProcess; dir: string };
const children: ChildProcess[] = [];

async function storescp(name: string, extra: string[]) {
  const dir = path.join(pki.dir, name);
  mkdirSync(dir);
  const s = await startStorescp('STORESCP', dir, extra);
  children.push(s.child);
  return { ...s, dir };
}

before(async () => {
  pki = makeTestPki();
  tlsScp = await storescp('tls-scp', dcmtkTls(pki, pki.pacs));
  plainScp = await storescp('plain-scp', []);
});
after(() => {
  for (const c of children) if (c.pid !== undefined) process.kill(c.pid, 'SIGTERM');
  rmSync(pki.dir, { recursive: true, force: true });
});

function tlsOf(events: Envelope[]): Record<string, unknown> & { peer_certificate?: Record<string, unknown> } {
  const open = events.find((e) => e.type === 'EVT_CONN_OPEN');
  assert.ok(open, 'EVT_CONN_OPEN');
  return open.params['tls'] as Record<string, unknown> & { peer_certificate?: Record<string, unknown> };
}

function instance(name: string): { file: string; sopClass: string; ts: string } {
  const file = path.join(pki.dir, name);
  writeInstance(file, { patientId: 'TLS-OUT', pixelBytes: 2048, transferSyntax: EXPLICIT_LE });
  const p10 = readPart10(readFileSync(file));
  return { file, sopClass: String(p10.fileMeta['00020002']?.Value?.[0]), ts: p10.transferSyntaxUid };
}

test('the SCU over TLS to storescp +tls: stored, and EVT_CONN_OPEN names the PACS certificate, verified', async () => {
  const sink = new CollectingSink();
  const inst = instance('scu.dcm');
  const client = await associate({
    host: '127.0.0.1',
    port: tlsScp.port,
    tls: testOutbound(pki),
    callingAeTitle: 'DICOMTRAIL',
    calledAeTitle: 'STORESCP',
    contexts: [{ abstractSyntax: inst.sopClass, transferSyntaxes: [inst.ts] }],
    sinks: [sink],
    log: testLog,
  });
  assert.equal(await client.storeFile(inst.file), 0);
  await client.release();
  await waitFor(() => readdirSync(tlsScp.dir).length >= 1, 5000, 'the file at storescp');
  const tls = tlsOf(sink.events);
  assert.match(String(tls['protocol']), /^TLSv1\.[23]$/);
  assert.equal(tls['peer_verified'], true);
  assert.equal(tls.peer_certificate?.['subject'], 'CN=pacs');
});

test('the SCU over TLS to a peer whose certificate our CA did not sign: no association, the reason given', async () => {
  // Our leg trusts a CA of its own, which did not sign the PACS certificate.
  const otherDir = mkdtempSync(path.join(pki.dir, 'other-'));
  const otherCa = makeCa(otherDir, 'other-ca', 'rsa');
  const refused: TlsRefusal[] = [];
  const tls = testOutbound({ ...pki, ca: otherCa });
  tls.onRefused = (r) => refused.push(r);
  try {
    await assert.rejects(
      associate({
        host: '127.0.0.1',
        port: tlsScp.port,
        tls,
        callingAeTitle: 'DICOMTRAIL',
        calledAeTitle: 'STORESCP',
        contexts: [{ abstractSyntax: '1.2.840.10008.1.1', transferSyntaxes: [EXPLICIT_LE] }],
        log: testLog,
      }),
      /the connection failed: self-signed certificate in certificate chain/,
    );
    await waitFor(() => refused.length === 1, 5000, 'the refusal');
    assert.deepEqual(
      [refused[0]!.cause, refused[0]!.leg, refused[0]!.port],
      ['handshake-failed', 'upstream', tlsScp.port],
    );
    assert.equal(
      refused[0]!.reason,
      'self-signed certificate in certificate chain (SELF_SIGNED_CERT_IN_CHAIN)',
    );
  } finally {
    rmSync(otherDir, { recursive: true, force: true });
  }
});

test('the proxy: storescu +tls in, TLS out to a storescp +tls (TLS->TLS) and plaintext to another (TLS->plain)', async () => {
  const sink = new CollectingSink();
  const routes = parseProxyRoutes(undefined, [
    `SECURE=tls://STORESCP@127.0.0.1:${tlsScp.port}`,
    `PLAIN=STORESCP@127.0.0.1:${plainScp.port}`,
  ]);
  const secureRoute = routes.byCalledAe.get('SECURE')!;
  assert.ok(secureRoute.tls);
  // The proxy trusts the hospital CA and presents its own (server) certificate upstream.
  loadOutboundTls(
    secureRoute.tls,
    {
      ca: readFileSync(pki.ca.cert, 'utf8'),
      cert: readFileSync(pki.server.cert, 'utf8'),
      key: readFileSync(pki.server.key, 'utf8'),
    },
    'PROXY_ROUTES SECURE',
  );
  const proxy = new AuditProxy({
    host: '127.0.0.1',
    port: 0,
    routes,
    storeDir: path.join(pki.dir, 'proxy-store'),
    sinks: [sink],
    log: testLog,
    policy: { ...testPolicy(), supported: qrSupported() },
    artimTimeoutMs: 5000,
    connectTimeoutMs: 5000,
    tlsGate: testGate(pki).gate,
  });
  await proxy.listen();
  try {
    for (const [called, scp] of [
      ['SECURE', tlsScp],
      ['PLAIN', plainScp],
    ] as const) {
      const before = readdirSync(scp.dir).length;
      const inst = instance(`proxied-${called}.dcm`);
      const r = await runDcmtk(
        'storescu',
        [...dcmtkTls(pki), '-aet', 'CT01', '-aec', called, '127.0.0.1', String(proxy.port), inst.file],
        { timeoutMs: 20_000 },
      );
      assert.equal(r.code, 0, r.stderr);
      await waitFor(() => readdirSync(scp.dir).length > before, 5000, `the file at the ${called} storescp`);
    }
    await waitFor(() => sink.associationIds().length >= 4, 5000, 'four associations');
    const downs = sink
      .associationIds()
      .map((id) => sink.of(id))
      .filter((ev) => ev[0]!.association.role === 'acceptor');
    assert.equal(downs.length, 2);
    for (const down of downs) {
      const t = tlsOf(down);
      assert.equal(t.peer_certificate?.['subject'], 'CN=modality-01');
      assert.equal(t['peer_verified'], true);
    }
    const ups = sink
      .associationIds()
      .map((id) => sink.of(id))
      .filter((ev) => ev[0]!.association.role === 'requestor');
    assert.equal(ups.length, 2);
    const upTls = ups.map(
      (ev) =>
        ev.find((e) => e.type === 'EVT_CONN_OPEN')?.params['tls'] as Record<string, unknown> | undefined,
    );
    const secure = upTls.filter((t) => t !== undefined);
    assert.equal(secure.length, 1, 'one upstream leg over TLS, the other plaintext');
    assert.equal((secure[0]!['peer_certificate'] as Record<string, unknown>)['subject'], 'CN=pacs');
  } finally {
    await proxy.close(2000);
  }
});

test('storescu and findscu over TLS to the archive; the C-MOVE to a tls:// destination speaks TLS to storescp +tls', async () => {
  const sink = new CollectingSink();
  const movedDir = tlsScp.dir;
  const s = await startArchiveServer({
    sinks: [sink],
    // dcmtk 3.6.7's movescu has no TLS options: it calls the plaintext port beside the TLS one.
    tlsGate: testGate(pki, { plainPort: 0 }).gate,
    destinations: new Map([
      ['STORESCP', { host: '127.0.0.1', port: tlsScp.port, tls: testOutbound(pki, pki.server) }],
    ]),
  });
  try {
    const study = '1.2.826.0.1.3680043.10.1386.99.1';
    const sop = '1.2.826.0.1.3680043.10.1386.99.3';
    const f = path.join(pki.dir, 'move.dcm');
    writeArchiveInstance(f, {
      patientId: 'TLS-MOVE',
      patientName: 'Move^Tls',
      studyUid: study,
      studyDate: '20260101',
      studyTime: '120000',
      accession: 'A1',
      seriesUid: '1.2.826.0.1.3680043.10.1386.99.2',
      modality: 'OT',
      sopInstanceUid: sop,
    });
    const st = await runDcmtk('storescu', [
      ...dcmtkTls(pki),
      '-aet',
      'SENDER',
      '-aec',
      'DICOMTRAIL',
      '127.0.0.1',
      String(s.port),
      f,
    ]);
    assert.equal(st.code, 0, st.stderr);
    await waitFor(() => s.archive.index.index.size === 1, 5000, 'the instance indexed');
    const find = await runDcmtk(
      'findscu',
      qrArgs({
        aet: 'FINDER',
        aec: 'DICOMTRAIL',
        port: s.port,
        keys: ['QueryRetrieveLevel=STUDY', `StudyInstanceUID=${study}`, 'PatientID'],
        extra: dcmtkTls(pki),
      }),
    );
    assert.equal(find.code, 0, find.stderr);
    assert.match(find.stdout + find.stderr, /TLS-MOVE/);
    const before = readdirSync(movedDir).length;
    const r = await runDcmtk(
      'movescu',
      qrArgs({
        aet: 'MOVER',
        aec: 'DICOMTRAIL',
        port: s.server.plainPort!,
        keys: ['QueryRetrieveLevel=STUDY', `StudyInstanceUID=${study}`],
        extra: ['-aem', 'STORESCP'],
      }),
    );
    assert.equal(r.code, 0, r.stderr);
    await waitFor(() => readdirSync(movedDir).length > before, 5000, 'the moved file at storescp');
    await waitFor(
      () =>
        sink
          .associationIds()
          .some((id) =>
            sink
              .of(id)
              .some(
                (e) =>
                  e.type === 'EVT_CONN_OPEN' &&
                  e.params['tls'] !== undefined &&
                  e.association.role === 'requestor',
              ),
          ),
      5000,
      'the sub-association',
    );
    const sub = sink
      .associationIds()
      .map((id) => sink.of(id))
      .find((ev) =>
        ev.some(
          (e) =>
            e.type === 'EVT_CONN_OPEN' && e.params['tls'] !== undefined && e.association.role === 'requestor',
        ),
      )!;
    assert.equal(sub[0]!.association.called_ae_title, 'STORESCP');
    assert.ok(sub[0]!.parent, 'a sub-association of the C-MOVE');
    assert.equal(tlsOf(sub).peer_certificate?.['subject'], 'CN=pacs');
  } finally {
    await s.close();
  }
});

test('dicomtrail echo and store --tls: to storescp +tls with our client certificate; refused without the CA', async () => {
  const cli = fileURLToPath(new URL('../../../../cli/dist/src/dicomtrail.js', import.meta.url));
  const tlsArgs = [
    '--tls',
    '--tls-ca',
    pki.ca.cert,
    '--tls-cert',
    pki.modality.cert,
    '--tls-key',
    pki.modality.key,
  ];
  const run = (args: string[]) =>
    new Promise<{ code: number | null; out: string }>((resolve) => {
      execFile(process.execPath, [cli, ...args], { timeout: 20_000 }, (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
      );
    });
  const echo = await run(['echo', ...tlsArgs, '--aec', 'STORESCP', '127.0.0.1', String(tlsScp.port)]);
  assert.equal(echo.code, 0, echo.out);
  assert.match(echo.out, /C-ECHO 127\.0\.0\.1:\d+ over TLS: status 0x0000/);
  const inst = instance('cli.dcm');
  const before = readdirSync(tlsScp.dir).length;
  const store = await run([
    'store',
    ...tlsArgs,
    '--aec',
    'STORESCP',
    '127.0.0.1',
    String(tlsScp.port),
    inst.file,
  ]);
  assert.equal(store.code, 0, store.out);
  assert.match(store.out, /C-STORE .*cli\.dcm over TLS: status 0x0000/);
  await waitFor(() => readdirSync(tlsScp.dir).length > before, 5000, 'the file at storescp');
  const plain = await run(['echo', '--aec', 'STORESCP', '127.0.0.1', String(tlsScp.port)]);
  assert.equal(plain.code, 1, plain.out);
  const noCa = await run(['echo', '--tls', '127.0.0.1', String(tlsScp.port)]);
  assert.equal(noCa.code, 2, noCa.out);
  assert.match(noCa.out, /--tls needs --tls-ca/);
});
