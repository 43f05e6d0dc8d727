/**
 * Every back-end link secured, as an operator deploys it, with the real processes (`dicomtrail adapter`,
 * `audit-writer`, `trace-exporter`, the migrations CLI): Kafka over SASL_SSL (SCRAM-SHA-512, password in a 0600
 * file) on a private broker this test starts (secure-kafka.ts), Postgres with sslmode=verify-full on a private
 * server with ssl=on (secure-postgres.ts), OTLP over https with our CA and a client certificate to a receiver here.
 *
 * The adapter first runs with a wrong SASL password, then with a CA that did not sign the broker's certificate:
 * each time it says why Kafka refused it, keeps serving DICOM and spools the events; run again correctly, it
 * replays the spool, and every association of every run reaches the audit trail and the trace backend. The
 * consumers, misconfigured, stop at start-up naming the cause. Finally everything the processes wrote (their
 * output, the spool and store files, the events in the trail, the OTLP requests) is searched for every secret.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  type CertFiles,
  freePort,
  type HttpsReceiver,
  makeCa,
  makeCert,
  type NodeProcess,
  runNode,
  SecureKafka,
  SecurePostgres,
  startHttpsReceiver,
  startNode,
} from '@dicomtrail/testing';
import pg from 'pg';

const here = path.dirname(fileURLToPath(import.meta.url));
const DICOMTRAIL = path.resolve(here, '../src/dicomtrail.js');
const MIGRATE = path.resolve(here, '../../../../migrations/dist/src/cli.js');
const SASL_PASSWORD = `sasl-${randomBytes(12).toString('hex')}`;
const WRONG_PASSWORD = `wrong-${randomBytes(12).toString('hex')}`;
const PG_PASSWORD = `pg-${randomBytes(12).toString('hex')}`;
const TOPIC = 'dicomtrail.events.secure';

let dir: string;
let ca: CertFiles;
let otherCa: CertFiles;
let otlpClient: CertFiles;
let pgClient: CertFiles;
let kafka: SecureKafka;
let postgres: SecurePostgres;
let receiver: HttpsReceiver;
const outputs: { name: string; text: () => string }[] = [];
const running: NodeProcess[] = [];

function secretFile(name: string, content: string, mode = 0o600): string {
  const file = path.join(dir, name);
  writeFileSync(file, `${content}\n`, { mode });
  chmodSync(file, mode);
  return file;
}

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'dt-secure-links-'));
  ca = makeCa(dir, 'site-ca');
  otherCa = makeCa(dir, 'other-ca');
  otlpClient = makeCert(dir, ca, 'otlp-client', { cn: 'dicomtrail-trace-exporter' });
  pgClient = makeCert(dir, ca, 'pg-client', { cn: 'dtmigrate' });
  [kafka, postgres, receiver] = await Promise.all([
    SecureKafka.start(dir, ca, [{ name: 'dicomtrail', password: SASL_PASSWORD }]),
    SecurePostgres.start(dir, ca, { password: PG_PASSWORD, certUser: 'dtmigrate', databases: ['dt_secure'] }),
    startHttpsReceiver(dir, ca, { requireClientCert: true }),
  ]);
});
after(async () => {
  for (const p of running) await p.stop(5000);
  await receiver?.close();
  await Promise.all([kafka?.stop(), postgres?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const kafkaEnv = (passwordFile: string, caFile = ca.cert) => ({
  KAFKA_BROKERS: kafka.saslBroker,
  KAFKA_SSL_CA: caFile,
  KAFKA_SASL_MECHANISM: 'scram-sha-512',
  KAFKA_SASL_USERNAME: 'dicomtrail',
  KAFKA_SASL_PASSWORD_FILE: passwordFile,
  EVENTS_TOPIC: TOPIC,
  EVENTS_TOPIC_PARTITIONS: '1',
});
const databaseUrl = () =>
  postgres.url({
    user: 'postgres',
    password: PG_PASSWORD,
    db: 'dt_secure',
    params: { sslmode: 'verify-full', sslrootcert: ca.cert },
  });
/** The audit writer logs in as its own role (migration 0009), here by password over verify-full. */
const writerDatabaseUrl = () =>
  postgres.url({
    user: 'dicomtrail_audit_writer',
    password: PG_PASSWORD,
    db: 'dt_secure',
    params: { sslmode: 'verify-full', sslrootcert: ca.cert },
  });
const writerEnv = () => ({ DATABASE_URL: databaseUrl(), AUDIT_WRITER_DATABASE_URL: writerDatabaseUrl() });
const traceEnv = () => ({
  OTEL_TRACES_EXPORTER: 'otlp',
  OTEL_EXPORTER_OTLP_ENDPOINT: receiver.origin,
  OTEL_EXPORTER_OTLP_CERTIFICATE: ca.cert,
  OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE: otlpClient.cert,
  OTEL_EXPORTER_OTLP_CLIENT_KEY: otlpClient.key,
  TRACE_COMMIT_INTERVAL_MS: '200',
});

