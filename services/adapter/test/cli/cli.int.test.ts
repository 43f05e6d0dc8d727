/**
 * The CLI as a user runs it: `dicomtrail adapter --port --ae-title --store-dir --events-out`; dcmtk traffic;
 * every JSONL line is a schema-valid envelope, seq gap-free per association; SIGTERM shuts down cleanly.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort, runDcmtk } from '@dicomtrail/testing';
import { writeInstance } from '../support/instances.js';
import { assertValidAndGapFree, type Envelope, waitFor } from '../support/server.js';

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli.js');
let dir: string;
let port: number;
let proc: ChildProcess;
let stdout = '';

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'dt-cli-'));
  port = await freePort();
  proc = spawn(
    process.execPath,
    [
      CLI,
      'adapter',
      '--port',
      String(port),
      '--ae-title',
      'CLI_SCP',
      '--store-dir',
      path.join(dir, 'store'),
      '--events-out',
      path.join(dir, 'events.jsonl'),
    ],
    {
      // KAFKA_BROKERS cleared: this test covers the JSONL output and must not publish to the real topic.
      env: { ...process.env, LOG_LEVEL: 'info', KAFKA_BROKERS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  await waitFor(() => stdout.includes('adapter ready'), 10_000, 'adapter ready');
});
after(() => {
  if (proc.exitCode === null) proc.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

function readEvents(): Envelope[] {
  return readFileSync(path.join(dir, 'events.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Envelope);
}

test('events of echoscu and storescu runs arrive as schema-valid JSON lines, seq gap-free', async () => {
  const e = await runDcmtk('echoscu', ['-aec', 'CLI_SCP', '127.0.0.1', String(port)]);
  assert.equal(e.code, 0, e.stderr);
  const f = path.join(dir, 'a.dcm');
  writeInstance(f, { patientId: 'CLI-PATIENT' });
  const st = await runDcmtk('storescu', ['-aec', 'CLI_SCP', '127.0.0.1', String(port), f]);
  assert.equal(st.code, 0, st.stderr);
  const wrong = await runDcmtk('echoscu', ['-aec', 'WRONG_AE', '127.0.0.1', String(port)]);
  assert.notEqual(wrong.code, 0);
  // The file stream is flushed asynchronously.
  await waitFor(
    () =>
      readEvents().filter((x) => x.type === 'EVT_FSM_TRANSITION' && x.params['next_state'] === 'Sta1')
        .length >= 3,
    5000,
    'three associations in the file',
  );
  const all = readEvents();
  // The node's own lifecycle first (node-scoped, no association), then the associations.
  assert.equal(all[0]?.type, 'EVT_NODE_STARTED');
  assert.equal((all[0]!.params as { listen: { port: number } }).listen.port, port);
  const events = all.filter((x) => 'association' in x);
  assertValidAndGapFree(events);
  assert.equal(new Set(events.map((x) => x.association.id)).size, 3);
  assert.ok(events.some((x) => x.type === 'EVT_C_ECHO'));
  const store = events.find((x) => x.type === 'EVT_C_STORE')!;
  assert.equal(
    (store.params['dataset'] as Record<string, { Value: string[] }>)['00100020']!.Value[0],
    'CLI-PATIENT',
  );
  assert.ok(events.some((x) => x.type === 'EVT_REJECTED'));
  const stored = readdirSync(path.join(dir, 'store'), { recursive: true }).filter((n) =>
    String(n).endsWith('.dcm'),
  );
  assert.equal(stored.length, 1);
  // The same instance id on every event of one association; the node and trace ids are filled.
  for (const x of events) {
    assert.equal((x['node'] as { mode: string }).mode, 'scp');
    assert.match((x['trace'] as { trace_id: string }).trace_id, /^[0-9a-f]{32}$/);
  }
});

test('SIGTERM: the listener closes and the process exits 0', async () => {
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  proc.kill('SIGTERM');
  assert.equal(await exited, 0);
  assert.match(stdout, /"msg":"stopped"/);
  // The graceful stop is recorded, after every association event, with the start's run id.
  const all = readEvents();
  const [started, stopped] = [all[0], all[all.length - 1]] as Envelope[];
  assert.equal(stopped?.type, 'EVT_NODE_STOPPED');
  assert.equal((stopped!.params as { reason: string }).reason, 'SIGTERM');
  assert.equal(
    (stopped!.params as { run_id: string }).run_id,
    (started!.params as { run_id: string }).run_id,
  );
  assert.equal(stopped?.seq, 1);
  const r = await runDcmtk('echoscu', ['-to', '2', '-aec', 'CLI_SCP', '127.0.0.1', String(port)]);
  assert.notEqual(r.code, 0, 'nothing listens any more');
});
