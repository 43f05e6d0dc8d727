/**
 * The write-ahead log's disk fails (AUDIT_DURABILITY=sync, AUDIT_POLICY=fail-closed): the log lives on a
 * 1 MiB tmpfs (mounted by the test; it runs as root in CI) and Kafka is unreachable, so the log only grows
 * until the file system returns ENOSPC. storescu keeps sending: no C-STORE is acknowledged whose events are
 * not in the log (each one storescu saw succeed is read back from the log), the others get a failure status
 * (A700) or an abort, and once the disk is full a new association is refused (A-ASSOCIATE-RJ) with a log
 * line that says why. Where mounting is not allowed (not root), the log's own size limit (SPOOL_MAX_BYTES)
 * stands in for the full disk: the same refusal path, without the kernel's ENOSPC.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, cpSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { freePort } from '@dicomtrail/testing';
import { Spool } from '../../src/sinks/spool.js';
import { killAdapters, startAdapter } from '../support/adapter-process.js';
import { instanceFolder, storescuRun } from '../support/kill-run.js';
import { waitFor } from '../support/server.js';

let dir: string;
let mnt: string;
let mounted = false;

before(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'dt-diskfull-'));
  mnt = path.join(dir, 'wal-fs');
  mkdirSync(mnt);
  try {
    // DICOMTRAIL_TEST_NO_MOUNT=1 takes the stand-in path on purpose (to check it where mounting works).
    if (process.env['DICOMTRAIL_TEST_NO_MOUNT']) throw new Error('DICOMTRAIL_TEST_NO_MOUNT set');
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m,mode=0700', 'tmpfs', mnt], { stdio: 'pipe' });
    mounted = true;
  } catch (err) {
    console.log(
      `tmpfs mount not allowed here (${(err as Error).message.split('\n')[0]}): SPOOL_MAX_BYTES stands in`,
    );
  }
});
after(() => {
  killAdapters();
  if (mounted) spawnSync('umount', ['-l', mnt]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Fills what is left of the file system under `where` (ENOSPC ends it). */
function fill(where: string): void {
  const fd = openSync(path.join(where, 'filler'), 'w');
  const chunk = Buffer.alloc(4096);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (err) {
    assert.equal((err as NodeJS.ErrnoException).code, 'ENOSPC');
  } finally {
    closeSync(fd);
  }
}

test('the log disk fills: no success without the events in the log, then new associations refused', async () => {
  const wal = path.join(mnt, 'wal');
  const deadKafka = await freePort(); // nothing listens there: the log is never trimmed
  const a = await startAdapter(
    {
      KAFKA_BROKERS: `127.0.0.1:${deadKafka}`,
      SPOOL_DIR: wal,
      AUDIT_POLICY: 'fail-closed',
      ...(mounted ? {} : { SPOOL_MAX_BYTES: String(1024 * 1024) }),
    },
    path.join(dir, 'store'),
  );
  const run = await storescuRun(a.port, instanceFolder(path.join(dir, 'in'), 150), async () => undefined);
  const failures = run.output.match(/Received Store Response \((?!Success)[^)]*\)/g) ?? [];
  const aborted = /Association Aborted|Peer aborted|DIMSE Failed|Store SCU Failed/i.test(run.output);
  assert.ok(
    run.acknowledged.length < 150,
    `the full disk stopped successes (${run.acknowledged.length} of 150)`,
  );
  assert.ok(
    failures.length > 0 || aborted,
    'the C-STORE that could not be recorded got a failure or an abort',
  );
  assert.match(a.out(), /could not be written to the event log|could not be made durable/);

  // A new association once the log cannot be written: refused, and the log says why.
  if (mounted) fill(mnt);
  const echo = () =>
    spawnSync('echoscu', ['-aec', 'DICOMTRAIL', '127.0.0.1', String(a.port)], {
      env: { ...process.env, TCP_NODELAY: '1' },
      encoding: 'utf8',
      timeout: 20_000,
    });
  const first = echo();
  assert.notEqual(first.status, 0, 'no C-ECHO success while the log cannot be written');
  const second = echo();
  assert.notEqual(second.status, 0, 'still none');
  assert.match(
    `${second.stdout}${second.stderr}`,
    /Association Rejected/i,
    `the second is refused outright; the adapter said:\n${a.out().slice(-3000)}`,
  );
  await waitFor(
    () => /event spool (failing|full).*refusing new associations \(fail-closed\)/.test(a.out()),
    5000,
    'the log line saying why associations are refused',
  );
  await a.kill();

  // Every C-STORE storescu saw succeed has its EVT_C_STORE (success) in the log.
  // Read from a copy: opening the log takes its lock file, and the full disk has no room for one.
  const copy = path.join(dir, 'wal-copy');
  cpSync(wal, copy, { recursive: true });
  rmSync(path.join(copy, 'lock'), { force: true });
  const spool = await Spool.open(copy);
  const logged = new Set<string>();
  for await (const r of spool.replay()) {
    const e = JSON.parse(r.payload.toString('utf8')) as { type: string; params: Record<string, unknown> };
    if (e.type === 'EVT_C_STORE' && e.params['status'] === 0)
      logged.add(String(e.params['affected_sop_instance_uid']));
  }
  await spool.close();
  const missing = run.acknowledged.filter((u) => !logged.has(u));
  assert.deepEqual(missing, [], 'every acknowledged C-STORE is in the log');
  console.log(
    `log on ${mounted ? '1 MiB tmpfs' : 'SPOOL_MAX_BYTES=1MiB'}: ${run.acknowledged.length} of 150 acknowledged, all in the log; ${failures.length} failure responses${aborted ? ', association aborted' : ''}`,
  );
});
