/**
 * DICOM TLS on our SCP's listener with dcmtk's own TLS (BCP 195 non-downgrading profile): the happy paths
 * (echoscu, storescu) carry the TLS facts on EVT_CONN_OPEN; each refused case is closed or rejected and leaves
 * its event: a plaintext A-ASSOCIATE-RQ on the TLS port, TLS 1.1, no client certificate, a client certificate of
 * a foreign CA, an expired one (EVT_TLS_REFUSED), and a certificate calling as an AE title it is not bound to
 * (A-ASSOCIATE-RJ, EVT_REJECTED with the reason).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { runDcmtk } from '@dicomtrail/testing';
import type { TlsRefusal } from '../../src/tls/tls-gate.js';
import { dcmtkTls, makeTestPki, TEST_BINDINGS, type TestPki, testGate } from '../support/dicom-tls.js';
import { writeInstance } from '../support/instances.js';
import { assertValidAndGapFree, startTestServer, type TestServer, waitFor } from '../support/server.js';

let pki: TestPki;
let s: TestServer;
let refused: TlsRefusal[];
before(async () => {
  pki = makeTestPki();
  const g = testGate(pki, { bindings: TEST_BINDINGS, plainPort: 0 });
  refused = g.refused;
  s = await startTestServer({ tlsGate: g.gate });
});
after(async () => {
  await s.close();
  rmSync(pki.dir, { recursive: true, force: true });
});

const echo = (args: string[], port = s.port) =>
  runDcmtk('echoscu', [...args, '-aec', 'DICOMTRAIL', '127.0.0.1', String(port)], { timeoutMs: 20_000 });

function eventsWithCalling(ae: string) {
  return s.sink.events.filter((e) => e.association.calling_ae_title === ae);
}

async function nextRefusal(count: number): Promise<TlsRefusal> {
  await waitFor(() => refused.length >= count, 10_000, 'a TLS refusal');
  return refused[count - 1]!;
}

test('echoscu and storescu over TLS with a bound certificate: served, and EVT_CONN_OPEN records the TLS facts', async () => {
  const r = await echo([...dcmtkTls(pki), '-aet', 'CT01']);
  assert.equal(r.code, 0, r.stderr);
  const file = path.join(pki.dir, 'one.dcm');
  writeInstance(file, { patientId: 'TLS-1', pixelBytes: 4096 });
  const st = await runDcmtk(
    'storescu',
    [...dcmtkTls(pki), '-aet', 'CT02', '-aec', 'DICOMTRAIL', '127.0.0.1', String(s.port), file],
    { timeoutMs: 20_000 },
  );
  assert.equal(st.code, 0, st.stderr);
  await waitFor(() => eventsWithCalling('CT02').some((e) => e.type === 'EVT_RELEASED'), 10_000, 'the store');
  assert.ok(eventsWithCalling('CT02').some((e) => e.type === 'EVT_C_STORE'));
  for (const ae of ['CT01', 'CT02']) {
    const open = s.sink.events.find(
      (e) =>
        e.type === 'EVT_CONN_OPEN' &&
        s.sink.of(e.association.id).some((x) => x.association.calling_ae_title === ae),
    );
    assert.ok(open, `EVT_CONN_OPEN of ${ae}`);
    const tls = open.params['tls'] as Record<string, unknown> & { peer_certificate: Record<string, unknown> };
    assert.match(String(tls['protocol']), /^TLSv1\.[23]$/);
    assert.match(
      String(tls['cipher']),
      /^TLS_(AES|CHACHA20|ECDHE_(ECDSA|RSA)_WITH_(AES_\d+_GCM|CHACHA20_POLY1305))/,
    );
    assert.equal(tls['peer_verified'], true);
    assert.equal(tls.peer_certificate['subject'], 'CN=modality-01');
    assert.equal(tls.peer_certificate['issuer'], 'CN=hospital-ca');
    assert.match(String(tls.peer_certificate['sha256']), /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    assert.match(String(tls.peer_certificate['serial']), /^[0-9A-F]+$/);
  }
  assertValidAndGapFree(s.sink.events);
  assert.equal(refused.length, 0);
});

test('a plaintext A-ASSOCIATE-RQ on the TLS port: closed, EVT_TLS_REFUSED plaintext-on-tls-port', async () => {
  const before = refused.length;
  const r = await echo(['-aet', 'CT01']);
  assert.notEqual(r.code, 0);
  const e = await nextRefusal(before + 1);
  assert.equal(e.cause, 'plaintext-on-tls-port');
  assert.match(e.reason, /A-ASSOCIATE-RQ/);
  assert.equal(e.remote.address, '127.0.0.1');
  assert.equal(e.leg, 'listener');
  assert.equal(e.port, s.port);
});

test("TLS 1.1: the handshake fails, EVT_TLS_REFUSED handshake-failed with OpenSSL's reason", async () => {
  const before = refused.length;
  const code = await new Promise<number | null>((resolve) => {
    const c = spawn(
      'openssl',
      [
        's_client',
        '-connect',
        `127.0.0.1:${s.port}`,
        '-tls1_1',
        '-cipher',
        'DEFAULT:@SECLEVEL=0',
        '-cert',
        pki.modality.cert,
        '-key',
        pki.modality.key,
      ],
      { stdio: ['pipe', 'ignore', 'ignore'] },
    );
    c.stdin.end();
    c.on('close', resolve);
  });
  assert.notEqual(code, 0);
  const e = await nextRefusal(before + 1);
  assert.equal(e.cause, 'handshake-failed');
  assert.match(e.reason, /unsupported protocol|version/i);
});

test('no client certificate where one is required: EVT_TLS_REFUSED handshake-failed', async () => {
  const before = refused.length;
  const r = await echo(['+tla', '+cf', pki.ca.cert, '-aet', 'CT01']);
  assert.notEqual(r.code, 0);
  const e = await nextRefusal(before + 1);
  assert.equal(e.cause, 'handshake-failed');
  assert.match(e.reason, /certificate/i);
});

test('a client certificate of a foreign CA: EVT_TLS_REFUSED handshake-failed, naming the certificate', async () => {
  const before = refused.length;
  const r = await echo([...dcmtkTls(pki, pki.foreign), '-aet', 'CT01']);
  assert.notEqual(r.code, 0);
  const e = await nextRefusal(before + 1);
  assert.equal(e.cause, 'handshake-failed');
  assert.match(e.reason, /issuer|verify/i);
  assert.equal(e.peer_certificate?.subject, 'CN=modality-01');
  assert.equal(e.peer_certificate?.issuer, 'CN=rogue-ca');
  assert.match(e.peer_certificate?.sha256 ?? '', /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
});

test('an expired client certificate: EVT_TLS_REFUSED handshake-failed, certificate has expired', async () => {
  const before = refused.length;
  const r = await echo([...dcmtkTls(pki, pki.expired), '-aet', 'CT01']);
  assert.notEqual(r.code, 0);
  const e = await nextRefusal(before + 1);
  assert.equal(e.cause, 'handshake-failed');
  assert.match(e.reason, /expired/);
});

test('a certificate calling as an AE title it is not bound to: A-ASSOCIATE-RJ reason 3, EVT_REJECTED says why', async () => {
  const r = await echo([...dcmtkTls(pki), '-aet', 'MR01']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr + r.stdout, /Calling AE Title Not Recognized/i);
  await waitFor(() => eventsWithCalling('MR01').some((e) => e.type === 'EVT_REJECTED'), 10_000, 'the reject');
  const rj = eventsWithCalling('MR01').find((e) => e.type === 'EVT_REJECTED')!;
  const cause = rj.params['cause'] as Record<string, unknown>;
  assert.equal(cause['result'], 1);
  assert.equal(cause['reason'], 3);
  assert.match(String(cause['detail']), /CN=modality-01 may not call as AE "MR01"/);
});

test('the plaintext port beside it: an unbound AE title is served, a bound one is refused without its certificate', async () => {
  const plain = s.server.plainPort!;
  assert.ok(plain > 0);
  const ok = await echo(['-aet', 'WS01'], plain);
  assert.equal(ok.code, 0, ok.stderr);
  const open = eventsWithCalling('WS01').length > 0;
  assert.ok(open);
  const no = await echo(['-aet', 'CT01'], plain);
  assert.notEqual(no.code, 0);
  await waitFor(
    () =>
      s.sink.events.some(
        (e) =>
          e.type === 'EVT_REJECTED' &&
          /presented none/.test(String((e.params['cause'] as Record<string, unknown>)['detail'])),
      ),
    10_000,
    'the reject',
  );
});

test('DICOM_TLS_CLIENT_AUTH=optional: a client without a certificate is served (not verified), a bad one still refused', async () => {
  const g = testGate(pki, { clientAuth: 'optional' });
  const opt = await startTestServer({ tlsGate: g.gate });
  try {
    const run = (args: string[]) =>
      runDcmtk('echoscu', [...args, '-aec', 'DICOMTRAIL', '127.0.0.1', String(opt.port)], {
        timeoutMs: 20_000,
      });
    const anonymous = await run(['+tla', '+cf', pki.ca.cert, '-aet', 'WS02']);
    assert.equal(anonymous.code, 0, anonymous.stderr);
    await waitFor(() => opt.sink.events.some((e) => e.type === 'EVT_CONN_OPEN'), 5000, 'the association');
    const tls = opt.sink.events.find((e) => e.type === 'EVT_CONN_OPEN')!.params['tls'] as Record<
      string,
      unknown
    >;
    assert.equal(tls['peer_verified'], false);
    assert.equal(tls['peer_certificate'], undefined);
    const expired = await run([...dcmtkTls(pki, pki.expired), '-aet', 'WS02']);
    assert.notEqual(expired.code, 0);
    await waitFor(() => g.refused.length === 1, 5000, 'the refusal');
    assert.match(g.refused[0]!.reason, /expired/);
  } finally {
    await opt.close();
  }
});
