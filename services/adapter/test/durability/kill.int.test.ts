/**
 * No acknowledged operation without its audit record, even across a crash (AUDIT_DURABILITY=sync, the
 * default). The adapter CLI is SIGKILLed at random points of a storescu run, on a private broker:
 *
 * - Kafka up: the first association after a start (cold) and after a first run with the publisher connected
 *   (warm); then through the audit proxy, with DCMTK's storescp as the PACS.
 * - Kafka down (the broker stopped): cold and warm (a first run done), killed and restarted again and again
 *   while the broker is away; then the broker comes back and the last restart publishes the log.
 *
 * Each point's next start is the previous one's restart (it replays the log, records the cut-off association
 * as interrupted, takes unrecorded instances out of the store). After the last one, the whole topic is read:
 * every C-STORE storescu saw succeed has its EVT_C_STORE (success), no association has a hole in its seqs,
 * no (association, seq) has two ids, every instance in the store has its EVT_C_STORE. The table of points
 * (acknowledged vs recorded) is printed, and written to KILL_TABLE_OUT when set.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import {
  appendFileSync,
  type FSWatcher,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  watch,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { freePort } from '@dicomtrail/testing';
import { type AdapterProcess, killAdapters, startAdapter } from '../support/adapter-process.js';
import { uid, writeInstance } from '../support/instances.js';
import { checkTrail, instanceFolder, readWholeTopic, storescuRun } from '../support/kill-run.js';
import { PrivateBroker } from '../support/private-broker.js';
import { waitFor } from '../support/server.js';

const INSTANCES = 80;
let broker: PrivateBroker;
let dir: string;
let storescp: ChildProcess | undefined;

interface Point {
  scenario: string;
  killMs: number;
  acknowledged: string[];
}

before(async () => {
  broker = await PrivateBroker.create();
  await broker.start();
  dir = mkdtempSync(path.join(os.tmpdir(), 'dt-kill-'));
});
after(async () => {
  killAdapters();
  storescp?.kill('SIGKILL');
  await broker?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** How long a whole storescu run of INSTANCES takes here and now (measured by `baseline`). */
let runMs = 1000;

/** The i-th of n kill delays: one in each n-th of a run, at random within it. */
function killDelay(i: number, n: number): number {
  return Math.round((runMs * (i + Math.random())) / n);
}

/** A whole run, not killed mid-way: measures `runMs`; the adapter is killed once it ended. */
async function baseline(env: Record<string, string>, store: string, scenario: string): Promise<Point> {
  const a = await startAdapter(env, store);
  const t0 = performance.now();
  const acknowledged = (await storescuRun(a.port, folder(), async () => undefined)).acknowledged;
  runMs = performance.now() - t0;
  await a.kill();
  return {
    scenario: `${scenario}, whole run (${Math.round(runMs)} ms), then killed`,
    killMs: 0,
    acknowledged,
  };
}

let folders = 0;
function folder(): { dir: string; uids: Map<string, string> } {
  folders += 1;
  return instanceFolder(path.join(dir, `in-${folders}`), INSTANCES);
}

async function killedRun(a: AdapterProcess, killMs: number): Promise<string[]> {
  const run = await storescuRun(a.port, folder(), async () => {
    await new Promise((r) => setTimeout(r, killMs));
    await a.kill();
  });
  return run.acknowledged;
}

async function fullRun(a: AdapterProcess, n = 5): Promise<string[]> {
  const f = instanceFolder(path.join(dir, `warm-${++folders}`), n);
  return (await storescuRun(a.port, f, async () => undefined)).acknowledged;
}

async function publisherConnected(a: AdapterProcess): Promise<void> {
  let state = '';
  await waitFor(
    () => {
      void a.metrics().then(
        (m) => (state = String(m.event_log?.state ?? '')),
        () => undefined,
      );
      return state === 'connected';
    },
    30_000,
    'the publisher connected',
  );
}

/** Starts the adapter once more, lets it publish its log, stops it. */
async function drain(env: Record<string, string>, store: string): Promise<void> {
  const a = await startAdapter(env, store);
  let backlog = -1;
  let state = '';
  await waitFor(
    () => {
      void a.metrics().then(
        (m) => {
          backlog = Number(m.event_log?.backlog ?? -1);
          state = String(m.event_log?.state ?? '');
        },
        () => undefined,
      );
      return backlog === 0 && state === 'connected';
    },
    60_000,
    'the log published',
  );
  await a.stop();
}

