/**
 * Our SCU (association/client.ts) against dcmtk's storescp and against our own SCP: C-ECHO, C-STORE,
 * release, release collision, a peer abort mid-operation, and ARTIM expiry.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { freePort } from '@dicomtrail/testing';
import { associate } from '../../src/association/client.js';
import { readPart10 } from '../../src/dataset/part10.js';
import { EXPLICIT_LE, IMPLICIT_LE, SC_IMAGE_STORAGE, writeInstance } from '../support/instances.js';
import {
  assertValidAndGapFree,
  CollectingSink,
  startTestServer,
  type TestServer,
  testLog,
  waitFor,
} from '../support/server.js';

const VERIFICATION = '1.2.840.10008.1.1';
let s: TestServer;
let dir: string;
before(async () => {
  s = await startTestServer({ artimTimeoutMs: 1000 });
  dir = mkdtempSync(path.join(os.tmpdir(), 'dt-scu-'));
});
after(async () => {
  await s.close();
  rmSync(dir, { recursive: true, force: true });
});

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = connect({ host: '127.0.0.1', port }, () => {
        c.destroy();
        resolve(true);
      });
      c.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listens on ${port}`);
}

test('our SCU against dcmtk storescp: C-ECHO and C-STORE of 3 instances, files arrive intact', async () => {
  const port = await freePort();
  const out = path.join(dir, 'storescp-out');
  (await import('node:fs')).mkdirSync(out);
  const scp = spawn('storescp', ['-aet', 'STORESCP', '-od', out, String(port)], {
    env: { ...process.env, TCP_NODELAY: '1' },
    stdio: 'ignore',
  });
  try {
    await waitForPort(port);
    const sink = new CollectingSink();
    const files = [0, 1, 2].map((i) => {
      const f = path.join(dir, `scu${i}.dcm`);
      return {
        f,
        ...writeInstance(f, { transferSyntax: i === 1 ? IMPLICIT_LE : EXPLICIT_LE, pixelBytes: 4096 + i }),
      };
    });
    const client = await associate({
      host: '127.0.0.1',
      port,
      callingAeTitle: 'DT_SCU',
      calledAeTitle: 'STORESCP',
      log: testLog,
      sinks: [sink],
      contexts: [
        { abstractSyntax: VERIFICATION, transferSyntaxes: [IMPLICIT_LE] },
        { abstractSyntax: SC_IMAGE_STORAGE, transferSyntaxes: [EXPLICIT_LE] },
        { abstractSyntax: SC_IMAGE_STORAGE, transferSyntaxes: [IMPLICIT_LE] },
      ],
    });
    assert.equal(await client.echo(), 0);
    for (const x of files) assert.equal(await client.storeFile(x.f), 0);
    await client.release();
    const id = client.association.id;
    assert.deepEqual(
      sink
        .of(id)
        .filter((e) => e.type === 'EVT_DIMSE_RECV')
        .map((e) => (e.params['message'] as { message_type: string }).message_type),
      ['C-ECHO-RSP', 'C-STORE-RSP', 'C-STORE-RSP', 'C-STORE-RSP'],
    );
    assert.deepEqual(sink.of(id).find((e) => e.type === 'EVT_RELEASED')!.params, {
      initiator: 'local',
      collision: false,
    });
    assertValidAndGapFree(sink.events);
    const received = readdirSync(out);
    assert.equal(received.length, 3);
    for (const x of files) {
      const name = received.find((n) => n.includes(x.sopInstanceUid));
      assert.ok(name, `storescp wrote ${x.sopInstanceUid}`);
      assert.ok(
        readPart10(readFileSync(path.join(out, name))).datasetBytes.equals(
          readPart10(readFileSync(x.f)).datasetBytes,
        ),
      );
    }
  } finally {
    scp.kill('SIGTERM');
  }
});

test('our SCU against our SCP: echo, store, release; both sides evented, schema-valid', async () => {
  const sink = new CollectingSink();
  const f = path.join(dir, 'own.dcm');
  writeInstance(f, {});
  const client = await associate({
    host: '127.0.0.1',
    port: s.port,
    callingAeTitle: 'DT_SCU',
    calledAeTitle: 'DICOMTRAIL',
    log: testLog,
    sinks: [sink],
    contexts: [
      { abstractSyntax: VERIFICATION, transferSyntaxes: [IMPLICIT_LE] },
      { abstractSyntax: SC_IMAGE_STORAGE, transferSyntaxes: [EXPLICIT_LE] },
    ],
  });
  assert.equal(await client.echo(), 0);
  assert.equal(await client.storeFile(f), 0);
  await client.release();
  const types = sink.of(client.association.id).map((e) => e.type);
  assert.equal(types[0], 'EVT_ACSE_SENT');
  assert.equal(types[1], 'EVT_REQUESTED');
  assert.ok(
    types.includes('EVT_CONN_OPEN') && types.includes('EVT_ACCEPTED') && types.includes('EVT_RELEASED'),
  );
  assert.equal(types.at(-1), 'EVT_FSM_TRANSITION');
  assertValidAndGapFree(sink.events);
  await waitFor(
    () => s.sink.events.some((e) => e.association.calling_ae_title === 'DT_SCU' && e.type === 'EVT_C_STORE'),
    5000,
    'server C-STORE',
  );
});

test('release collision: both sides release at once; both end released with collision=true (Sta9-Sta12)', async () => {
  const sink = new CollectingSink();
  const client = await associate({
    host: '127.0.0.1',
    port: s.port,
    callingAeTitle: 'COLLIDE',
    calledAeTitle: 'DICOMTRAIL',
    log: testLog,
    sinks: [sink],
    contexts: [{ abstractSyntax: VERIFICATION, transferSyntaxes: [IMPLICIT_LE] }],
  });
  await waitFor(
    () => [...s.server.associations].some((a) => a.callingAeTitle === 'COLLIDE' && a.isEstablished),
    5000,
    'server side established',
  );
  const serverSide = [...s.server.associations].find((a) => a.callingAeTitle === 'COLLIDE')!;
  await Promise.all([client.release(), serverSide.release()]);
  await client.association.closed();
  await serverSide.closed();
  const mine = sink.of(client.association.id);
  const theirs = s.sink.of(serverSide.id);
  const states = (evs: typeof mine) =>
    evs.filter((e) => e.type === 'EVT_FSM_TRANSITION').map((e) => e.params['next_state']);
  assert.ok(
    states(mine).includes('Sta9') && states(mine).includes('Sta11'),
    `requestor path ${states(mine).join(',')}`,
  );
  assert.ok(
    states(theirs).includes('Sta10') && states(theirs).includes('Sta12'),
    `acceptor path ${states(theirs).join(',')}`,
  );
  assert.equal(
    (mine.find((e) => e.type === 'EVT_RELEASED')!.params as { collision: boolean }).collision,
    true,
  );
  assert.equal(
    (theirs.find((e) => e.type === 'EVT_RELEASED')!.params as { collision: boolean }).collision,
    true,
  );
  assertValidAndGapFree([...mine, ...theirs]);
});

test('peer abort mid-operation: the SCP aborts during a C-ECHO; the SCU call fails and records a remote abort', async () => {
  const srv = await startTestServer();
  try {
    srv.server.handlers.handle('EVT_C_ECHO', (req: { association: { abort(): void } }) => {
      req.association.abort();
      return new Promise(() => undefined); // never answers
    });
    const sink = new CollectingSink();
    const client = await associate({
      host: '127.0.0.1',
      port: srv.port,
      callingAeTitle: 'DT_SCU',
      calledAeTitle: 'DICOMTRAIL',
      log: testLog,
      sinks: [sink],
      contexts: [{ abstractSyntax: VERIFICATION, transferSyntaxes: [IMPLICIT_LE] }],
    });
    await assert.rejects(
      client.echo(),
      (err: { code?: string }) => err.code === 'DT_ERR_DIMSE_ASSOCIATION_ENDED',
    );
    const aborted = sink.of(client.association.id).find((e) => e.type === 'EVT_ABORTED')!;
    const cause = aborted.params['cause'] as Record<string, unknown>;
    assert.equal(cause['initiator'], 'remote');
    assert.equal(cause['source'], 0);
    const server = srv.sink.events.find((e) => e.type === 'EVT_ABORTED')!;
    assert.equal((server.params['cause'] as Record<string, unknown>)['initiator'], 'local');
    assertValidAndGapFree(sink.events);
  } finally {
    await srv.close();
  }
});

test('ARTIM expiry: a connection that never sends an A-ASSOCIATE-RQ is closed when the timer runs out', async () => {
  const known = new Set(s.sink.associationIds());
  const sock = connect({ host: '127.0.0.1', port: s.port });
  let closedAt = 0;
  const t0 = Date.now();
  sock.on('close', () => {
    closedAt = Date.now();
  });
  sock.on('error', () => undefined);
  await waitFor(() => closedAt > 0, 5000, 'the server to close');
  assert.ok(closedAt - t0 >= 900, `closed after the 1 s ARTIM timeout (${closedAt - t0} ms)`);
  const id = s.sink.associationIds().find((x) => !known.has(x))!;
  const fsm = s.sink
    .of(id)
    .filter((e) => e.type === 'EVT_FSM_TRANSITION')
    .map((e) => `${e.params['fsm_event']}>${e.params['action']}`);
  assert.deepEqual(fsm, ['Evt5>AE-5', 'Evt18>AA-2']);
});

test('a rejected association rejects the SCU call with the cause', async () => {
  await assert.rejects(
    associate({
      host: '127.0.0.1',
      port: s.port,
      callingAeTitle: 'DT_SCU',
      calledAeTitle: 'SOMEONE_ELSE',
      log: testLog,
      contexts: [{ abstractSyntax: VERIFICATION, transferSyntaxes: [IMPLICIT_LE] }],
    }),
    (err: { code?: string; context?: Record<string, unknown> }) =>
      err.code === 'DT_ERR_ASSOCIATION_REJECTED' &&
      err.context?.['reason'] === 7 &&
      err.context?.['source'] === 1,
  );
});
