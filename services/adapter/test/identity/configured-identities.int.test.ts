/**
 * User identities checked by the adapter as a user runs it (`dicomtrail users add`, DICOM_USERS_FILE,
 * DICOM_JWT_KEYS_FILE, DICOM_REQUIRE_USER_IDENTITY), with DCMTK's storescu (echoscu has no identity options)
 * presenting each type: username (1), username and password (2), Kerberos (3), JWT (5); each accepted or refused,
 * and recorded with the reason in EVT_USER_ID, never the secret.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { generateKeyPairSync, sign } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort, runDcmtk } from '@dicomtrail/testing';
import { writeInstance } from '../support/instances.js';
import { assertValidAndGapFree, type Envelope, waitFor } from '../support/server.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const CLI = path.resolve(here, '../../src/cli.js');
const DICOMTRAIL = path.resolve(here, '../../../../cli/bin/dicomtrail');
const PASSWORD = 'alice-has-a-long-password';
const jwtKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const otherKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });

let dir: string;
let port: number;
let proc: ChildProcess;
let stdout = '';
let stderr = '';

function jwt(claims: Record<string, unknown>, key = jwtKey.privateKey): string {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const input = `${b64({ alg: 'ES256', typ: 'JWT' })}.${b64(claims)}`;
  return `${input}.${sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

function startAdapter(env: Record<string, string>): Promise<ChildProcess> {
  stdout = '';
  stderr = '';
  const p = spawn(
    process.execPath,
    [
      CLI,
      'adapter',
      '--port',
      String(port),
      '--store-dir',
      path.join(dir, 'store'),
      '--events-out',
      path.join(dir, 'events.jsonl'),
    ],
    {
      env: { ...process.env, LOG_LEVEL: 'info', LOG_FORMAT: 'json', KAFKA_BROKERS: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  p.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  p.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      if (stdout.includes('adapter ready')) {
        clearInterval(timer);
        resolve(p);
      } else if (p.exitCode !== null) {
        clearInterval(timer);
        reject(new Error(`adapter exited ${p.exitCode}: ${stdout}${stderr}`));
      }
    }, 50);
  });
}

function events(): Envelope[] {
  return readFileSync(path.join(dir, 'events.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Envelope)
    .filter((e) => e.association !== undefined); // the node's lifecycle events belong to no association
}

/** The EVT_USER_ID and outcome of the newest association after running `tool`. */
async function attempt(tool: string, args: string[]) {
  const before = new Set(events().map((e) => e.association.id));
  const file = path.join(dir, `i-${Date.now()}.dcm`);
  writeInstance(file, {});
  const r = await runDcmtk(tool, [
    ...args,
    '-aec',
    'DICOMTRAIL',
    '127.0.0.1',
    String(port),
    ...(tool === 'storescu' ? [file] : []),
  ]);
  let assoc: Envelope[] = [];
  await waitFor(
    () => {
      const fresh = events().filter((e) => !before.has(e.association.id));
      assoc = fresh;
      return fresh.some((e) => e.type === 'EVT_FSM_TRANSITION' && e.params['next_state'] === 'Sta1');
    },
    10_000,
    'the association ended',
  );
  const userId = assoc.find((e) => e.type === 'EVT_USER_ID');
  return {
    r,
    assoc,
    userId: userId?.params,
    outcome: assoc.find((e) => ['EVT_REJECTED', 'EVT_RELEASED'].includes(e.type as string))?.type,
  };
}

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'dt-ids-'));
  port = await freePort();
  const users = path.join(dir, 'users');
  // The password goes in on standard input, as a person would type it.
  const add = spawnSync(DICOMTRAIL, ['users', 'add', 'alice', '--file', users], {
    input: `${PASSWORD}\n`,
    encoding: 'utf8',
  });
  assert.equal(add.status, 0, add.stderr);
  assert.match(add.stdout, /added user alice/);
  assert.equal(statSync(users).mode & 0o777, 0o600);
  assert.ok(!readFileSync(users, 'utf8').includes(PASSWORD));
  writeFileSync(
    path.join(dir, 'jwks.json'),
    JSON.stringify({ keys: [jwtKey.publicKey.export({ format: 'jwk' })] }),
  );
  proc = await startAdapter({
    DICOM_USERS_FILE: users,
    DICOM_JWT_KEYS_FILE: path.join(dir, 'jwks.json'),
    DICOM_JWT_ISSUER: 'https://idp.hospital.test',
    DICOM_JWT_AUDIENCE: 'dicomtrail',
    DICOM_REQUIRE_USER_IDENTITY: 'true',
  });
});
after(() => {
  if (proc && proc.exitCode === null) proc.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

test('type 2: the right password is verified and stored; a wrong one and an unknown user are refused with A-ASSOCIATE-RJ', async () => {
  const good = await attempt('storescu', ['--user', 'alice', '--password', PASSWORD]);
  assert.equal(good.r.code, 0, good.r.stderr);
  assert.equal(good.outcome, 'EVT_RELEASED');
  assert.equal(good.userId?.['verification'], 'verified');
  assert.equal(good.userId?.['verified'], true);
  assert.ok(good.assoc.some((e) => e.type === 'EVT_C_STORE'));

  for (const [user, password, reason] of [
    ['alice', 'not-alices-password', 'wrong passcode'],
    ['mallory', PASSWORD, 'unknown user'],
  ] as const) {
    const bad = await attempt('storescu', ['--user', user, '--password', password]);
    assert.notEqual(bad.r.code, 0);
    assert.match(bad.r.stdout + bad.r.stderr, /Association Rejected/i);
    assert.equal(bad.outcome, 'EVT_REJECTED');
    assert.equal(bad.userId?.['verification'], 'refused');
    assert.equal(bad.userId?.['reason'], reason);
    assert.equal((bad.userId!['user_identity'] as Record<string, unknown>)['primary_field'], user);
    const rejected = bad.assoc.find((e) => e.type === 'EVT_REJECTED') as Envelope;
    assert.match(JSON.stringify(rejected.params), new RegExp(`user identity refused: ${reason}`));
    assert.ok(!bad.assoc.some((e) => e.type === 'EVT_C_STORE'));
  }
  assert.ok(
    !readFileSync(path.join(dir, 'events.jsonl'), 'utf8').includes(PASSWORD),
    'no password in any event',
  );
  assert.ok(!(stdout + stderr).includes(PASSWORD), 'no password in the logs');
});

test('type 1 (username only): a known user is verified, an unknown one refused', async () => {
  const good = await attempt('storescu', ['--user', 'alice']);
  assert.equal(good.r.code, 0, good.r.stderr);
  assert.equal(good.userId?.['verification'], 'verified');
  const bad = await attempt('storescu', ['--user', 'eve']);
  assert.notEqual(bad.r.code, 0);
  assert.equal(bad.userId?.['reason'], 'unknown user');
});

test('type 5 (JWT): a valid token is verified and answered with a server response; expired, foreign or mis-addressed tokens refused', async () => {
  const now = Math.floor(Date.now() / 1000);
  const claims = { sub: 'dr.who', iss: 'https://idp.hospital.test', aud: 'dicomtrail', exp: now + 600 };
  const write = (name: string, t: string) => {
    const f = path.join(dir, name);
    writeFileSync(f, t);
    return f;
  };
  const good = await attempt('storescu', ['--jwt', write('good.jwt', jwt(claims)), '--pos-response', '-d']);
  assert.equal(good.r.code, 0, good.r.stderr);
  assert.equal(good.userId?.['verification'], 'verified');
  assert.ok((good.userId!['response'] as { length: number }).length > 0, 'a server response was sent');
  assert.match(good.r.stdout + good.r.stderr, /User Identity Negotiation Response/i);
  for (const [name, token, reason] of [
    ['expired.jwt', jwt({ ...claims, exp: now - 3600 }), /expired/],
    ['foreign.jwt', jwt(claims, otherKey.privateKey), /signature does not verify/],
    ['audience.jwt', jwt({ ...claims, aud: 'another-service' }), /audience/],
  ] as const) {
    const bad = await attempt('storescu', ['--jwt', write(name, token)]);
    assert.notEqual(bad.r.code, 0, name);
    assert.equal(bad.userId?.['verification'], 'refused', name);
    assert.match(String(bad.userId?.['reason']), reason, name);
    assert.ok(
      !JSON.stringify(bad.assoc).includes(token.split('.')[2] as string),
      'the token is not recorded',
    );
  }
});

test('type 3 (Kerberos) is refused: no verifier for it; no identity at all is refused when one is required', async () => {
  const ticket = path.join(dir, 'ticket.bin');
  writeFileSync(ticket, Buffer.from('not-a-real-kerberos-ticket'));
  const kerberos = await attempt('storescu', ['--kerberos', ticket]);
  assert.notEqual(kerberos.r.code, 0);
  assert.match(String(kerberos.userId?.['reason']), /Kerberos identities are not verified/);
  const none = await attempt('storescu', []);
  assert.notEqual(none.r.code, 0);
  assert.equal(none.userId, undefined);
  const rejected = none.assoc.find((e) => e.type === 'EVT_REJECTED') as Envelope;
  assert.match(JSON.stringify(rejected.params), /no user identity, and this node requires one/);
  assertValidAndGapFree(events());
});

test('a users file that others can read is refused at start-up, naming the file', async () => {
  const loose = path.join(dir, 'loose-users');
  writeFileSync(loose, readFileSync(path.join(dir, 'users')));
  chmodSync(loose, 0o644);
  const p = spawnSync(process.execPath, [CLI, 'adapter', '--port', '0'], {
    env: { ...process.env, LOG_FORMAT: 'json', KAFKA_BROKERS: '', DICOM_USERS_FILE: loose },
    encoding: 'utf8',
    timeout: 20_000,
  });
  assert.equal(p.status, 2, p.stdout + p.stderr);
  assert.ok((p.stdout + p.stderr).includes(`DICOM_USERS_FILE: ${loose} has mode 0644`), p.stdout + p.stderr);
});
