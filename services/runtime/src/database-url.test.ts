import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { databaseUrlProblems, describeDatabaseError, redactDatabaseUrl } from './database-url.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'dt-database-url-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const ca = path.join(dir, 'ca.pem');
writeFileSync(ca, 'CA');
const key = path.join(dir, 'client.key');
writeFileSync(key, 'KEY');
chmodSync(key, 0o600);
const cert = path.join(dir, 'client.pem');
writeFileSync(cert, 'CERT');
const url = (q: string) => `postgres://writer:hunter2@db.example:5432/dicomtrail?${q}`;

test('given verify-full with readable CA, certificate and a 0600 key, then no problems', () => {
  assert.deepEqual(
    databaseUrlProblems(url(`sslmode=verify-full&sslrootcert=${ca}&sslcert=${cert}&sslkey=${key}`)),
    [],
  );
  assert.deepEqual(databaseUrlProblems('postgres://postgres@127.0.0.1:5432/x'), []);
});

test('given bad TLS parameters, then every problem is listed, naming the parameter and never the password', () => {
  const loose = path.join(dir, 'loose.key');
  writeFileSync(loose, 'KEY');
  chmodSync(loose, 0o644);
  const problems = databaseUrlProblems(
    url(`sslmode=verify-everything&sslrootcert=${path.join(dir, 'missing.pem')}&sslkey=${loose}`),
  );
  assert.equal(problems.length, 4, problems.join('\n'));
  assert.match(problems[0] ?? '', /sslmode=verify-everything must be one of/);
  assert.match(problems[1] ?? '', /sslcert and sslkey go together/);
  assert.match(problems[2] ?? '', /DATABASE_URL sslrootcert: cannot read .*missing\.pem/);
  assert.match(problems[3] ?? '', /DATABASE_URL sslkey: .*loose\.key has mode 0644/);
  assert.ok(problems.every((p) => !p.includes('hunter2')));
  assert.deepEqual(databaseUrlProblems('not a url:hunter2@'), [
    'DATABASE_URL is not a URL (postgres://user@host:port/database?sslmode=verify-full&...)',
  ]);
});

test('redactDatabaseUrl hides the password; describeDatabaseError names the TLS cause', () => {
  assert.equal(
    redactDatabaseUrl(url('sslmode=require')),
    'postgres://writer:***@db.example:5432/dicomtrail?sslmode=require',
  );
  const untrusted = Object.assign(new Error('self-signed certificate in certificate chain'), {
    code: 'SELF_SIGNED_CERT_IN_CHAIN',
  });
  assert.match(
    describeDatabaseError(untrusted),
    /^Postgres: TLS certificate not trusted .*DATABASE_URL sslrootcert/,
  );
  const host = Object.assign(new Error("Hostname/IP does not match certificate's altnames: Host: x"), {
    code: 'ERR_TLS_CERT_ALTNAME_INVALID',
  });
  assert.match(describeDatabaseError(new Error('wrapped', { cause: host })), /names another host/);
  assert.equal(
    describeDatabaseError(new Error('password authentication failed for user "writer"')),
    'password authentication failed for user "writer"',
  );
});
