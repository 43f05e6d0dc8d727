/**
 * The exporter process is killed (SIGKILL) while associations are in flight and started again: every
 * association appears in Zipkin, whole, and no span appears twice (offsets were committed only up to the oldest
 * association not yet exported; what is read again is either re-exported with the same ids or a tail that is
 * skipped).
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { runDcmtk, uniqueTopic } from '@dicomtrail/testing';
import {
  type Adapter,
  EXPORTER_MAIN,
  exporterEnv,
  rootOf,
  spawnNode,
  startAdapter,
  waitFor,
  writeInstance,
  type ZipkinSpan,
  zipkinGet,
  zipkinTraces,
} from './support/stack.js';

const topic = uniqueTopic('trace-restart');
const service = `dicomtrail-restart-${Date.now().toString(36)}`;
const ASSOCIATIONS = 24;
const FILES = 3;
let adapter: Adapter;
let dir: string;
let files: string[];
const procs: ChildProcess[] = [];

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'dt-trace-restart-'));
  adapter = await startAdapter(topic);
  const study = `1.2.826.0.1.3680043.10.1386.78.${Date.now()}`;
  files = [];
  for (let i = 1; i <= FILES; i++) {
    const f = path.join(dir, `r${i}.dcm`);
    await writeInstance(f, { sopInstanceUid: `${study}.${i}`, studyUid: study });
    files.push(f);
  }
});
after(async () => {
  for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  await adapter?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function startExporterProcess(env: Record<string, string>): Promise<ChildProcess> {
  const proc = await spawnNode([EXPORTER_MAIN], env, 'trace-exporter ready');
  procs.push(proc);
  return proc;
}

/** storescu runs, three at a time so that associations overlap in the topic. */
async function traffic(from: number, to: number): Promise<void> {
  for (let i = from; i < to; i += 3) {
    const runs = [];
    for (let j = i; j < Math.min(i + 3, to); j++)
      runs.push(
        runDcmtk('storescu', [
          '-aet',
          `RESTART_${j}`,
          '-aec',
          'DICOMTRAIL',
          '127.0.0.1',
          String(adapter.port),
          ...files,
        ]),
      );
    for (const r of await Promise.all(runs)) assert.equal(r.code, 0, r.stderr);
  }
}

test('SIGKILL mid-stream and restart: every association in Zipkin once, none with duplicate spans', async () => {
  const env = await exporterEnv(topic, service, {
    TRACE_COMMIT_INTERVAL_MS: '100',
    TRACE_KAFKA_SESSION_TIMEOUT_MS: '6000',
  });
  const first = await startExporterProcess(env);
  const half = ASSOCIATIONS / 2;
  const during = traffic(0, ASSOCIATIONS);
  // Kill once some associations are in Zipkin and more are still arriving.
  await waitFor(
    async () => ((await zipkinTraces(service)).length >= half / 2 ? true : undefined),
    30_000,
    'first traces',
  );
  first.kill('SIGKILL');
  await new Promise((r) => first.once('exit', r));
  await startExporterProcess(env);
  await during;

  const traces = await waitFor(
    async () => {
      const t = await zipkinTraces(service);
      return t.length >= ASSOCIATIONS && t.every((x) => x.length >= 1 + FILES) ? t : undefined;
    },
    30_000,
    `${ASSOCIATIONS} whole traces`,
  );
  const callers = traces.map((t) => rootOf(t)?.tags?.['dicom.calling_ae_title']).sort();
  assert.deepEqual(
    callers,
    Array.from({ length: ASSOCIATIONS }, (_, j) => `RESTART_${j}`).sort(),
    'one trace per association, none missing',
  );
  for (const t of traces) {
    const full = await zipkinGet<ZipkinSpan[]>(`/api/v2/trace/${t[0]!.traceId}`);
    const ids = full.map((s) => s.id);
    assert.equal(new Set(ids).size, ids.length, `no duplicate span in ${t[0]!.traceId}`);
    assert.equal(full.length, 1 + FILES, 'the root and one span per C-STORE');
    const root = rootOf(full)!;
    assert.equal(root.tags!['dicom.outcome'], 'released');
    assert.equal(full.filter((s) => s.parentId === root.id && s.name.startsWith('c-store')).length, FILES);
  }
});
