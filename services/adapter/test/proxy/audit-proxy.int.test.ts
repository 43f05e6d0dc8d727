/**
 * The audit proxy against dcmtk: storescu, echoscu, findscu, getscu and movescu call the proxy, which relays
 * to our archive SCP (the "PACS"), and the archive moves to a storescp started here. Asserted: what arrives
 * where (byte-exact), what each tool is answered, the AE titles each side sees, the two associations' events
 * (the upstream one's `parent` is the downstream one), and the negotiation outcomes the proxy owns: a
 * called AE title with no route, the upstream's own reject passed back as it is, an unreachable upstream
 * (transient), and an abort on one side ending the other.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { freePort, qrArgs, runDcmtk } from '@dicomtrail/testing';
import type { AcceptorPolicy } from '../../src/acse/acceptor.js';
import { STORAGE_COMMITMENT_INSTANCE } from '../../src/archive/storage-commitment.js';
import { associate } from '../../src/association/client.js';
import type { AdapterEvent } from '../../src/association/types.js';
import type { DicomJson } from '../../src/dataset/dicom-json.js';
import { readPart10 } from '../../src/dataset/part10.js';
import { STORAGE_COMMITMENT_PUSH, VERIFICATION } from '../../src/dataset/uids.js';
import { HandlerRegistry } from '../../src/events/event-bus.js';
import { AuditProxy } from '../../src/proxy/proxy-server.js';
import { parseProxyRoutes } from '../../src/proxy/routes.js';
import type { NServiceRequest } from '../../src/service-classes/n-services.js';
import {
  type ArchiveServer,
  commitmentRequest,
  SC,
  startArchiveServer,
  startStorescp,
  writeArchiveInstance,
} from '../support/archive.js';
import { writeInstance } from '../support/instances.js';
import { dimseMessages, dimseSent, qrSupported } from '../support/qr.js';
import {
  assertValidAndGapFree,
  CollectingSink,
  type Envelope,
  startTestServer,
  testLog,
  testPolicy,
  waitFor,
} from '../support/server.js';

const U = '1.2.826.0.1.3680043.10.1386.80';
const STUDY = `${U}.1.1`;
const SERIES = (n: number) => `${U}.2.${n}`;
const INSTANCE = (n: number) => `${U}.3.${n}`;
const EXPLICIT_LE = '1.2.840.10008.1.2.1';
const BIG = 150;
const BIG_STUDY = `${U}.4.1`;

let pacs: ArchiveServer;
let proxy: AuditProxy;
let sink: CollectingSink;
let dir: string;
let received: string;
let storescp: ChildProcess | undefined;
const files = new Map<string, string>();

async function startProxy(
  routes: ReturnType<typeof parseProxyRoutes>,
  s: CollectingSink,
  policy: Partial<AcceptorPolicy> = {},
): Promise<AuditProxy> {
  const p = new AuditProxy({
    host: '127.0.0.1',
    port: 0,
    routes,
    storeDir: path.join(dir, `proxy-${Math.random().toString(36).slice(2)}`),
    sinks: [s],
    log: testLog,
    policy: { ...testPolicy(), supported: qrSupported(), ...policy },
    artimTimeoutMs: 5000,
    connectTimeoutMs: 2000,
  });
  await p.listen();
  return p;
}

/** The downstream association the proxy accepted for a run, and the upstream one it opened, both ended. */
async function pairAfter(known: Set<string>): Promise<{ down: Envelope[]; up: Envelope[] }> {
  const ended = (id: string) =>
    sink.of(id).some((e) => e.type === 'EVT_FSM_TRANSITION' && e.params['next_state'] === 'Sta1');
  const fresh = () => sink.associationIds().filter((id) => !known.has(id));
  await waitFor(() => fresh().length >= 2 && fresh().every(ended), 15_000, 'both associations to end');
  const [a, b] = fresh().map((id) => sink.of(id));
  const down = a![0]!.association.role === 'acceptor' ? a! : b!;
  const up = down === a ? b! : a!;
  return { down, up };
}