function track(name: string, p: NodeProcess): NodeProcess {
  running.push(p);
  outputs.push({ name, text: () => p.out() });
  return p;
}

function echo(port: number, callingAe: string): void {
  const r = spawnSync('echoscu', ['-aet', callingAe, '-aec', 'DICOMTRAIL', '127.0.0.1', String(port)], {
    encoding: 'utf8',
    env: { ...process.env, TCP_NODELAY: '1' },
    timeout: 20_000,
  });
  assert.equal(r.status, 0, `echoscu ${callingAe}: ${r.stderr}`);
}

function storeSample(port: number, callingAe: string): void {
  const study = path.join(dir, 'study');
  const sample = spawnSync(process.execPath, [DICOMTRAIL, 'sample', '--out', study, '--count', '2'], {
    encoding: 'utf8',
  });
  assert.equal(sample.status, 0, sample.stderr);
  const r = spawnSync(
    'storescu',
    [
      '-aet',
      callingAe,
      '-aec',
      'DICOMTRAIL',
      '127.0.0.1',
      String(port),
      ...readdirSync(study).map((f) => path.join(study, f)),
    ],
    { encoding: 'utf8', env: { ...process.env, TCP_NODELAY: '1' }, timeout: 20_000 },
  );
  assert.equal(r.status, 0, `storescu: ${r.stderr}`);
}

async function adapter(name: string, env: Record<string, string>): Promise<{ p: NodeProcess; port: number }> {
  const port = await freePort();
  const p = track(
    name,
    startNode(DICOMTRAIL, ['adapter', '--port', String(port), '--store-dir', path.join(dir, 'store')], {
      LOG_LEVEL: 'info',
      SPOOL_DIR: path.join(dir, 'spool'),
      ...env,
    }),
  );
  await p.waitFor('adapter ready');
  return { p, port };
}

async function query<T extends pg.QueryResultRow>(sql: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: databaseUrl() });
  await c.connect();
  try {
    return (await c.query<T>(sql)).rows;
  } finally {
    await c.end();
  }
}