function storedUids(store: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(store, { recursive: true, withFileTypes: true })) {
    const rel = path.relative(store, path.join(e.parentPath, e.name));
    if (!e.isFile() || rel.split(path.sep).some((s) => s.startsWith('.'))) continue;
    out.push(e.name.replace(/\.dcm$/, ''));
  }
  return out;
}

const rows: string[] = [];

async function verify(label: string, topic: string, store: string, points: Point[]): Promise<void> {
  const trail = checkTrail(await readWholeTopic(topic, broker.brokers));
  let i = 0;
  for (const p of points) {
    i += 1;
    const recorded = p.acknowledged.filter((u) => trail.storedOk.has(u)).length;
    rows.push(
      `| ${label} | ${p.scenario} | ${i} | ${p.killMs} | ${p.acknowledged.length} | ${recorded} | ${p.acknowledged.length - recorded} |`,
    );
  }
  const stored = storedUids(store);
  const unrecordedFiles = stored.filter((u) => !trail.storedOk.has(u));
  rows.push(
    `| ${label} | totals | | | ${points.reduce((n, p) => n + p.acknowledged.length, 0)} | events ${trail.events}, interrupted ${trail.interrupted.size}, redelivered ${trail.redelivered} | files in store ${stored.length}, unrecorded ${unrecordedFiles.length} |`,
  );
  for (const p of points)
    for (const u of p.acknowledged)
      assert.ok(trail.storedOk.has(u), `${label}: acknowledged C-STORE ${u} is recorded`);
  assert.deepEqual(trail.gaps, [], `${label}: no seq gap within an association`);
  assert.equal(trail.conflicting, 0, `${label}: no (association, seq) under two ids`);
  assert.deepEqual(unrecordedFiles, [], `${label}: every instance in the store has its EVT_C_STORE`);
  assert.ok(trail.interrupted.size > 0, `${label}: associations cut off are recorded as interrupted`);
}

function envFor(name: string): Record<string, string> {
  return {
    KAFKA_BROKERS: broker.brokers.join(','),
    EVENTS_TOPIC: `test.kill.${name}.${Date.now().toString(36)}`,
    EVENTS_TOPIC_PARTITIONS: '1',
    SPOOL_DIR: path.join(dir, `wal-${name}`),
  };
}

test('SIGKILL at random points, Kafka up: every acknowledged C-STORE is in Kafka after restart (SCP and proxy)', async () => {
  const env = envFor('up');
  const store = path.join(dir, 'store-up');
  const points: Point[] = [await baseline(env, store, 'cold')];
  const n = 6;
  for (let i = 0; i < n; i++) {
    const a = await startAdapter(env, store);
    const killMs = killDelay(i, n);
    points.push({ scenario: 'cold', killMs, acknowledged: await killedRun(a, killMs) });
  }
  for (let i = 0; i < n; i++) {
    const a = await startAdapter(env, store);
    await publisherConnected(a);
    const warm = await fullRun(a);
    const killMs = killDelay(i, n);
    points.push({ scenario: 'warm', killMs, acknowledged: [...warm, ...(await killedRun(a, killMs))] });
  }
  await drain(env, store);
  await verify('scp, kafka up', env['EVENTS_TOPIC'] as string, store, points);

  // The proxy, storescp behind it.
  const pacsPort = await freePort();
  const pacsDir = path.join(dir, 'pacs');
  mkdirSync(pacsDir, { recursive: true });
  storescp = spawn('storescp', ['-aet', 'PACS', '-od', pacsDir, String(pacsPort)], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 500));
  const penv: Record<string, string> = { ...envFor('proxy'), PROXY_UPSTREAM: `127.0.0.1:${pacsPort}` };
  const pstore = path.join(dir, 'store-proxy');
  const ppoints: Point[] = [await baseline(penv, pstore, 'cold')];
  for (let i = 0; i < 4; i++) {
    const a = await startAdapter(penv, pstore);
    if (i % 2 === 1) await publisherConnected(a);
    const killMs = killDelay(i, 4);
    ppoints.push({
      scenario: i % 2 === 1 ? 'warm' : 'cold',
      killMs,
      acknowledged: await killedRun(a, killMs),
    });
  }
  await drain(penv, pstore);
  const trail = checkTrail(await readWholeTopic(penv['EVENTS_TOPIC'] as string, broker.brokers));
  let i = 0;
  for (const p of ppoints) {
    i += 1;
    const recorded = p.acknowledged.filter((u) => trail.storedOk.has(u)).length;
    rows.push(
      `| proxy, kafka up | ${p.scenario} | ${i} | ${p.killMs} | ${p.acknowledged.length} | ${recorded} | ${p.acknowledged.length - recorded} |`,
    );
    for (const u of p.acknowledged)
      assert.ok(trail.storedOk.has(u), `proxy: acknowledged C-STORE ${u} is recorded`);
  }
  assert.deepEqual(trail.gaps, [], 'proxy: no seq gap within an association');
  assert.equal(trail.conflicting, 0, 'proxy: no (association, seq) under two ids');
  assert.ok(trail.interrupted.size > 0, 'proxy: associations cut off are recorded as interrupted');
});