/** Our SCU proposing Verification to `port`, calling `calledAeTitle` as VIEWER. */
function verificationClient(port: number, calledAeTitle: string) {
  return associate({
    host: '127.0.0.1',
    port,
    callingAeTitle: 'VIEWER',
    calledAeTitle,
    contexts: [{ abstractSyntax: VERIFICATION, transferSyntaxes: [EXPLICIT_LE] }],
    log: testLog,
  });
}

/** Matches the AssociationRejectedError of an A-ASSOCIATE-RJ with this result, source and reason. */
function rejectedWith(result: number, source: number, reason: number) {
  return (err: Error & { context?: Record<string, number> }) =>
    err.context?.['result'] === result &&
    err.context['source'] === source &&
    err.context['reason'] === reason;
}

/** Intervention events as "TYPE status(hex)" strings. */
function interventions(events: Envelope[]): string[] {
  return events
    .filter((e) => e.type.startsWith('EVT_C_') || e.type.startsWith('EVT_N_'))
    .filter((e) => e.type !== 'EVT_C_CANCEL')
    .map((e) => `${e.type} ${Number(e.params['status']).toString(16).padStart(4, '0').toUpperCase()}`);
}

/** The association as established (the first events precede the A-ASSOCIATE-RQ and carry no AE titles). */
function est(events: Envelope[]): Envelope['association'] {
  const e = events.find((x) => x.type === 'EVT_ESTABLISHED');
  assert.ok(e, 'association established');
  return e.association;
}

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'dt-proxy-'));
  received = path.join(dir, 'received');
  mkdirSync(received);
  const { port: storePort, child } = await startStorescp('STORESCP', received);
  storescp = child;
  // A larger study already in the PACS's store (indexed at start-up), for a query long enough to cancel.
  const storeDir = path.join(dir, 'pacs');
  mkdirSync(path.join(storeDir, 'preloaded'), { recursive: true });
  for (let i = 0; i < BIG; i++)
    writeArchiveInstance(path.join(storeDir, 'preloaded', `b${i}.dcm`), {
      patientId: 'PID-P2',
      patientName: 'Proxy^Big',
      studyUid: BIG_STUDY,
      studyDate: '20240502',
      studyTime: '101010',
      accession: 'ACCP2',
      seriesUid: `${U}.5.1`,
      modality: 'OT',
      sopInstanceUid: `${U}.6.${i}`,
      instanceNumber: i,
    });
  pacs = await startArchiveServer({
    storeDir,
    commitmentReportDelayMs: 100,
    destinations: new Map([['STORESCP', { host: '127.0.0.1', port: storePort }]]),
  });
  sink = new CollectingSink();
  proxy = await startProxy(
    parseProxyRoutes(`127.0.0.1:${pacs.port}`, [`PACS=DICOMTRAIL@127.0.0.1:${pacs.port}`]),
    sink,
  );
  for (let i = 1; i <= 4; i++) {
    const f = path.join(dir, `in${i}.dcm`);
    writeArchiveInstance(f, {
      patientId: 'PID-P1',
      patientName: 'Proxy^Pat',
      studyUid: STUDY,
      studyDate: '20240501',
      studyTime: '101010',
      accession: 'ACCP1',
      seriesUid: SERIES(i <= 2 ? 1 : 2),
      modality: 'CT',
      sopInstanceUid: INSTANCE(i),
      instanceNumber: i,
    });
    files.set(INSTANCE(i), f);
  }
});

after(async () => {
  if (storescp?.pid !== undefined) process.kill(storescp.pid, 'SIGTERM');
  await proxy.close(2000);
  await pacs.close();
  rmSync(dir, { recursive: true, force: true });
});

