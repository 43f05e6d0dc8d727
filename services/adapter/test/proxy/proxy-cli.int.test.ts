/**
 * Proxy mode as a user runs it: `dicomtrail adapter` with PROXY_UPSTREAM in front of a second `dicomtrail
 * adapter` (the SCP, standing in for the PACS); storescu calls the proxy. The instances land at the SCP, and
 * the proxy's JSONL events say `node.mode` = proxy, with the upstream association pointing at the
 * downstream one. A bad route is refused at start-up with a clear message.
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
const procs: ChildProcess[] = [];

function adapter(args: string[], env: Record<string, string>): { proc: ChildProcess; out: () => string } {
  let out = '';
  const proc = spawn(process.execPath, [CLI, 'adapter', ...args], {
    // KAFKA_BROKERS cleared: JSONL only, nothing published to the real topic.
    env: { ...process.env, LOG_LEVEL: 'info', KAFKA_BROKERS: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  procs.push(proc);
  return { proc, out: () => out };
}

before(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'dt-proxy-cli-'));
});
after(() => {
  for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

test('storescu → dicomtrail proxy → dicomtrail SCP: stored upstream, events in proxy mode, paired', async () => {
  const scpPort = await freePort();
  const proxyPort = await freePort();
  const scp = adapter(
    ['--port', String(scpPort), '--ae-title', 'PACS', '--store-dir', path.join(dir, 'pacs')],
    {},
  );
  await waitFor(() => scp.out().includes('adapter ready'), 10_000, 'SCP ready');
  const proxy = adapter(
    [
      '--port',
      String(proxyPort),
      '--store-dir',
      path.join(dir, 'proxy'),
      '--events-out',
      path.join(dir, 'proxy.jsonl'),
    ],
    { PROXY_UPSTREAM: `127.0.0.1:${scpPort}` },
  );
  await waitFor(() => proxy.out().includes('adapter ready'), 10_000, 'proxy ready');
  assert.match(proxy.out(), /"mode":"proxy"/);
  const files = [1, 2, 3].map((i) => {
    const f = path.join(dir, `in${i}.dcm`);
    writeInstance(f, { sopInstanceUid: `1.2.826.0.1.3680043.10.1386.81.${i}` });
    return f;
  });
  const r = await runDcmtk('storescu', [
    '-aet',
    'MODALITY',
    '-aec',
    'PACS',
    '127.0.0.1',
    String(proxyPort),
    ...files,
  ]);
  assert.equal(r.code, 0, r.stderr);
  const stored = () =>
    readdirSync(path.join(dir, 'pacs'), { recursive: true }).filter((f) => String(f).endsWith('.dcm')).length;
  await waitFor(() => stored() === 3, 5000, 'three instances at the SCP');

  proxy.proc.kill('SIGTERM');
  await new Promise((resolve) => proxy.proc.once('exit', resolve));
  const lines = readFileSync(path.join(dir, 'proxy.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Envelope & { node: { mode: string }; parent?: { association_id: string } });
  // The node's start (node-scoped), then the two legs' events.
  assert.equal(lines[0]?.type, 'EVT_NODE_STARTED');
  const events = lines.filter((e) => 'association' in e);
  assert.ok(events.length > 0);
  assert.ok(events.every((e) => e.node.mode === 'proxy'));
  const ids = [...new Set(events.map((e) => e.association.id))];
  assert.equal(ids.length, 2, 'the downstream and the upstream association');
  const up = events.filter((e) => e.parent);
  const down = events.filter((e) => !e.parent);
  assert.ok(up.length > 0 && up.every((e) => e.parent!.association_id === down[0]!.association.id));
  const storesDown = down.filter(
    (e) =>
      e.type === 'EVT_DIMSE_RECV' &&
      (e.params['message'] as { message_type: string }).message_type === 'C-STORE-RQ',
  );
  assert.equal(storesDown.length, 3);
  assertValidAndGapFree(events);
});

test('a malformed PROXY_ROUTES entry stops the adapter at start-up, naming it', async () => {
  const a = adapter(['--port', String(await freePort())], { PROXY_ROUTES: 'PACS=nowhere' });
  const code = await new Promise<number | null>((resolve) => a.proc.once('exit', resolve));
  assert.equal(code, 2);
  const fatal = JSON.parse(a.out().trim().split('\n').at(-1)!) as { problems: string[] };
  assert.deepEqual(fatal.problems, ['proxy route "PACS=nowhere": expected host:port']);
});