test('SIGKILL at random points while Kafka is down: the log keeps every acknowledged C-STORE', async () => {
  await broker.stop();
  const env = envFor('down');
  const store = path.join(dir, 'store-down');
  const points: Point[] = [await baseline(env, store, 'cold')];
  const n = 5;
  for (let i = 0; i < n; i++) {
    const a = await startAdapter(env, store);
    const killMs = killDelay(i, n);
    points.push({ scenario: 'cold', killMs, acknowledged: await killedRun(a, killMs) });
  }
  for (let i = 0; i < n; i++) {
    const a = await startAdapter(env, store);
    const warm = await fullRun(a);
    const killMs = killDelay(i, n);
    points.push({ scenario: 'warm', killMs, acknowledged: [...warm, ...(await killedRun(a, killMs))] });
  }
  await broker.start();
  await drain(env, store);
  await verify('scp, kafka down', env['EVENTS_TOPIC'] as string, store, points);
});

test('SIGKILL the moment an instance is filed: a filed instance whose C-STORE is not durable is taken out of the store at restart', async () => {
  // A C-STORE writes its request's events to the log (no sync), files the instance, then makes its events
  // durable with one sync before the response. Each kill here comes as a new file appears in the series folder
  // (inotify), so it falls while an instance is written, or between its filing and that sync, or just after.
  const env = envFor('filing');
  const store = path.join(dir, 'store-filing');
  const study = uid();
  const series = uid();
  const seriesDir = path.join(store, study, series);
  mkdirSync(seriesDir, { recursive: true });
  const points: Point[] = [];
  let removedUnrecorded = 0;
  let unfinishedAtKill = 0;
  let restart: AdapterProcess | undefined;
  for (let kill = 0; kill < 40 && (kill < 8 || removedUnrecorded < 1); kill++) {
    const a = restart ?? (await startAdapter(env, store));
    if (kill % 2 === 1) await publisherConnected(a);
    const f = path.join(dir, `filing-${kill}`);
    mkdirSync(f, { recursive: true });
    const uids = new Map<string, string>();
    for (let i = 0; i < 40; i++) {
      const file = path.join(f, `i${String(i).padStart(4, '0')}.dcm`);
      uids.set(
        file,
        writeInstance(file, { studyUid: study, seriesUid: series, pixelBytes: 10_000 }).sopInstanceUid,
      );
    }
    const nth = 2 + Math.floor(Math.random() * 20);
    const before = new Set(readdirSync(seriesDir));
    let watcher: FSWatcher | undefined;
    const run = await storescuRun(a.port, { dir: f, uids }, async () => {
      let seen = 0;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 10_000);
        watcher = watch(seriesDir, (_event, name) => {
          if (name === null || before.has(name)) return;
          before.add(name);
          seen += 1;
          if (seen !== nth) return;
          a.proc.kill('SIGKILL');
          clearTimeout(timer);
          resolve();
        });
      });
      watcher?.close();
      await a.kill();
    });
    for (const name of readdirSync(seriesDir))
      if ((statSync(path.join(seriesDir, name)).mode & 0o777) === 0) unfinishedAtKill += 1;
    restart = await startAdapter(env, store);
    const removed = restart.out().match(/filed during a crash/g)?.length ?? 0;
    removedUnrecorded += removed;
    points.push({
      scenario: `killed at new file ${nth}, ${removed} removed at restart`,
      killMs: 0,
      acknowledged: run.acknowledged,
    });
  }
  await restart?.stop();
  await drain(env, store);
  rows.push(
    `| scp, kill at filing | ${points.length} kills | | | | unfinished at the kill ${unfinishedAtKill} | filed, not durable, removed at restart ${removedUnrecorded} |`,
  );
  await verify('scp, kill at filing', env['EVENTS_TOPIC'] as string, store, points);
  assert.ok(removedUnrecorded > 0, 'a kill fell between a filing and the sync of its C-STORE at least once');
});

after(() => {
  const table = [
    '| run | scenario | point | kill after ms | C-STOREs acknowledged | EVT_C_STORE recorded | lost |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n');
  console.log(table);
  if (process.env['KILL_TABLE_OUT']) appendFileSync(process.env['KILL_TABLE_OUT'], `${table}\n`);
});