test('storescu through the proxy: every instance reaches the PACS byte-exact; both associations recorded, paired', async () => {
  const known = new Set(sink.associationIds());
  const r = await runDcmtk('storescu', [
    '-aet',
    'MODALITY',
    '-aec',
    'DICOMTRAIL',
    '127.0.0.1',
    String(proxy.port),
    ...files.values(),
  ]);
  assert.equal(r.code, 0, r.stderr);
  await waitFor(() => pacs.archive.index.index.size === BIG + 4, 5000, 'four more instances at the PACS');
  for (const [uid, f] of files) {
    const at = pacs.archive.index.index.get(uid);
    assert.ok(at, `${uid} indexed at the PACS`);
    const stored = readPart10(readFileSync(at.path));
    assert.ok(stored.datasetBytes.equals(readPart10(readFileSync(f)).datasetBytes), `${uid} byte-exact`);
  }
  const { down, up } = await pairAfter(known);
  assert.equal(est(down).calling_ae_title, 'MODALITY');
  assert.equal(est(up).calling_ae_title, 'MODALITY', 'the calling AE title passes through');
  assert.equal(est(up).called_ae_title, 'DICOMTRAIL');
  assert.equal(
    (up[0] as { parent?: { association_id: string } }).parent?.association_id,
    down[0]!.association.id,
  );
  assert.deepEqual(dimseMessages(down, 'EVT_DIMSE_RECV'), Array(4).fill('C-STORE-RQ'));
  assert.deepEqual(dimseSent(down), Array(4).fill('C-STORE-RSP 0000'));
  assert.deepEqual(dimseSent(up), Array(4).fill('C-STORE-RQ'));
  assert.deepEqual(dimseMessages(up, 'EVT_DIMSE_RECV'), Array(4).fill('C-STORE-RSP 0000'));
  const header = (
    down.find((e) => e.type === 'EVT_DIMSE_RECV')!.params['message'] as Record<string, unknown>
  )['dataset'] as Record<string, { Value?: unknown[] }>;
  assert.equal(header['00100020']?.Value?.[0], 'PID-P1', 'the audit sees the patient of what went through');
  assert.ok(down.some((e) => e.type === 'EVT_RELEASED'));
  assert.ok(up.some((e) => e.type === 'EVT_RELEASED'));
  // The relay is the proxy's handler: each operation's intervention event, with the PACS's outcome.
  assert.deepEqual(interventions(down), Array(4).fill('EVT_C_STORE 0000'));
  assert.deepEqual(interventions(up), [], 'the upstream leg served nothing');
  const store = down.find((e) => e.type === 'EVT_C_STORE')!.params;
  assert.equal(store['affected_sop_instance_uid'], INSTANCE(1));
  assert.equal((store['dataset'] as Record<string, { Value?: unknown[] }>)['00100020']?.Value?.[0], 'PID-P1');
  // The PACS saw the modality's AE title, not the proxy's.
  const atPacs = pacs.sink.events.filter((e) => e.type === 'EVT_C_STORE');
  assert.ok(atPacs.length >= 4 && atPacs.every((e) => e.association.calling_ae_title === 'MODALITY'));
  assert.deepEqual(
    readdirSync(path.join(dir))
      .filter((f) => f.startsWith('proxy-'))
      .flatMap((d) =>
        readdirSync(path.join(dir, d), { recursive: true }).filter((x) => String(x).endsWith('.dcm')),
      ),
    [],
    'the proxy keeps no instance',
  );
  assertValidAndGapFree([...down, ...up]);
});

test('echoscu to a routed called AE title: the route rewrites it upstream', async () => {
  const known = new Set(sink.associationIds());
  const r = await runDcmtk('echoscu', ['-aet', 'VIEWER', '-aec', 'PACS', '127.0.0.1', String(proxy.port)]);
  assert.equal(r.code, 0, r.stderr);
  const { down, up } = await pairAfter(known);
  assert.equal(est(down).called_ae_title, 'PACS');
  assert.equal(est(up).called_ae_title, 'DICOMTRAIL');
  assert.deepEqual(dimseSent(down), ['C-ECHO-RSP 0000']);
  assert.deepEqual(dimseMessages(up, 'EVT_DIMSE_RECV'), ['C-ECHO-RSP 0000']);
});

