/**
 * EVT_USER_ID says whether an identity was checked: storescu with --user/--password against a node whose verifier
 * checks the password (verified, or refused with A-ASSOCIATE-RJ), and against the default that checks nothing
 * (accepted, recorded as not checked). The secret is in no event either way.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { runDcmtk } from '@dicomtrail/testing';
import type { UserIdentityVerifier } from '../../src/acse/user-identity.js';
import { writeInstance } from '../support/instances.js';
import {
  assertValidAndGapFree,
  startTestServer,
  type TestServer,
  testPolicy,
  waitFor,
} from '../support/server.js';

const PASSWORD = 'correct-horse-battery';
const checksPassword: UserIdentityVerifier = (identity) => {
  const ok =
    identity.primaryField.toString('utf8') === 'alice' &&
    identity.secondaryField.toString('utf8') === PASSWORD;
  return { verified: ok, accepted: ok };
};

let dir: string;
let checking: TestServer;
before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'dt-identity-'));
  checking = await startTestServer({ policy: { ...testPolicy(), userIdentity: checksPassword } });
});
after(async () => {
  await checking?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function storeAs(server: TestServer, password: string) {
  const file = path.join(dir, `${password}.dcm`);
  writeInstance(file, {});
  const known = new Set(server.sink.associationIds());
  const r = await runDcmtk('storescu', [
    '-aec',
    'DICOMTRAIL',
    '--user',
    'alice',
    '--password',
    password,
    '127.0.0.1',
    String(server.port),
    file,
  ]);
  await waitFor(
    () =>
      server.sink
        .associationIds()
        .some((id) => !known.has(id) && server.sink.of(id).some((e) => e.type === 'EVT_USER_ID')),
    10_000,
    'EVT_USER_ID',
  );
  const id = server.sink.associationIds().find((x) => !known.has(x)) as string;
  await waitFor(
    () =>
      server.sink
        .of(id)
        .some((e) => ['EVT_RELEASED', 'EVT_REJECTED', 'EVT_ABORTED'].includes(e.type as string)),
    10_000,
    'the association ended',
  );
  const events = server.sink.of(id);
  const userId = events.find((e) => e.type === 'EVT_USER_ID') as { params: Record<string, unknown> };
  assert.ok(!JSON.stringify(events).includes(password), 'the password appears in no event');
  return { r, events, params: userId.params };
}

test('a verifier that checks the password: the right one is verified, a wrong one is refused (A-ASSOCIATE-RJ)', async () => {
  const good = await storeAs(checking, PASSWORD);
  assert.equal(good.r.code, 0, good.r.stderr);
  assert.equal(good.params['verified'], true);
  assert.equal(good.params['verification'], 'verified');

  const bad = await storeAs(checking, 'WRONG');
  assert.notEqual(bad.r.code, 0);
  assert.match(bad.r.stdout + bad.r.stderr, /Association Rejected/i);
  assert.equal(bad.params['verified'], false);
  assert.equal(bad.params['verification'], 'refused');
  assert.ok(bad.events.some((e) => e.type === 'EVT_REJECTED'));
  assert.ok(!bad.events.some((e) => e.type === 'EVT_C_STORE'), 'nothing stored');
});

test('no verifier configured: the identity is accepted and recorded as not checked, never as verified', async () => {
  const plain = await startTestServer();
  try {
    const r = await storeAs(plain, 'WRONG');
    assert.equal(r.r.code, 0, r.r.stderr);
    assert.equal(r.params['verified'], false);
    assert.equal(r.params['verification'], 'not-checked');
    const ui = r.params['user_identity'] as Record<string, unknown>;
    assert.equal(ui['type'], 2);
    assert.equal(ui['primary_field'], 'alice');
    assert.equal(ui['secondary_field_present'], true);
    assert.equal(ui['secondary_field_length'], 'WRONG'.length);
    assertValidAndGapFree(r.events as never);
  } finally {
    await plain.close();
  }
});
