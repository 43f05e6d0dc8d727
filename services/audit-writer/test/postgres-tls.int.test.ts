/**
 * DATABASE_URL with sslmode=verify-full against a private PostgreSQL with ssl=on that accepts TLS only
 * (secure-postgres.ts): the migrations CLI by client certificate, `dicomtrail audit verify` by password; the
 * session is TLS (pg_stat_ssl). Refused, each with a message naming the cause and never the password: a CA that
 * did not sign the server's certificate, a host name the certificate does not hold, a client key readable by others.
 */
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type CertFiles, makeCa, makeCert, runNode, SecurePostgres } from '@dicomtrail/testing';
import pg from 'pg';

const here = path.dirname(fileURLToPath(import.meta.url));
const AUDIT_CLI = path.resolve(here, '../src/cli.js');
const MIGRATE_CLI = path.resolve(here, '../../../../migrations/dist/src/cli.js');
const PASSWORD = `pg-secret-${Math.random().toString(36).slice(2, 10)}`;

let dir: string;
let ca: CertFiles;
let otherCa: CertFiles;
let client: CertFiles;
let server: SecurePostgres;

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'dt-pg-tls-'));
  ca = makeCa(dir, 'pg-ca');
  otherCa = makeCa(dir, 'other-ca');
  client = makeCert(dir, ca, 'pg-client', { cn: 'dtclient' });
  server = await SecurePostgres.start(dir, ca, {
    password: PASSWORD,
    certUser: 'dtclient',
    databases: ['dt_tls'],
  });
});
after(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const verifyFull = (rootcert: string) => ({ sslmode: 'verify-full', sslrootcert: rootcert });
const byPassword = (params: Record<string, string>, host?: string) =>
  server.url({ user: 'postgres', password: PASSWORD, db: 'dt_tls', params, ...(host ? { host } : {}) });
const byCertificate = (key = client.key) =>
  server.url({
    user: 'dtclient',
    db: 'dt_tls',
    params: { ...verifyFull(ca.cert), sslcert: client.cert, sslkey: key },
  });

function assertNoPassword(out: string): void {
  assert.ok(!out.includes(PASSWORD), `the database password appears in the output:\n${out}`);
}

test('verify-full with the right CA: migrations by client certificate, the audit CLI by password, over TLS', async () => {
  const migrate = await runNode(MIGRATE_CLI, [], { DATABASE_URL: byCertificate() });
  assert.equal(migrate.code, 0, migrate.out);
  assert.match(migrate.out, /migrations up to date/);
  const verify = await runNode(AUDIT_CLI, ['verify'], { DATABASE_URL: byPassword(verifyFull(ca.cert)) });
  assert.equal(verify.code, 0, verify.out);
  assert.match(verify.out, /^OK: 0 chains, 0 rows verified/m);
  assertNoPassword(migrate.out + verify.out);

  const c = new pg.Client({ connectionString: byPassword(verifyFull(ca.cert)) });
  await c.connect();
  try {
    const { rows } = await c.query<{ ssl: boolean; version: string }>(
      'SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()',
    );
    assert.equal(rows[0]?.ssl, true);
    assert.match(rows[0]?.version ?? '', /^TLSv1\.[23]$/);
  } finally {
    await c.end();
  }
  // The server takes TLS only: without it the same credentials are refused.
  const plain = new pg.Client({ connectionString: byPassword({ sslmode: 'disable' }) });
  await assert.rejects(plain.connect(), /no pg_hba\.conf entry .* no encryption/);
});

test('verify-full with a CA that did not sign the server certificate: refused, naming sslrootcert', async () => {
  const r = await runNode(AUDIT_CLI, ['verify'], { DATABASE_URL: byPassword(verifyFull(otherCa.cert)) });
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, /Postgres: TLS certificate not trusted .*DATABASE_URL sslrootcert/);
  assertNoPassword(r.out);
  const m = await runNode(MIGRATE_CLI, [], {
    DATABASE_URL: byCertificate().replace(encodeURIComponent(ca.cert), encodeURIComponent(otherCa.cert)),
  });
  assert.equal(m.code, 1, m.out);
  assert.match(m.out, /TLS certificate not trusted/);
});

test('verify-full by a host name the certificate does not hold (localhost; it names 127.0.0.1): refused', async () => {
  const r = await runNode(AUDIT_CLI, ['verify'], {
    DATABASE_URL: byPassword(verifyFull(ca.cert), 'localhost'),
  });
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, /Postgres: TLS certificate names another host .*localhost/);
  assertNoPassword(r.out);
});

test('a client key readable by others is refused at start-up, naming the file', async () => {
  const loose = path.join(dir, 'pg-client-loose.key');
  copyFileSync(client.key, loose);
  chmodSync(loose, 0o644);
  for (const cli of [AUDIT_CLI, MIGRATE_CLI]) {
    const r = await runNode(cli, cli === AUDIT_CLI ? ['verify'] : [], { DATABASE_URL: byCertificate(loose) });
    assert.equal(r.code, 2, r.out);
    assert.ok(r.out.includes(`DATABASE_URL sslkey: ${loose} has mode 0644`), r.out);
    assert.ok(!r.out.includes('PRIVATE KEY'), 'key bytes in the output');
  }
});