test('findscu through the proxy: the PACS answers, every pending response and the final one come back', async () => {
  const od = path.join(dir, 'find');
  mkdirSync(od);
  const known = new Set(sink.associationIds());
  const r = await runDcmtk(
    'findscu',
    qrArgs({
      aet: 'FINDER',
      aec: 'DICOMTRAIL',
      port: proxy.port,
      keys: ['QueryRetrieveLevel=SERIES', `StudyInstanceUID=${STUDY}`, 'SeriesInstanceUID'],
      extra: ['-X', '-od', od],
    }),
  );
  assert.equal(r.code, 0, r.stderr);
  const series = readdirSync(od).map((f) => {
    const p = readPart10(readFileSync(path.join(od, f)));
    return p.datasetBytes.toString('latin1');
  });
  assert.equal(series.length, 2);
  assert.ok(series.some((s) => s.includes(SERIES(1))) && series.some((s) => s.includes(SERIES(2))));
  const { down } = await pairAfter(known);
  assert.deepEqual(dimseSent(down), ['C-FIND-RSP FF00', 'C-FIND-RSP FF00', 'C-FIND-RSP 0000']);
  const find = down.find((e) => e.type === 'EVT_C_FIND')!.params;
  assert.deepEqual([find['status'], find['responses'], find['cancelled']], [0, 3, false]);
  assert.equal((find['identifier'] as Record<string, { Value?: unknown[] }>)['0020000D']?.Value?.[0], STUDY);
  assertValidAndGapFree(down);
});

test('getscu through the proxy: C-STORE sub-operations relayed back on the same association', async () => {
  const od = path.join(dir, 'get');
  mkdirSync(od);
  const known = new Set(sink.associationIds());
  const r = await runDcmtk(
    'getscu',
    qrArgs({
      aet: 'GETTER',
      aec: 'DICOMTRAIL',
      port: proxy.port,
      keys: ['QueryRetrieveLevel=SERIES', `StudyInstanceUID=${STUDY}`, `SeriesInstanceUID=${SERIES(1)}`],
      extra: ['-od', od],
    }),
  );
  assert.equal(r.code, 0, r.stderr);
  const got = readdirSync(od).map((f) => readPart10(readFileSync(path.join(od, f))));
  assert.deepEqual(got.map((p) => String(p.fileMeta['00020003']?.Value?.[0])).sort(), [
    INSTANCE(1),
    INSTANCE(2),
  ]);
  for (const p of got) {
    const sent = readPart10(readFileSync(files.get(String(p.fileMeta['00020003']?.Value?.[0]))!));
    assert.ok(p.datasetBytes.equals(sent.datasetBytes), 'retrieved byte-exact');
  }
  const { down, up } = await pairAfter(known);
  assert.deepEqual(dimseSent(down), [
    'C-STORE-RQ',
    'C-GET-RSP FF00',
    'C-STORE-RQ',
    'C-GET-RSP FF00',
    'C-GET-RSP 0000',
  ]);
  assert.deepEqual(dimseMessages(up, 'EVT_DIMSE_RECV'), [
    'C-STORE-RQ',
    'C-GET-RSP FF00',
    'C-STORE-RQ',
    'C-GET-RSP FF00',
    'C-GET-RSP 0000',
  ]);
  assert.deepEqual(interventions(down), ['EVT_C_GET 0000']);
  assert.deepEqual(
    interventions(up),
    ['EVT_C_STORE 0000', 'EVT_C_STORE 0000'],
    'sub-operations, received upstream',
  );
  const get = down.find((e) => e.type === 'EVT_C_GET')!.params;
  assert.deepEqual(
    [get['number_of_completed_suboperations'], get['number_of_failed_suboperations'], get['responses']],
    [2, 0, 3],
  );
  assertValidAndGapFree([...down, ...up]);
});

