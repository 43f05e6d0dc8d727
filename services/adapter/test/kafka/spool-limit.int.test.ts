/**
 * The spool at its limit (sinks/audit-policy.ts): with fail-closed the next association is refused with
 * A-ASSOCIATE-RJ rejected-transient / service-provider (presentation) / local-limit-exceeded, which dcmtk
 * echoscu reports as "Local Limit Exceeded", and EVT_SPOOL_LIMIT (action rejected) says why; with fail-open
 * it is served and EVT_SPOOL_LIMIT says it was admitted.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { parseEvent } from '@dicomtrail/schemas';
import { runDcmtk } from '@dicomtrail/testing';
import { type AuditPolicy, spoolAdmission } from '../../src/sinks/audit-policy.js';
import { Spool } from '../../src/sinks/spool.js';
import { startTestServer, testLog, testPolicy, waitFor } from '../support/server.js';

let spoolDir: string;
let spool: Spool;

before(async () => {
  spoolDir = mkdtempSync(path.join(os.tmpdir(), 'dt-spool-limit-'));
  // A spool "full" from 4 KiB on: a few records take it there.
  spool = await Spool.open(spoolDir, { maxBytes: 1024 * 1024, highWaterBytes: 4096 });
  const payload = Buffer.alloc(1024, 0x61);
  await Promise.all(Array.from({ length: 5 }, () => spool.append('assoc', payload)));
  assert.equal(spool.isFull(), true);
});
after(async () => {
  await spool?.close();
  if (spoolDir) rmSync(spoolDir, { recursive: true, force: true });
});

async function echoWith(policy: AuditPolicy) {
  const { admission, stats } = spoolAdmission(spool, policy, testLog);
  const s = await startTestServer({ policy: { ...testPolicy(), admission } });
  try {
    const echo = await runDcmtk(
      'echoscu',
      ['-v', '-aet', 'MODALITY1', '-aec', 'DICOMTRAIL', '127.0.0.1', String(s.port)],
      {
        timeoutMs: 15_000,
      },
    );
    await waitFor(
      () => s.sink.events.some((e) => e.type === 'EVT_CONN_CLOSE'),
      5000,
      'the connection to close',
    );
    return { echo, events: s.sink.events, stats: stats() };
  } finally {
    await s.close();
  }
}

test('fail-closed: a full spool refuses the association (transient, local limit exceeded)', async () => {
  const { echo, events, stats } = await echoWith('fail-closed');
  assert.notEqual(echo.code, 0, 'echoscu fails');
  assert.match(echo.stdout + echo.stderr, /Local Limit Exceeded/i);
  assert.equal(stats.rejected, 1);
  const limit = events.find((e) => e.type === 'EVT_SPOOL_LIMIT');
  assert.ok(limit, 'EVT_SPOOL_LIMIT emitted');
  const parsed = parseEvent(limit);
  assert.ok(parsed.ok, JSON.stringify(parsed.ok ? [] : parsed.errors.slice(0, 3)));
  assert.equal(limit.params['policy'], 'fail-closed');
  assert.equal(limit.params['action'], 'rejected');
  assert.equal(limit.params['spool_bytes'], spool.bytes);
  assert.equal(limit.params['spool_limit_bytes'], spool.maxBytes);
  const cause = limit.params['cause'] as {
    result: number;
    source: number;
    reason: number;
    reason_name: string;
  };
  assert.deepEqual([cause.result, cause.source, cause.reason], [2, 3, 2]);
  assert.equal(cause.reason_name, 'local-limit-exceeded');
  const rejected = events.find((e) => e.type === 'EVT_REJECTED');
  assert.ok(rejected, 'EVT_REJECTED emitted');
  assert.ok(!events.some((e) => e.type === 'EVT_C_ECHO'), 'not served');
});

test('fail-open: a full spool still serves the association, and says so', async () => {
  const { echo, events, stats } = await echoWith('fail-open');
  assert.equal(echo.code, 0, echo.stderr);
  assert.equal(stats.admittedWhileFull, 1);
  const limit = events.find((e) => e.type === 'EVT_SPOOL_LIMIT');
  assert.ok(limit, 'EVT_SPOOL_LIMIT emitted');
  assert.ok(parseEvent(limit).ok);
  assert.equal(limit.params['action'], 'admitted');
  assert.equal(limit.params['policy'], 'fail-open');
  assert.ok(
    events.some((e) => e.type === 'EVT_C_ECHO'),
    'served',
  );
});
