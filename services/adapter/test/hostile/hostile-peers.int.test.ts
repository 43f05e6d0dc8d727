/**
 * Issue 16, the adapter's side: every attack a DICOM peer can make without credentials, run one after the
 * other against ONE adapter (the CLI in its own process, archive mode, publishing to a real Kafka topic),
 * each with a real peer (dcmtk storescu/findscu/echoscu, our SCU, or a raw socket); then a normal
 * storescu is still served and its association's trail in Kafka is complete.
 *
 * The adapter's limits are set low so the suite runs in seconds: ARTIM and write timeouts 3 s, idle 4 s,
 * 8 pending requests, 8 associations per address, instances up to 24 MiB.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createDeflateRaw } from 'node:zlib';
import { parseEvent } from '@dicomtrail/schemas';
import { kafkaBrokers, readTopic, runDcmtk, uniqueTopic } from '@dicomtrail/testing';
import { associate, type DicomClient } from '../../src/association/client.js';
import { encodeDataset } from '../../src/dataset/encode-dataset.js';
import { STUDY_ROOT_FIND, STUDY_ROOT_GET } from '../../src/dataset/uids.js';
import { buildCFindRq } from '../../src/dimse/c-find.js';
import { buildCGetRq } from '../../src/dimse/c-get.js';
import { buildCStoreRq } from '../../src/dimse/c-store.js';
import { makeInstance, SC_IMAGE_STORAGE, uid, writeInstance } from '../support/instances.js';
import { type Envelope, testLog, waitFor } from '../support/server.js';
import { temporaryFiles } from '../support/store-files.js';
import { type AdapterProcess, RawPeer, startAdapterProcess, verificationRq } from './hostile-adapter.js';

const EXPLICIT_LE = '1.2.840.10008.1.2.1';
const IMPLICIT_LE = '1.2.840.10008.1.2';
const DEFLATED = '1.2.840.10008.1.2.1.99';
const MiB = 1024 * 1024;

let root: string;
let storeDir: string;
let work: string;
let topic: string;
let a: AdapterProcess;

const port = (): string => String(a.port);

function cStoreStatus(sop: string): number | undefined {
  const e = a.events().find((x) => x.type === 'EVT_C_STORE' && x.params['affected_sop_instance_uid'] === sop);
  return e?.params['status'] as number | undefined;
}

async function storeStatus(sop: string): Promise<number> {
  await waitFor(() => cStoreStatus(sop) !== undefined, 20_000, `EVT_C_STORE of ${sop}`);
  return cStoreStatus(sop)!;
}

function eventsOf(associationId: string): Envelope[] {
  return a
    .events()
    .filter((e) => e.association.id === associationId)
    .sort((x, y) => x.seq - y.seq);
}

function ended(events: Envelope[]): Envelope | undefined {
  return events.find((e) => e.type === 'EVT_ABORTED' || e.type === 'EVT_RELEASED');
}

async function storescu(aet: string, file: string, extra: string[] = []): Promise<void> {
  const r = await runDcmtk(
    'storescu',
    ['-aet', aet, '-aec', 'DICOMTRAIL', ...extra, '127.0.0.1', port(), file],
    {
      timeoutMs: 60_000,
    },
  );
  assert.notEqual(r.signal, 'SIGKILL', `storescu hung:\n${r.stderr}`);
}

async function echo(aet: string): Promise<{ code: number | null; ms: number }> {
  const r = await runDcmtk('echoscu', ['-aet', aet, '-aec', 'DICOMTRAIL', '127.0.0.1', port()], {
    timeoutMs: 20_000,
  });
  return { code: r.code, ms: r.ms };
}

async function client(
  aet: string,
  contexts: Parameters<typeof associate>[0]['contexts'],
): Promise<DicomClient> {
  return associate({
    host: '127.0.0.1',
    port: a.port,
    log: testLog,
    callingAeTitle: aet,
    calledAeTitle: 'DICOMTRAIL',
    contexts,
    storeDir: path.join(work, 'scu'),
  });
}

/** The CT/SC instance the C-GET attack asks for (16 MiB of pixel data: more than loopback buffers hold). */
const BIG = { study: uid(), series: uid(), sop: uid() };
const STALE_PART = () => path.join(storeDir, '.incoming', 'left-by-a-crash.part');
const CORRUPT_STEP = () => path.join(storeDir, '.archive', 'mpps', '1.2.3.4.json');