test('movescu through the proxy: the PACS moves to the destination; the counts come back', async () => {
  const known = new Set(sink.associationIds());
  const r = await runDcmtk(
    'movescu',
    qrArgs({
      aet: 'MOVER',
      aec: 'DICOMTRAIL',
      port: proxy.port,
      keys: ['QueryRetrieveLevel=SERIES', `StudyInstanceUID=${STUDY}`, `SeriesInstanceUID=${SERIES(2)}`],
      extra: ['-aem', 'STORESCP'],
    }),
  );
  assert.equal(r.code, 0, r.stderr);
  await waitFor(() => readdirSync(received).length >= 2, 5000, 'files at storescp');
  const { down } = await pairAfter(known);
  assert.deepEqual(dimseSent(down), ['C-MOVE-RSP FF00', 'C-MOVE-RSP FF00', 'C-MOVE-RSP 0000']);
  const move = down.find((e) => e.type === 'EVT_C_MOVE')!.params;
  assert.deepEqual(
    [move['move_destination'], move['status'], move['number_of_completed_suboperations']],
    ['STORESCP', 0, 2],
  );
  assertValidAndGapFree(down);
});

test('a called AE title with no route is rejected here (permanent, reason 7); nothing goes upstream', async () => {
  const s = new CollectingSink();
  const routesOnly = await startProxy(parseProxyRoutes(undefined, [`PACS=127.0.0.1:${pacs.port}`]), s);
  try {
    await assert.rejects(verificationClient(routesOnly.port, 'NOWHERE'), rejectedWith(1, 1, 7));
    await waitFor(() => s.events.some((e) => e.type === 'EVT_REJECTED'), 5000, 'EVT_REJECTED');
    const cause = s.events.find((e) => e.type === 'EVT_REJECTED')!.params['cause'] as Record<string, unknown>;
    assert.match(String(cause['detail']), /no proxy route/);
    assert.equal(s.associationIds().length, 1, 'no upstream association');
  } finally {
    await routesOnly.close(1000);
  }
});

test("the upstream's reject is passed back as it is; both associations say so", async () => {
  const known = new Set(sink.associationIds());
  await assert.rejects(verificationClient(proxy.port, 'NOT_THE_PACS'), rejectedWith(1, 1, 7));
  const { down, up } = await pairAfter(known);
  const downCause = down.find((e) => e.type === 'EVT_REJECTED')!.params['cause'] as Record<string, unknown>;
  const upCause = up.find((e) => e.type === 'EVT_REJECTED')!.params['cause'] as Record<string, unknown>;
  assert.equal(upCause['initiator'], 'remote');
  assert.equal(downCause['reason_name'], 'called-ae-title-not-recognized');
  assert.match(String(downCause['detail']), /upstream 127\.0\.0\.1:\d+ rejected/);
});

test('an unreachable upstream: a transient reject (temporary congestion) whose event names the cause', async () => {
  const s = new CollectingSink();
  const dead = await freePort();
  const p = await startProxy(parseProxyRoutes(`127.0.0.1:${dead}`, []), s);
  try {
    const r = await runDcmtk('echoscu', ['-aet', 'VIEWER', '-aec', 'PACS', '127.0.0.1', String(p.port)]);
    assert.notEqual(r.code, 0, 'echoscu fails');
    assert.match(r.stderr + r.stdout, /Rejected|reject/i);
    await waitFor(() => s.events.some((e) => e.type === 'EVT_REJECTED' && e.association.role === 'acceptor'));
    const cause = s.events.find((e) => e.type === 'EVT_REJECTED' && e.association.role === 'acceptor')!
      .params['cause'] as Record<string, unknown>;
    assert.deepEqual([cause['result'], cause['source'], cause['reason']], [2, 3, 1]);
    assert.match(String(cause['detail']), /unreachable: .*ECONNREFUSED/);
  } finally {
    await p.close(1000);
  }
});

test('an abort downstream aborts the upstream association', async () => {
  const known = new Set(sink.associationIds());
  const client = await verificationClient(proxy.port, 'DICOMTRAIL');
  assert.equal(await client.echo(), 0);
  client.abort();
  const { down, up } = await pairAfter(known);
  assert.ok(down.some((e) => e.type === 'EVT_ABORTED'));
  assert.ok(
    up.some((e) => e.type === 'EVT_ABORTED'),
    'the proxy aborted upstream too',
  );
});

