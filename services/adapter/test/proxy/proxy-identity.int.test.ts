/**
 * In proxy mode the PACS decides on the user identity: storescu with --user/--password through the proxy to an
 * upstream (our SCP with a password-checking verifier). The modality's association records EVT_USER_ID with the
 * upstream's answer (accepted or refused; never `verified`, this node did not check it), EVT_SOP_EXTENDED and
 * EVT_SOP_COMMON, as an SCP's would; the secret appears in no event.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { runDcmtk } from '@dicomtrail/testing';
import type { UserIdentityVerifier } from '../../src/acse/user-identity.js';
import { AuditProxy } from '../../src/proxy/proxy-server.js';
import { parseProxyRoutes } from '../../src/proxy/routes.js';
import { writeInstance } from '../support/instances.js';
import {
  assertValidAndGapFree,
  CollectingSink,
  type Envelope,
  startTestServer,
  type TestServer,
  testLog,
  testPolicy,
  waitFor,
} from '../support/server.js';

const PASSWORD = 'pacs-knows-this-one';
const pacsChecks: UserIdentityVerifier = (identity) => {
  const ok = identity.secondaryField.toString('utf8') === PASSWORD;
  return { verified: ok, accepted: ok, ...(ok ? {} : { reason: 'wrong passcode' }) };
};

let dir: string;
let pacs: TestServer;
let proxy: AuditProxy;
const sink = new CollectingSink();
let proxyPort: number;

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'dt-proxy-id-'));
  pacs = await startTestServer({ policy: { ...testPolicy(), userIdentity: pacsChecks } });
  proxy = new AuditProxy({
    host: '127.0.0.1',
    port: 0,
    routes: parseProxyRoutes(`DICOMTRAIL@127.0.0.1:${pacs.port}`, []),
    storeDir: path.join(dir, 'proxy'),
    sinks: [sink],
    log: testLog,
    policy: testPolicy(),
    artimTimeoutMs: 5000,
    connectTimeoutMs: 2000,
  });
  proxyPort = (await proxy.listen()).port;
});
after(async () => {
  await proxy?.close(2000);
  await pacs?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function storeThroughProxy(password: string): Promise<{ code: number | null; down: Envelope[] }> {
  const known = new Set(sink.associationIds());
  const file = path.join(dir, `${password}.dcm`);
  writeInstance(file, {});
  const r = await runDcmtk('storescu', [
    '-aec',
    'DICOMTRAIL',
    '--user',
    'alice',
    '--password',
    password,
    '127.0.0.1',
    String(proxyPort),
    file,
  ]);
  const downId = () =>
    sink.associationIds().find((id) => !known.has(id) && sink.of(id)[0]?.association.role === 'acceptor');
  await waitFor(
    () => {
      const id = downId();
      return (
        id !== undefined &&
        sink.of(id).some((e) => e.type === 'EVT_FSM_TRANSITION' && e.params['next_state'] === 'Sta1')
      );
    },
    15_000,
    'the modality association to end',
  );
  return { code: r.code, down: sink.of(downId() as string) };
}

test('the upstream accepts the identity: EVT_USER_ID upstream-accepted, with the other negotiation events', async () => {
  const { code, down } = await storeThroughProxy(PASSWORD);
  assert.equal(code, 0);
  const userId = down.find((e) => e.type === 'EVT_USER_ID') as Envelope;
  assert.equal(userId.params['verification'], 'upstream-accepted');
  assert.equal(userId.params['verified'], false);
  assert.equal((userId.params['user_identity'] as Record<string, unknown>)['primary_field'], 'alice');
  const types: string[] = down.map((e) => e.type);
  for (const t of ['EVT_SOP_EXTENDED', 'EVT_SOP_COMMON']) assert.ok(types.includes(t), t);
  assert.ok(types.indexOf('EVT_USER_ID') < types.indexOf('EVT_ACCEPTED'), 'recorded before the accept');
  assert.ok(types.includes('EVT_C_STORE'));
  assert.ok(!JSON.stringify(down).includes(PASSWORD));
  assertValidAndGapFree(down);
});

test('the upstream refuses the identity: EVT_USER_ID upstream-refused, and its reject reaches the modality', async () => {
  const { code, down } = await storeThroughProxy('WRONG-PASSWORD');
  assert.notEqual(code, 0);
  const userId = down.find((e) => e.type === 'EVT_USER_ID') as Envelope;
  assert.equal(userId.params['verification'], 'upstream-refused');
  assert.ok(down.some((e) => e.type === 'EVT_REJECTED'));
  assert.ok(!down.some((e) => e.type === 'EVT_C_STORE'));
  assertValidAndGapFree(down);
});