describe('hostile peers against one adapter (Kafka publishing on)', () => {
  before(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'dt-hostile-'));
    storeDir = path.join(root, 'a', 'b', 'store');
    work = path.join(root, 'work');
    mkdirSync(work, { recursive: true });
    // What a crashed run leaves: a half-received instance and a torn MPPS step.
    mkdirSync(path.dirname(STALE_PART()), { recursive: true });
    writeFileSync(STALE_PART(), Buffer.alloc(1000));
    mkdirSync(path.dirname(CORRUPT_STEP()), { recursive: true });
    writeFileSync(CORRUPT_STEP(), '{"00400252": {"vr": "CS", "Val');
    // Already in the store (indexed at start-up): the big instance of the pipelining attack.
    mkdirSync(path.join(storeDir, BIG.study, BIG.series), { recursive: true });
    writeInstance(path.join(storeDir, BIG.study, BIG.series, `${BIG.sop}.dcm`), {
      studyUid: BIG.study,
      seriesUid: BIG.series,
      sopInstanceUid: BIG.sop,
      patientId: 'BIG',
      pixelBytes: 16 * MiB,
    });
    topic = uniqueTopic('hostile');
    a = await startAdapterProcess({
      storeDir,
      eventsFile: path.join(root, 'events.jsonl'),
      env: {
        KAFKA_BROKERS: (await kafkaBrokers()).join(','),
        EVENTS_TOPIC: topic,
        EVENTS_TOPIC_PARTITIONS: '1',
        SPOOL_DIR: path.join(root, 'spool'),
        DICOM_ARTIM_TIMEOUT_MS: '3000',
        DICOM_IDLE_TIMEOUT_MS: '4000',
        DICOM_WRITE_TIMEOUT_MS: '3000',
        DICOM_MAX_PENDING_REQUESTS: '8',
        DICOM_MAX_ASSOCIATIONS: '64',
        DICOM_MAX_ASSOCIATIONS_PER_ADDRESS: '8',
        DICOM_MAX_INSTANCE_BYTES: String(24 * MiB),
        ARCHIVE_MAX_MPPS_STEPS: '100',
      },
    });
  });

  after(async () => {
    if (process.env['HOSTILE_DEBUG']) process.stderr.write(a?.logs() ?? '');
    await a?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  test('start-up: an unfinished C-STORE file is swept, a corrupt MPPS step is quarantined (and start-up goes on)', () => {
    assert.equal(existsSync(STALE_PART()), false);
    assert.equal(existsSync(CORRUPT_STEP()), false);
    assert.ok(existsSync(path.join(path.dirname(CORRUPT_STEP()), 'quarantine', '1.2.3.4.json')));
    assert.match(a.logs(), /MPPS step file does not load; moved to quarantine/);
  });

  test('1. Study/Series Instance UID ".." and SOP Instance UID "1": refused (0xC000), nothing written outside the store', async () => {
    const file = path.join(work, 'dotdot.dcm');
    writeInstance(file, { studyUid: '..', seriesUid: '..', sopInstanceUid: '1' });
    await storescu('DOTDOT', file);
    assert.equal(await storeStatus('1'), 0xc000);
    assert.equal(existsSync(path.join(root, 'a', '1.dcm')), false);
    assert.equal(existsSync(path.join(storeDir, '1.dcm')), false);
    const e = a
      .events()
      .find((x) => x.type === 'EVT_C_STORE' && x.params['affected_sop_instance_uid'] === '1')!;
    assert.equal(e.params['error_comment'], 'Study Instance UID is not a UID');
  });

  test('4. a NUL in the calling AE title: A-ABORT, and EVT_INVALID_PDU names calling-ae-title', async () => {
    const peer = new RawPeer(a.port);
    await peer.ready();
    const rq = verificationRq('EVILXXAE');
    // The calling AE title is bytes 26..41 of the A-ASSOCIATE-RQ (PS3.8 Table 9-11).
    rq.write('EVIL\0AE', 26, 'latin1');
    peer.socket.write(rq);
    assert.equal(await peer.firstPduType(), 0x07, 'A-ABORT');
    await waitFor(
      () => a.events().some((e) => e.type === 'EVT_INVALID_PDU' && e.params['field'] === 'calling-ae-title'),
      10_000,
      'EVT_INVALID_PDU',
    );
    const bad = a
      .events()
      .find((e) => e.type === 'EVT_INVALID_PDU' && e.params['field'] === 'calling-ae-title')!;
    assert.equal(bad.params['code'], 'DT_ERR_PDU_INVALID_VALUE');
    assert.match(String(bad.params['message']), /control character 0x00/);
    peer.destroy();
  });

  test('2. C-FIND "*a*a…*b" (25 wildcards) against a 64-character PatientName answers at once; a C-ECHO meanwhile is served', async () => {
    const file = path.join(work, 'aaaa.dcm');
    const { sopInstanceUid } = writeInstance(file, { patientName: 'a'.repeat(64), patientId: 'AAAA' });
    await storescu('LONGNAME', file);
    assert.equal(await storeStatus(sopInstanceUid), 0);
    const findDir = mkdtempSync(path.join(work, 'find-'));
    const pattern = `${'*a'.repeat(25)}*b`;
    const [find, echoed] = await Promise.all([
      runDcmtk(
        'findscu',
        [
          '-S',
          '-aet',
          'WILDCARD',
          '-aec',
          'DICOMTRAIL',
          '-k',
          'QueryRetrieveLevel=STUDY',
          '-k',
          `PatientName=${pattern}`,
          '-k',
          'StudyInstanceUID',
          '-X',
          '127.0.0.1',
          port(),
        ],
        { timeoutMs: 20_000, cwd: findDir },
      ),
      new Promise((r) => setTimeout(r, 100)).then(() => echo('BYSTANDER')),
    ]);
    assert.equal(find.code, 0, find.stderr);
    assert.equal(readdirSync(findDir).filter((f) => f.startsWith('rsp')).length, 0, 'no match');
    assert.equal(echoed.code, 0, 'the other association was served');
  });

  test('3. a deflate bomb as C-FIND identifier: 0xC310 failure status, the adapter stays up', async () => {
    // QueryRetrieveLevel, then an OB of 256 MiB of zeros: ~250 KB once deflated.
    const head = encodeDataset({ '00080052': { vr: 'CS', Value: ['STUDY'] } }, EXPLICIT_LE);
    const ob = Buffer.alloc(12);
    ob.writeUInt16LE(0x0009, 0);
    ob.writeUInt16LE(0x1010, 2);
    ob.write('OB', 4, 'latin1');
    ob.writeUInt32LE(256 * MiB, 8);
    const deflate = createDeflateRaw({ level: 9 });
    const parts: Buffer[] = [];
    deflate.on('data', (d: Buffer) => parts.push(d));
    const done = new Promise((r) => deflate.on('end', r));
    deflate.write(Buffer.concat([head, ob]));
    const zeros = Buffer.alloc(MiB);
    for (let i = 0; i < 256; i++)
      if (!deflate.write(zeros)) await new Promise((r) => deflate.once('drain', r));
    deflate.end();
    await done;
    const bomb = Buffer.concat(parts);
    assert.ok(bomb.length < 2 * MiB, `bomb is ${bomb.length} bytes`);
    const rssBefore = a.rssKb();
    const c = await client('BOMBER', [{ abstractSyntax: STUDY_ROOT_FIND, transferSyntaxes: [DEFLATED] }]);
    const ctx = c.context(STUDY_ROOT_FIND, DEFLATED);
    const rsp = await c.association.dimse.request(
      ctx,
      buildCFindRq({ messageId: 1, affectedSopClassUid: STUDY_ROOT_FIND }),
      bomb,
    );
    assert.equal(rsp.command.status, 0xc310);
    await c.release();
    const grewMb = (a.rssKb() - rssBefore) / 1024;
    assert.ok(grewMb < 200, `adapter RSS grew ${grewMb.toFixed(0)} MB`);
    assert.equal((await echo('AFTERBOMB')).code, 0);
  });

  let longStudy: string;
  test('5+6. a 2 MB LT in (0010,4000) before group 0020: filed under its study/series, found by C-FIND, and its event is small', async () => {
    longStudy = uid();
    const series = uid();
    const file = path.join(work, 'long-lt.dcm');
    const comments = 'x'.repeat(2 * MiB);
    const { sopInstanceUid } = writeInstance(file, {
      transferSyntax: IMPLICIT_LE,
      studyUid: longStudy,
      seriesUid: series,
      patientId: 'LONG-LT',
      extra: { '00104000': { vr: 'LT', Value: [comments] } },
    });
    await storescu('LONGLT', file);
    assert.equal(await storeStatus(sopInstanceUid), 0);
    assert.ok(
      existsSync(path.join(storeDir, longStudy, series, `${sopInstanceUid}.dcm`)),
      'filed by its UIDs',
    );
    const findDir = mkdtempSync(path.join(work, 'find-'));
    const find = await runDcmtk(
      'findscu',
      [
        '-S',
        '-aet',
        'FINDLONG',
        '-aec',
        'DICOMTRAIL',
        '-k',
        'QueryRetrieveLevel=SERIES',
        '-k',
        `StudyInstanceUID=${longStudy}`,
        '-k',
        'SeriesInstanceUID',
        '-X',
        '127.0.0.1',
        port(),
      ],
      { timeoutMs: 20_000, cwd: findDir },
    );
    assert.equal(find.code, 0, find.stderr);
    assert.equal(readdirSync(findDir).filter((f) => f.startsWith('rsp')).length, 1, 'found by C-FIND');
    const line = readFileSync(a.eventsFile, 'utf8')
      .split('\n')
      .find((l) => l.includes('"EVT_C_STORE"') && l.includes(sopInstanceUid))!;
    assert.ok(line.length < 64 * 1024, `EVT_C_STORE is ${line.length} bytes`);
    const ds = (JSON.parse(line) as Envelope).params['dataset'] as Record<
      string,
      { vr: string; Value?: unknown[]; BulkData?: unknown }
    >;
    assert.deepEqual(ds['0020000D']?.Value, [longStudy]);
    assert.deepEqual(ds['0020000E']?.Value, [series]);
    const raw = Buffer.from(comments, 'latin1');
    assert.deepEqual(ds['00104000']?.BulkData, {
      length: raw.length,
      sha256: createHash('sha256').update(raw).digest('hex'),
    });
  });

  test('9. the same SOP Instance UID again: same content succeeds, other content is refused (0x0111), a data set under another UID too (0xC000); the original kept', async () => {
    const sop = uid();
    const study = uid();
    const series = uid();
    const first = path.join(work, 'orig.dcm');
    writeInstance(first, {
      sopInstanceUid: sop,
      studyUid: study,
      seriesUid: series,
      patientName: 'Original^Patient',
    });
    await storescu('DUP', first);
    assert.equal(await storeStatus(sop), 0);
    const stored = path.join(storeDir, study, series, `${sop}.dcm`);
    const original = readFileSync(stored);
    const count = () =>
      a.events().filter((x) => x.type === 'EVT_C_STORE' && x.params['affected_sop_instance_uid'] === sop)
        .length;
    await storescu('DUP', first);
    await waitFor(() => count() === 2, 20_000, 'second C-STORE');
    const forged = path.join(work, 'forged.dcm');
    writeInstance(forged, {
      sopInstanceUid: sop,
      studyUid: study,
      seriesUid: series,
      patientName: 'Forged^Patient',
    });
    await storescu('DUP', forged);
    // Another study and series: the index still knows the UID.
    const elsewhere = path.join(work, 'elsewhere.dcm');
    writeInstance(elsewhere, { sopInstanceUid: sop, patientName: 'Forged^Patient' });
    await storescu('DUP', elsewhere);
    await waitFor(() => count() === 4, 20_000, 'four C-STOREs');
    const statuses = a
      .events()
      .filter((x) => x.type === 'EVT_C_STORE' && x.params['affected_sop_instance_uid'] === sop)
      .map((x) => x.params['status']);
    assert.deepEqual(statuses, [0, 0, 0x0111, 0x0111]);
    // A request naming a new SOP Instance UID for a data set that carries the stored one.
    const c = await client('MISMATCH', [
      { abstractSyntax: SC_IMAGE_STORAGE, transferSyntaxes: [EXPLICIT_LE] },
    ]);
    const other = makeInstance({ sopInstanceUid: sop, patientName: 'Forged^Patient' });
    const mismatch = await c.store(
      SC_IMAGE_STORAGE,
      uid(),
      EXPLICIT_LE,
      other.bytes.subarray(other.datasetOffset),
    );
    await c.release();
    assert.equal(mismatch, 0xc000);
    assert.ok(readFileSync(stored).equals(original), 'the original file is untouched');
  });

  test('10. an instance past DICOM_MAX_INSTANCE_BYTES: A700, nothing kept', async () => {
    const file = path.join(work, 'huge.dcm');
    const { sopInstanceUid } = writeInstance(file, { pixelBytes: 26 * MiB });
    await storescu('HUGE', file);
    assert.equal(await storeStatus(sopInstanceUid), 0xa700);
    assert.deepEqual(temporaryFiles(storeDir), []);
  });

  test('12. a storage error names no UID in the log (the failure is still audited)', async () => {
    const study = uid();
    // A file where the study folder would go: filing fails (ENOTDIR).
    writeFileSync(path.join(storeDir, study), 'in the way');
    const file = path.join(work, 'blocked.dcm');
    const { sopInstanceUid } = writeInstance(file, { studyUid: study });
    await storescu('BLOCKED', file);
    assert.equal(await storeStatus(sopInstanceUid), 0xc211);
    await waitFor(() => a.logs().includes('C-STORE handler failed'), 10_000, 'the failure logged');
    assert.equal(a.logs().includes(study), false, 'no Study Instance UID in the log');
    assert.equal(a.logs().includes(sopInstanceUid), false, 'no SOP Instance UID in the log');
  });

  test('8. 70 connections that never send an A-ASSOCIATE-RQ do not lock storescu out, and ARTIM closes them', async () => {
    const idle: RawPeer[] = [];
    for (let i = 0; i < 70; i++) idle.push(new RawPeer(a.port, '127.0.0.2'));
    await Promise.all(idle.map((p) => p.ready()));
    const file = path.join(work, 'while-idle.dcm');
    const { sopInstanceUid } = writeInstance(file);
    await storescu('WHILEIDLE', file);
    assert.equal(await storeStatus(sopInstanceUid), 0);
    await waitFor(() => idle.every((p) => p.closed), 15_000, 'ARTIM closing the idle connections');
  });

  test('8. per address: the 9th association from one address is rejected (transient, local limit), others are served', async () => {
    const peers: RawPeer[] = [];
    for (let i = 0; i < 9; i++) {
      const p = new RawPeer(a.port, '127.0.0.3');
      await p.ready();
      p.socket.write(verificationRq(`CROWD${i}`));
      // One at a time: the 9th must come after the 8 were admitted.
      await p.firstPduType();
      peers.push(p);
    }
    assert.deepEqual(
      peers.map((p) => p.received[0]),
      [2, 2, 2, 2, 2, 2, 2, 2, 3],
    );
    const rj = peers[8]!.received;
    assert.deepEqual(
      [rj[7], rj[8], rj[9]],
      [2, 3, 2],
      'result transient, source provider (presentation), local limit exceeded',
    );
    assert.equal((await echo('OTHERADDR')).code, 0);
    for (const p of peers) p.destroy();
  });

  test('8. an established association with no traffic is aborted after DICOM_IDLE_TIMEOUT_MS, with the reason recorded', async () => {
    const c = await client('SILENT', [
      { abstractSyntax: '1.2.840.10008.1.1', transferSyntaxes: [IMPLICIT_LE] },
    ]);
    const outcome = await Promise.race([
      c.association.closed(),
      new Promise((r) => setTimeout(() => r('still open'), 15_000)),
    ]);
    assert.deepEqual((outcome as { kind?: string }).kind, 'aborted');
    await waitFor(
      () => a.events().some((e) => e.type === 'EVT_ABORTED' && e.association.calling_ae_title === 'SILENT'),
      10_000,
      'EVT_ABORTED',
    );
    const ab = a
      .events()
      .find((e) => e.type === 'EVT_ABORTED' && e.association.calling_ae_title === 'SILENT')!;
    assert.match(String((ab.params['cause'] as { detail?: string }).detail), /idle for \d+ ms/);
  });

  test('7. pipelined requests whose answers are never read: reading stops, memory stays bounded, the association is aborted after the write timeout', async () => {
    const c = await client('PIPELINER', [
      { abstractSyntax: STUDY_ROOT_GET, transferSyntaxes: [EXPLICIT_LE] },
      { abstractSyntax: SC_IMAGE_STORAGE, transferSyntaxes: [EXPLICIT_LE], scuRole: true, scpRole: true },
    ]);
    const rssBefore = a.rssKb();
    // From here on this peer reads nothing.
    c.association.dul.pauseReading('attack');
    const identifier = encodeDataset(
      {
        '00080052': { vr: 'CS', Value: ['IMAGE'] },
        '0020000D': { vr: 'UI', Value: [BIG.study] },
        '0020000E': { vr: 'UI', Value: [BIG.series] },
        '00080018': { vr: 'UI', Value: [BIG.sop] },
      },
      EXPLICIT_LE,
    );
    const dimse = c.association.dimse;
    const getCtx = c.context(STUDY_ROOT_GET);
    const storeCtx = c.context(SC_IMAGE_STORAGE);
    const inst = makeInstance({ pixelBytes: MiB });
    const dataset = inst.bytes.subarray(inst.datasetOffset);
    const sends: Array<() => Promise<void>> = [];
    for (let i = 0; i < 3; i++)
      sends.push(() =>
        dimse.send(
          getCtx,
          buildCGetRq({ messageId: 100 + i, affectedSopClassUid: STUDY_ROOT_GET }),
          identifier,
        ),
      );
    for (let i = 0; i < 64; i++)
      sends.push(() =>
        dimse.send(
          storeCtx,
          buildCStoreRq({
            messageId: 200 + i,
            affectedSopClassUid: SC_IMAGE_STORAGE,
            affectedSopInstanceUid: uid(),
          }),
          dataset,
        ),
      );
    let sent = 0;
    for (const send of sends) {
      // A send that has not gone out within 1 s: the adapter stopped reading (its write timeout, 3 s, has
      // not passed yet: after the abort it reads and drops what comes until the connection closes).
      const stalled = await Promise.race([
        send().then(
          () => false,
          () => true,
        ),
        new Promise<boolean>((r) => setTimeout(() => r(true), 1000)),
      ]);
      if (stalled) break;
      sent++;
    }
    assert.ok(sent < sends.length, `the adapter read all ${sends.length} requests (${sent})`);
    await waitFor(
      () =>
        a.events().some((e) => e.type === 'EVT_ABORTED' && e.association.calling_ae_title === 'PIPELINER'),
      20_000,
      'EVT_ABORTED for the pipeliner',
    );
    const ab = a
      .events()
      .find((e) => e.type === 'EVT_ABORTED' && e.association.calling_ae_title === 'PIPELINER')!;
    assert.match(String((ab.params['cause'] as { detail?: string }).detail), /did not read for \d+ ms/);
    // Bounded by the limits, not by what the peer sends: the C-GET's 16 MiB instance (read whole, fragmented,
    // described in events) and at most DICOM_MAX_PENDING_REQUESTS data sets of 1 MiB (measured: ~160 MB).
    const grewMb = (a.rssKb() - rssBefore) / 1024;
    assert.ok(grewMb < 256, `adapter RSS grew ${grewMb.toFixed(0)} MB`);
    testLog.info({ sent, total: sends.length, rss_growth_mb: Math.round(grewMb) }, 'pipelining attack');
    c.association.dul.resumeReading('attack');
    c.abort();
  });

  test('11. stored instances 0600 in 0700 folders; journal, MPPS steps, JSONL events and spool segments 0600', () => {
    const mode = (p: string): number => statSync(p).mode & 0o777;
    const study = readdirSync(storeDir).find((d) => d === longStudy)!;
    const series = readdirSync(path.join(storeDir, study))[0]!;
    const file = readdirSync(path.join(storeDir, study, series))[0]!;
    assert.equal(mode(path.join(storeDir, study, series, file)).toString(8), '600');
    assert.equal(mode(path.join(storeDir, study, series)).toString(8), '700');
    assert.equal(mode(path.join(storeDir, study)).toString(8), '700');
    assert.equal(mode(storeDir).toString(8), '700');
    assert.equal(mode(path.join(storeDir, '.archive', 'instances.jsonl')).toString(8), '600');
    assert.equal(mode(a.eventsFile).toString(8), '600');
    const spool = path.join(root, 'spool');
    assert.equal(mode(spool).toString(8), '700');
    for (const f of readdirSync(spool).filter((n) => n.endsWith('.seg') || n.startsWith('ack')))
      assert.equal(mode(path.join(spool, f)).toString(8), '600', f);
  });

  test('13. after all of it: a normal storescu is served and its trail in Kafka is complete', async () => {
    const file = path.join(work, 'normal.dcm');
    const { sopInstanceUid } = writeInstance(file, { patientId: 'NORMAL' });
    await storescu('NORMAL', file);
    assert.equal(await storeStatus(sopInstanceUid), 0);
    const store = a
      .events()
      .find((e) => e.type === 'EVT_C_STORE' && e.params['affected_sop_instance_uid'] === sopInstanceUid)!;
    const id = store.association.id;
    await waitFor(() => ended(eventsOf(id)) !== undefined, 10_000, 'the association ended');
    const local = eventsOf(id);
    assert.equal(ended(local)?.type, 'EVT_RELEASED');
    const records = await readTopic(topic, {
      until: (rs) => rs.filter((r) => r.key === id).length >= local.length,
      timeoutMs: 60_000,
    });
    const inKafka = records
      .filter((r) => r.key === id)
      .map((r) => JSON.parse(r.value!.toString('utf8')) as Envelope);
    for (const e of inKafka) assert.ok(parseEvent(e).ok, `${e.type} is schema-valid`);
    assert.deepEqual(
      inKafka.map((e) => e.seq),
      local.map((_, i) => i),
      'every event of the association, once, in seq order',
    );
    assert.deepEqual(
      inKafka.map((e) => e.type),
      local.map((e) => e.type),
    );
  });
});