test('findscu --cancel 1 through the proxy: the C-CANCEL reaches the PACS, which stops with 0xFE00', async () => {
  const known = new Set(sink.associationIds());
  const knownAtPacs = new Set(pacs.sink.associationIds());
  const r = await runDcmtk(
    'findscu',
    qrArgs({
      aet: 'CANCELLER',
      aec: 'DICOMTRAIL',
      port: proxy.port,
      keys: [
        'QueryRetrieveLevel=IMAGE',
        `StudyInstanceUID=${BIG_STUDY}`,
        'SeriesInstanceUID',
        'SOPInstanceUID',
      ],
      extra: ['--cancel', '1'],
    }),
  );
  assert.equal(r.code, 0, r.stderr);
  const { down, up } = await pairAfter(known);
  const sent = dimseSent(down);
  assert.equal(sent.at(-1), 'C-FIND-RSP FE00');
  assert.ok(sent.length - 1 < BIG, `stopped early: ${sent.length - 1} of ${BIG} results`);
  assert.ok(
    down.some((e) => e.type === 'EVT_C_CANCEL'),
    'received from findscu',
  );
  assert.ok(dimseSent(up).includes('C-CANCEL-RQ'), 'passed on upstream');
  const atPacs = pacs.sink.events.filter((e) => !knownAtPacs.has(e.association.id));
  assert.ok(
    atPacs.some((e) => e.type === 'EVT_C_CANCEL'),
    'the PACS got it',
  );
});

test('the upstream going away aborts the downstream association', async () => {
  const upstream = await startTestServer();
  const s = new CollectingSink();
  const p = await startProxy(parseProxyRoutes(`127.0.0.1:${upstream.port}`, []), s);
  try {
    const client = await verificationClient(p.port, 'DICOMTRAIL');
    assert.equal(await client.echo(), 0);
    await upstream.server.close(0); // no grace: the upstream aborts its associations
    const outcome = await client.association.closed();
    assert.equal(outcome.kind, 'aborted');
    const down = s.events.filter((e) => e.association.role === 'acceptor');
    await waitFor(() => s.events.some((e) => e.type === 'EVT_ABORTED' && e.association.role === 'acceptor'));
    assert.ok(down.length > 0);
  } finally {
    await p.close(1000);
    await upstream.close();
  }
});

test('storage commitment through the proxy: N-ACTION upstream, the N-EVENT-REPORT relayed back on the same association', async () => {
  const reports: NServiceRequest[] = [];
  const handlers = new HandlerRegistry<AdapterEvent>();
  handlers.handle('EVT_N_EVENT_REPORT', ((req: NServiceRequest) => {
    reports.push(req);
    return [0, null];
  }) as never);
  const known = new Set(sink.associationIds());
  const c = await associate({
    host: '127.0.0.1',
    port: proxy.port,
    callingAeTitle: 'COMMITTER',
    calledAeTitle: 'DICOMTRAIL',
    contexts: [{ abstractSyntax: STORAGE_COMMITMENT_PUSH, transferSyntaxes: [EXPLICIT_LE] }],
    log: testLog,
    handlers,
  });
  const missing = `${U}.9.9`;
  const rsp = await c.nAction(
    STORAGE_COMMITMENT_PUSH,
    STORAGE_COMMITMENT_INSTANCE,
    1,
    commitmentRequest(`${U}.9.1`, [
      [SC, INSTANCE(1)],
      [SC, missing],
    ]),
  );
  assert.equal(rsp.status, 0);
  await waitFor(() => reports.length === 1, 5000, 'the N-EVENT-REPORT through the proxy');
  await c.release();
  assert.equal(reports[0]!.request.eventTypeId, 2, 'one committed, one missing');
  const info = reports[0]!.datasetJson!;
  assert.deepEqual(
    ((info['00081198']?.Value ?? []) as DicomJson[]).map((i) => i['00081155']?.Value?.[0]),
    [missing],
  );
  const { down, up } = await pairAfter(known);
  assert.deepEqual(dimseSent(down), ['N-ACTION-RSP 0000', 'N-EVENT-REPORT-RQ']);
  assert.deepEqual(dimseMessages(up, 'EVT_DIMSE_RECV'), ['N-ACTION-RSP 0000', 'N-EVENT-REPORT-RQ']);
  assert.deepEqual(dimseSent(up), ['N-ACTION-RQ', 'N-EVENT-REPORT-RSP 0000']);
  assert.deepEqual(interventions(down), ['EVT_N_ACTION 0000']);
  assert.deepEqual(interventions(up), ['EVT_N_EVENT_REPORT 0000']);
  const action = down.find((e) => e.type === 'EVT_N_ACTION')!.params;
  assert.equal(action['action_type_id'], 1);
  assert.ok(action['action_information'], 'the request data set recorded');
  assertValidAndGapFree([...down, ...up]);
});