async function until(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs = 60_000,
): Promise<void> {
  const t0 = Date.now();
  while (!(await check())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

test('migrations over verify-full with a client certificate', async () => {
  const url = postgres.url({
    user: 'dtmigrate',
    db: 'dt_secure',
    params: { sslmode: 'verify-full', sslrootcert: ca.cert, sslcert: pgClient.cert, sslkey: pgClient.key },
  });
  const r = await runNode(MIGRATE, [], { DATABASE_URL: url });
  outputs.push({ name: 'migrate', text: () => r.out });
  assert.equal(r.code, 0, r.out);
  // The writer's login (created by the migrations) gets a password: this server takes none without one.
  await query(`ALTER ROLE dicomtrail_audit_writer PASSWORD '${PG_PASSWORD}'`);
});

test('refused Kafka links: the adapter names the cause, serves DICOM and spools; fixed, nothing is lost', async () => {
  const wrong = secretFile('wrong-password', WRONG_PASSWORD);
  const right = secretFile('sasl-password', SASL_PASSWORD);

  const a1 = await adapter('adapter wrong password', kafkaEnv(wrong));
  echo(a1.port, 'WRONGPW');
  storeSample(a1.port, 'WRONGPW');
  await a1.p.waitFor(
    /Kafka: the broker refused our SASL credentials .*check KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD.*kafka publisher degraded: events (go to the spool|stay in the event log)/,
  );
  await a1.p.stop();

  const a2 = await adapter('adapter untrusted CA', kafkaEnv(right, otherCa.cert));
  echo(a2.port, 'OTHERCA');
  await a2.p.waitFor(
    /Kafka: TLS certificate not trusted .*is its CA in KAFKA_SSL_CA\?.*kafka publisher degraded/,
  );
  await a2.p.stop();
  const spooled = readdirSync(path.join(dir, 'spool')).filter(
    (f) => statSync(path.join(dir, 'spool', f)).size > 0,
  );
  assert.ok(spooled.length > 0, 'nothing was spooled while Kafka refused the adapter');

  // The same spool, the right password and CA (and the other client library): the spool is replayed.
  const a3 = await adapter('adapter fixed', { ...kafkaEnv(right), KAFKA_CLIENT: 'kafkajs' });
  await a3.p.waitFor('kafka publisher connected');
  echo(a3.port, 'FIXED');

  track('audit-writer', startNode(DICOMTRAIL, ['audit-writer'], { ...kafkaEnv(right), ...writerEnv() }));
  track('trace-exporter', startNode(DICOMTRAIL, ['trace-exporter'], { ...kafkaEnv(right), ...traceEnv() }));

  let associations: { calling_ae_title: string; association_id: string }[] = [];
  await until('four associations in the trail', async () => {
    associations = await query('SELECT calling_ae_title, association_id::text FROM audit.associations');
    return associations.length >= 4;
  });
  assert.deepEqual(associations.map((a) => a.calling_ae_title).sort(), [
    'FIXED',
    'OTHERCA',
    'WRONGPW',
    'WRONGPW',
  ]);
  const stored = await query<{ n: string }>(
    "SELECT count(*)::text AS n FROM audit.events WHERE type = 'EVT_C_STORE'",
  );
  assert.equal(stored[0]?.n, '2');

  // Every association is in a span the trace backend received over https with our client certificate.
  await until('every association in an OTLP request', () =>
    associations.every((a) => receiver.requests.some((r) => r.body.includes(a.association_id))),
  );
  for (const r of receiver.requests) {
    assert.equal(r.path, '/v1/traces');
    assert.equal(r.contentType, 'application/x-protobuf');
    assert.equal(r.clientCn, 'dicomtrail-trace-exporter');
  }
  await a3.p.stop();
});

test('refused at start-up: the consumers name the cause and stop', async () => {
  const wrong = path.join(dir, 'wrong-password');
  const right = path.join(dir, 'sasl-password');
  const cases: [string, string[], Record<string, string>, number, RegExp][] = [
    [
      'audit-writer, wrong SASL password',
      ['audit-writer'],
      { ...kafkaEnv(wrong), ...writerEnv() },
      1,
      /Kafka: the broker refused our SASL credentials/,
    ],
    [
      'trace-exporter, untrusted CA',
      ['trace-exporter'],
      { ...kafkaEnv(right, otherCa.cert), ...traceEnv() },
      1,
      /Kafka: TLS certificate not trusted .*KAFKA_SSL_CA/,
    ],
    [
      'audit-writer, password file readable by others',
      ['audit-writer'],
      { ...kafkaEnv(secretFile('loose-password', SASL_PASSWORD, 0o644)), ...writerEnv() },
      2,
      /KAFKA_SASL_PASSWORD_FILE: \S+loose-password has mode 0644/,
    ],
    [
      'trace-exporter, OTLP client key readable by others',
      ['trace-exporter'],
      {
        ...kafkaEnv(right),
        ...traceEnv(),
        OTEL_EXPORTER_OTLP_CLIENT_KEY: secretFile(
          'loose.key',
          readFileSync(otlpClient.key, 'utf8').trim(),
          0o640,
        ),
      },
      2,
      /OTEL_EXPORTER_OTLP_CLIENT_KEY: \S+loose\.key has mode 0640/,
    ],
  ];
  for (const [name, args, env, code, expected] of cases) {
    const r = await runNode(DICOMTRAIL, args, env, 60_000);
    outputs.push({ name, text: () => r.out });
    assert.equal(r.code, code, `${name}: ${r.out}`);
    assert.match(r.out, expected, name);
  }
});

function filesUnder(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.join(d.parentPath, d.name));
}

test('no secret in any log line, error, spool or store file, event, or OTLP request', async () => {
  const keyBodies = [otlpClient.key, pgClient.key].map((k) => readFileSync(k, 'utf8').split('\n')[1] ?? '');
  const secrets = [SASL_PASSWORD, WRONG_PASSWORD, PG_PASSWORD, ...keyBodies];
  const places: { name: string; bytes: Buffer }[] = [
    ...outputs.map((o) => ({ name: `output of ${o.name}`, bytes: Buffer.from(o.text()) })),
    ...[path.join(dir, 'spool'), path.join(dir, 'store')].flatMap((d) =>
      filesUnder(d).map((f) => ({ name: f, bytes: readFileSync(f) })),
    ),
    ...receiver.requests.map((r, i) => ({ name: `OTLP request ${i}`, bytes: r.body })),
  ];
  const events = await query<{ content: string }>(
    'SELECT row_to_json(e)::text AS content FROM audit.events e',
  );
  assert.ok(events.length > 10);
  places.push({ name: 'audit.events', bytes: Buffer.from(events.map((e) => e.content).join('\n')) });
  assert.ok(places.some((p) => p.name.startsWith('output of adapter')));
  for (const p of places) {
    assert.ok(!p.bytes.includes('PRIVATE KEY'), `private key material in ${p.name}`);
    for (const s of secrets) assert.ok(!p.bytes.includes(s), `a secret (${s.slice(0, 6)}…) in ${p.name}`);
  }
  mkdirSync(path.join(dir, 'checked'), { recursive: true });
});
