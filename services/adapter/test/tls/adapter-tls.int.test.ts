/**
 * `dicomtrail adapter` with DICOM TLS configured from its environment, publishing to the real broker: what the
 * trail receives (EVT_CONN_OPEN's TLS facts of a served association, the node-scoped EVT_TLS_REFUSED of a
 * plaintext client on the TLS port, the EVT_REJECTED of an AE-title binding mismatch), and start-up refusing a
 * TLS key readable beyond its owner and malformed bindings, naming the variable.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { kafkaBrokers, makeCert, readTopic, runDcmtk, uniqueTopic } from '@dicomtrail/testing';
import { killAdapters, startAdapter } from '../support/adapter-process.js';
import { dcmtkTls, makeTestPki, TEST_BINDINGS, type TestPki } from '../support/dicom-tls.js';

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli.js');
let pki: TestPki;
before(() => {
  pki = makeTestPki();
});
after(() => {
  killAdapters();
  rmSync(pki.dir, { recursive: true, force: true });
});

function tlsEnv(): Record<string, string> {
  return {
    DICOM_TLS_CERT: pki.server.cert,
    DICOM_TLS_KEY: pki.server.key,
    DICOM_TLS_CA: pki.ca.cert,
    DICOM_TLS_AE_BINDINGS: TEST_BINDINGS,
  };
}

test('the trail carries the TLS facts, the refused plaintext connection and the binding mismatch', async () => {
  const topic = uniqueTopic('dicomtls');
  const storeDir = path.join(pki.dir, 'store');
  mkdirSync(storeDir);
  const adapter = await startAdapter(
    {
      ...tlsEnv(),
      KAFKA_BROKERS: (await kafkaBrokers()).join(','),
      EVENTS_TOPIC: topic,
      EVENTS_TOPIC_PARTITIONS: '1',
      SPOOL_DIR: path.join(pki.dir, 'spool'),
      NODE_ID: `dicom-tls-${process.pid}`,
    },
    storeDir,
  );
  assert.match(adapter.out(), /"client_auth":"require"/);
  const echo = (args: string[]) =>
    runDcmtk('echoscu', [...args, '-aec', 'DICOMTRAIL', '127.0.0.1', String(adapter.port)], {
      timeoutMs: 20_000,
    });
  assert.equal((await echo([...dcmtkTls(pki), '-aet', 'CT01'])).code, 0);
  assert.notEqual((await echo(['-aet', 'CT01'])).code, 0);
  assert.notEqual((await echo([...dcmtkTls(pki), '-aet', 'MR01'])).code, 0);
  await adapter.stop();

  const records = await readTopic(topic, {
    until: (r) => r.some((x) => x.headers['type'] === 'EVT_NODE_STOPPED'),
    timeoutMs: 60_000,
  });
  const events = records.map((r) => JSON.parse(r.value?.toString('utf8') ?? '{}') as Record<string, unknown>);
  const opens = events.filter((e) => e['type'] === 'EVT_CONN_OPEN');
  const secure = opens.filter(
    (e) =>
      (e['params'] as { tls?: { peer_certificate?: { subject: string } } }).tls?.peer_certificate?.subject ===
      'CN=modality-01',
  );
  assert.equal(secure.length, 2, 'both TLS associations record the modality certificate');
  const refused = events.filter((e) => e['type'] === 'EVT_TLS_REFUSED');
  assert.equal(refused.length, 1);
  const r = refused[0]!['params'] as Record<string, unknown>;
  assert.equal(r['cause'], 'plaintext-on-tls-port');
  assert.equal((r['remote'] as { address: string }).address, '127.0.0.1');
  assert.equal(r['port'], adapter.port);
  const rejected = events.find((e) => e['type'] === 'EVT_REJECTED');
  assert.ok(rejected);
  assert.match(
    String((rejected['params'] as { cause: { detail: string } }).cause.detail),
    /CN=modality-01 may not call as AE "MR01"/,
  );
  // Node events are numbered in one sequence: started, refused, stopped.
  const nodeTypes = events.filter((e) => (e['association'] as unknown) === undefined).map((e) => e['type']);
  assert.deepEqual(nodeTypes, ['EVT_NODE_STARTED', 'EVT_TLS_REFUSED', 'EVT_NODE_STOPPED']);
});

test('start-up refuses a DICOM TLS key readable beyond its owner, and malformed AE bindings, naming them', () => {
  const wide = path.join(pki.dir, 'wide.key');
  copyFileSync(pki.server.key, wide);
  chmodSync(wide, 0o644);
  const run = (env: Record<string, string>) =>
    spawnSync(
      process.execPath,
      [CLI, 'adapter', '--port', '0', '--store-dir', path.join(pki.dir, 'store-x')],
      {
        env: { ...process.env, LOG_LEVEL: 'info', ...env },
        encoding: 'utf8',
        timeout: 30_000,
      },
    );
  const key = run({ ...tlsEnv(), DICOM_TLS_KEY: wide });
  assert.equal(key.status, 2, key.stdout + key.stderr);
  assert.match(key.stdout + key.stderr, /DICOM_TLS_KEY: .*wide\.key has mode 0644/);
  assert.doesNotMatch(key.stdout + key.stderr, /PRIVATE KEY/);
  const bindings = run({ ...tlsEnv(), DICOM_TLS_AE_BINDINGS: 'modality-01=CT01' });
  assert.equal(bindings.status, 2);
  assert.match(
    bindings.stdout + bindings.stderr,
    /DICOM_TLS_AE_BINDINGS \\"modality-01=CT01\\": expected CN=NAME/,
  );
  const half = run({ DICOM_TLS_CERT: pki.server.cert });
  assert.equal(half.status, 2);
  assert.match(half.stdout + half.stderr, /DICOM_TLS_CERT and DICOM_TLS_KEY go together/);
});

test('an encrypted DICOM TLS key, its passphrase in a 0600 file: served, and neither appears in anything written', async () => {
  const passphrase = `dicom-tls-${randomBytes(12).toString('hex')}`;
  const key = makeCert(pki.dir, pki.ca, 'sealed', {
    cn: 'dicomtrail',
    ips: ['127.0.0.1'],
    passphrase,
    keyType: 'rsa',
  });
  const passFile = path.join(pki.dir, 'sealed.pass');
  writeFileSync(passFile, `${passphrase}\n`, { mode: 0o600 });
  const storeDir = path.join(pki.dir, 'store-sealed');
  mkdirSync(storeDir);
  const eventsOut = path.join(pki.dir, 'sealed-events.jsonl');
  const adapter = await startAdapter(
    {
      ...tlsEnv(),
      DICOM_TLS_CERT: key.cert,
      DICOM_TLS_KEY: key.key,
      DICOM_TLS_KEY_PASSPHRASE_FILE: passFile,
      EVENTS_OUT: eventsOut,
      LOG_LEVEL: 'debug',
    },
    storeDir,
  );
  const echo = (args: string[]) =>
    runDcmtk('echoscu', [...args, '-aec', 'DICOMTRAIL', '127.0.0.1', String(adapter.port)], {
      timeoutMs: 20_000,
    });
  assert.equal((await echo([...dcmtkTls(pki), '-aet', 'CT01'])).code, 0);
  assert.notEqual((await echo([...dcmtkTls(pki, pki.expired), '-aet', 'CT01'])).code, 0);
  await adapter.stop();
  const written = `${adapter.out()}\n${readFileSync(eventsOut, 'utf8')}`;
  assert.match(written, /"peer_verified":true/);
  const keyBody = readFileSync(key.key, 'utf8').split('\n')[1]!;
  for (const secret of [passphrase, keyBody, 'PRIVATE KEY'])
    assert.ok(!written.includes(secret), `a secret (${secret.slice(0, 8)}…) in the output or the events`);
  chmodSync(passFile, 0o640);
  const wide = spawnSync(process.execPath, [CLI, 'adapter', '--port', '0', '--store-dir', storeDir], {
    env: {
      ...process.env,
      LOG_LEVEL: 'info',
      ...tlsEnv(),
      DICOM_TLS_CERT: key.cert,
      DICOM_TLS_KEY: key.key,
      DICOM_TLS_KEY_PASSPHRASE_FILE: passFile,
    },
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(wide.status, 2);
  assert.match(wide.stdout + wide.stderr, /DICOM_TLS_KEY_PASSPHRASE_FILE: .*sealed\.pass has mode 0640/);
  assert.ok(!(wide.stdout + wide.stderr).includes(passphrase));
});