test("a large instance (12 MB) is streamed through the proxy byte-exact, fragmented to each side's PDU size", async () => {
  const known = new Set(sink.associationIds());
  const f = path.join(dir, 'large.dcm');
  const uid = `${U}.7.1`;
  writeInstance(f, { sopInstanceUid: uid, pixelBytes: 12 * 1024 * 1024, patientId: 'PID-LARGE' });
  const r = await runDcmtk('storescu', [
    '--max-pdu',
    '16384',
    '-aet',
    'MODALITY',
    '-aec',
    'DICOMTRAIL',
    '127.0.0.1',
    String(proxy.port),
    f,
  ]);
  assert.equal(r.code, 0, r.stderr);
  await waitFor(() => pacs.archive.index.index.get(uid) !== undefined, 10_000, 'the instance at the PACS');
  const at = readPart10(readFileSync(pacs.archive.index.index.get(uid)!.path));
  assert.ok(at.datasetBytes.equals(readPart10(readFileSync(f)).datasetBytes), 'byte-exact');
  const { down, up } = await pairAfter(known);
  const store = down.find((e) => e.type === 'EVT_C_STORE')!.params;
  assert.equal(store['status'], 0);
  const pixel = (store['dataset'] as Record<string, { BulkData?: { length?: number } }>)['7FE00010'];
  assert.ok((pixel?.BulkData?.length ?? 0) >= 12 * 1024 * 1024, 'pixel data elided to its length');
  // Fragmented to the PACS's 65,536-byte PDUs (~190 of them), not sent whole.
  const pdusUp = up.filter((e) => e.type === 'EVT_DATA_SENT').length;
  assert.ok(pdusUp > 150, `${pdusUp} PDUs sent upstream`);
});

test('admission refused here (e.g. the event spool full, fail-closed): transient local-limit reject, nothing upstream', async () => {
  const s = new CollectingSink();
  const knownAtPacs = new Set(pacs.sink.associationIds());
  const p = await startProxy(parseProxyRoutes(`127.0.0.1:${pacs.port}`, []), s, {
    admission: () => ({ ok: false, detail: 'event spool full (fail-closed)' }),
  });
  try {
    await assert.rejects(verificationClient(p.port, 'DICOMTRAIL'), rejectedWith(2, 3, 2));
    await waitFor(() => s.events.some((e) => e.type === 'EVT_REJECTED'), 5000, 'EVT_REJECTED');
    const cause = s.events.find((e) => e.type === 'EVT_REJECTED')!.params['cause'] as Record<string, unknown>;
    assert.equal(cause['detail'], 'event spool full (fail-closed)');
    assert.equal(s.associationIds().length, 1, 'no upstream association');
    assert.deepEqual(
      pacs.sink.associationIds().filter((id) => !knownAtPacs.has(id)),
      [],
      'the PACS saw nothing',
    );
  } finally {
    await p.close(1000);
  }
});
