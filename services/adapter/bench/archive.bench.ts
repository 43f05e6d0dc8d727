/**
 * The archive node (issue 7), two measurements, printed as Markdown tables, figures written to
 * bench-results/adapter-archive.json at the repo root:
 *
 * (a) C-FIND at study level over an index of 100,000 instances (1,000 patients × 2 studies × 2 series ×
 *     25 instances, built in-process: the query path reads only the index, so no files are needed), served
 *     by our SCP in this process and asked by our SCU on one open association: time to the first pending
 *     result and to the final response, median of BENCH_FIND_REPS, for an all-studies query (2,000 results),
 *     a one-month date range and a patient-name wildcard; plus findscu (dcmtk) timed from spawn to exit
 *     for the all-studies query. Also the cost of building the index and of replaying its journal.
 *     No dcmtk comparison here: dcmqrscp would need the 100,000 instances stored into it first.
 * (b) C-MOVE of 1,000 instances (~1 KB, one study) to a dcmtk storescp, asked by dcmtk's movescu, from our
 *     adapter (the CLI, a separate process, the instances put in its store before start-up) and from
 *     dcmtk's dcmqrscp (its default mode, one forked process per association: --single-process crashes after
 *     the first release in 3.6.7 here; the instances sent to it with storescu first). Rounds interleaved,
 *     order rotating; instances/s of the median round and the ratio ours / dcmtk.
 *
 * Knobs: BENCH_INSTANCES (100000), BENCH_FIND_REPS (5), BENCH_MOVE_COUNT (1000), BENCH_ROUNDS (3), BENCH_TMP.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { IndexJournal } from '../src/archive/index-journal.js';
import { type IndexedInstance, InstanceIndex } from '../src/archive/instance-index.js';
import { associate } from '../src/association/client.js';
import type { DicomJson } from '../src/dataset/dicom-json.js';
import { encodeDataset } from '../src/dataset/encode-dataset.js';
import { STUDY_ROOT_FIND } from '../src/dataset/uids.js';
import { buildCFindRq } from '../src/dimse/c-find.js';
import { startArchiveServer, writeArchiveInstance } from '../test/support/archive.js';
import { testLog } from '../test/support/server.js';
import {
  adapterCliPath,
  countFiles,
  emptyDir,
  freePort,
  intEnv,
  killAll,
  median,
  progress,
  repoRoot,
  rotate,
  round,
  runTool,
  track,
  waitListening,
} from './bench-support.js';

const cliPath = adapterCliPath;
const INSTANCES = intEnv('BENCH_INSTANCES', 100_000);
const FIND_REPS = intEnv('BENCH_FIND_REPS', 5);
const MOVE_COUNT = intEnv('BENCH_MOVE_COUNT', 1000);
const ROUNDS = intEnv('BENCH_ROUNDS', 3);
const U = '1.2.826.0.1.3680043.10.1386.80';

const tmp = mkdtempSync(path.join(process.env['BENCH_TMP'] ?? os.tmpdir(), 'dt-bench-archive-'));
process.once('exit', () => {
  killAll();
  rmSync(tmp, { recursive: true, force: true });
});
for (const sig of ['SIGINT', 'SIGTERM'] as const)
  process.once(sig, () => {
    killAll();
    process.exit(130);
  });

const el = (vr: string, v: unknown): DicomJson[string] => ({ vr, Value: [v] });

/** Instance i of the synthetic 100k index. */
function syntheticInstance(i: number): IndexedInstance {
  const perStudy = Math.max(1, Math.floor(INSTANCES / 2000));
  const study = Math.floor(i / perStudy);
  const patient = Math.floor(study / 2);
  const series = study * 2 + (i % perStudy < perStudy / 2 ? 0 : 1);
  const month = String((study % 12) + 1).padStart(2, '0');
  return {
    path: `/bench/${i}.dcm`,
    transferSyntax: '1.2.840.10008.1.2.1',
    attributes: {
      '00100010': el('PN', { Alphabetic: `Doe^P${patient}` }),
      '00100020': el('LO', `PID-${patient}`),
      '00100030': el('DA', '19700101'),
      '00100040': el('CS', patient % 2 ? 'F' : 'M'),
      '0020000D': el('UI', `${U}.1.${study}`),
      '00080020': el('DA', `2024${month}15`),
      '00080030': el('TM', '101500'),
      '00080050': el('SH', `ACC${study}`),
      '00081030': el('LO', 'BENCH STUDY'),
      '0020000E': el('UI', `${U}.2.${series}`),
      '00080060': el('CS', series % 2 ? 'MR' : 'CT'),
      '00200011': el('IS', series % 2),
      '00080018': el('UI', `${U}.3.${i}`),
      '00080016': el('UI', '1.2.840.10008.5.1.4.1.1.7'),
      '00200013': el('IS', i % perStudy),
    },
  };
}

interface FindRow {
  query: string;
  results: number;
  firstMs: number;
  fullMs: number;
}

async function benchFind(): Promise<{
  rows: FindRow[];
  buildMs: number;
  replayMs: number;
  findscuMs: number;
}> {
  progress(`C-FIND: building an index of ${INSTANCES} instances`);
  const s = await startArchiveServer({ sinks: [] });
  const t0 = performance.now();
  const records: IndexedInstance[] = [];
  for (let i = 0; i < INSTANCES; i++) records.push(syntheticInstance(i));
  for (const r of records) s.archive.index.index.add(r);
  const buildMs = performance.now() - t0;
  // Journal replay: write the 100k lines, then read and index them again (what a restart does before its scan).
  const journalFile = path.join(tmp, 'instances.jsonl');
  const journal = new IndexJournal(journalFile, '/');
  journal.rewrite(records);
  const t1 = performance.now();
  const replayed = new InstanceIndex();
  for (const r of journal.read().records) replayed.add(r);
  const replayMs = performance.now() - t1;
  progress(`index built in ${Math.round(buildMs)} ms, journal replayed in ${Math.round(replayMs)} ms`);

  const c = await associate({
    host: '127.0.0.1',
    port: s.port,
    callingAeTitle: 'BENCH',
    calledAeTitle: 'DICOMTRAIL',
    contexts: [{ abstractSyntax: STUDY_ROOT_FIND, transferSyntaxes: ['1.2.840.10008.1.2.1'] }],
    log: testLog,
    maxPduReceive: 65536,
  });
  const ctx = c.context(STUDY_ROOT_FIND);
  const base: DicomJson = {
    '00080052': el('CS', 'STUDY'),
    '0020000D': { vr: 'UI' },
    '00100010': { vr: 'PN' },
    '00100020': { vr: 'LO' },
    '00080020': { vr: 'DA' },
    '00080050': { vr: 'SH' },
    '00080061': { vr: 'CS' },
    '00201208': { vr: 'IS' },
  };
  const queries: [string, DicomJson][] = [
    ['all studies (universal)', base],
    ['StudyDate=20240301-20240331', { ...base, '00080020': el('DA', '20240301-20240331') }],
    ['PatientName=Doe^P12*', { ...base, '00100010': el('PN', { Alphabetic: 'Doe^P12*' }) }],
  ];
  const rows: FindRow[] = [];
  for (const [name, q] of queries) {
    const firsts: number[] = [];
    const fulls: number[] = [];
    let results = 0;
    for (let rep = 0; rep < FIND_REPS + 1; rep++) {
      const t = performance.now();
      let first: number | undefined;
      let n = 0;
      const rq = buildCFindRq({
        messageId: c.association.dimse.nextMessageId(),
        affectedSopClassUid: STUDY_ROOT_FIND,
      });
      // Raw responses: the time is the SCP's (our SCU would add a dcmjs decode per response).
      for await (const m of c.requestAll(ctx, rq, encodeDataset(q, ctx.transferSyntax))) {
        first ??= performance.now() - t;
        const st = m.command.status ?? -1;
        if (st === 0xff00 || st === 0xff01) n++;
        else if (st !== 0) throw new Error(`C-FIND ${name}: status ${st.toString(16)}`);
      }
      if (rep === 0) continue; // warm-up
      firsts.push(first ?? 0);
      fulls.push(performance.now() - t);
      results = n;
    }
    rows.push({ query: name, results, firstMs: median(firsts), fullMs: median(fulls) });
    progress(
      `C-FIND ${name}: ${results} results, first ${median(firsts).toFixed(1)} ms, all ${median(fulls).toFixed(1)} ms`,
    );
  }
  await c.release();
  const findscuRuns: number[] = [];
  for (let rep = 0; rep < 3; rep++) {
    const r = await runTool('findscu', [
      '-S',
      '-aet',
      'BENCH',
      '-aec',
      'DICOMTRAIL',
      '-k',
      'QueryRetrieveLevel=STUDY',
      '-k',
      'StudyInstanceUID',
      '-k',
      'PatientName',
      '-k',
      'StudyDate',
      '127.0.0.1',
      String(s.port),
    ]);
    if (r.code !== 0) throw new Error(`findscu failed: ${r.stderr.slice(-500)}`);
    findscuRuns.push(r.seconds * 1000);
  }
  await s.close();
  return { rows, buildMs, replayMs, findscuMs: median(findscuRuns) };
}

// ---------------------------------------------------------------- C-MOVE: ours vs dcmqrscp

interface Scp {
  label: string;
  port: number;
  aeTitle: string;
  child: ChildProcess;
}

async function startOurs(storeDir: string, destPort: number): Promise<Scp> {
  const port = await freePort();
  const child = track(
    spawn(process.execPath, [cliPath, 'adapter', '--port', String(port), '--store-dir', storeDir], {
      env: {
        ...process.env,
        ARCHIVE_MOVE_DESTINATIONS: `STORESCP=127.0.0.1:${destPort}`,
        LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'warn',
        KAFKA_BROKERS: '',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    }),
  );
  await waitListening(port, child, 'our archive');
  return { label: 'dicomtrail archive', port, aeTitle: 'DICOMTRAIL', child };
}

async function startDcmqrscp(dbDir: string, destPort: number): Promise<Scp> {
  const port = await freePort();
  const cfg = path.join(tmp, 'dcmqrscp.cfg');
  writeFileSync(
    cfg,
    [
      `NetworkTCPPort  = ${port}`,
      'MaxPDUSize      = 65536',
      'MaxAssociations = 16',
      'HostTable BEGIN',
      `storescp = (STORESCP, 127.0.0.1, ${destPort})`,
      'HostTable END',
      'VendorTable BEGIN',
      'VendorTable END',
      'AETable BEGIN',
      `DCMQRSCP ${dbDir} RW (10, 4096mb) ANY`,
      'AETable END',
      '',
    ].join('\n'),
  );
  const child = track(
    spawn('dcmqrscp', ['-c', cfg], {
      env: { ...process.env, TCP_NODELAY: '1' },
      stdio: ['ignore', 'ignore', 'inherit'],
    }),
  );
  await waitListening(port, child, 'dcmqrscp');
  return { label: 'dcmtk dcmqrscp', port, aeTitle: 'DCMQRSCP', child };
}

async function benchMove(): Promise<{ ours: number[]; dcmtk: number[] }> {
  const studyUid = `${U}.9.1`;
  const inputs = path.join(tmp, 'move-input');
  const ourStore = path.join(tmp, 'our-store');
  const dbDir = path.join(tmp, 'dcmqrscp-db');
  const received = path.join(tmp, 'received');
  for (const d of [inputs, path.join(ourStore, 'preloaded'), dbDir, received])
    mkdirSync(d, { recursive: true });
  progress(`C-MOVE: making ${MOVE_COUNT} instances`);
  for (let i = 0; i < MOVE_COUNT; i++) {
    const spec = {
      patientId: 'PID-MOVE',
      patientName: 'Move^Bench',
      studyUid,
      studyDate: '20240101',
      studyTime: '090000',
      accession: 'MOVE1',
      seriesUid: `${U}.9.2.${i % 10}`,
      modality: 'OT',
      sopInstanceUid: `${U}.9.3.${i}`,
      instanceNumber: i,
    };
    writeArchiveInstance(path.join(inputs, `m${i}.dcm`), spec);
    writeArchiveInstance(path.join(ourStore, 'preloaded', `m${i}.dcm`), spec);
  }
  const destPort = await freePort();
  const storescp = track(
    spawn('storescp', ['-aet', 'STORESCP', '-od', received, String(destPort)], {
      env: { ...process.env, TCP_NODELAY: '1' },
      stdio: 'ignore',
    }),
  );
  await waitListening(destPort, storescp, 'storescp');
  const ours = await startOurs(ourStore, destPort);
  const dcmtk = await startDcmqrscp(dbDir, destPort);
  progress('C-MOVE: storing the instances into dcmqrscp with storescu');
  const load = await runTool('storescu', [
    '-aec',
    'DCMQRSCP',
    '+sd',
    '127.0.0.1',
    String(dcmtk.port),
    inputs,
  ]);
  if (load.code !== 0) throw new Error(`storescu to dcmqrscp failed: ${load.stderr.slice(-500)}`);
  const times: Record<string, number[]> = { ours: [], dcmtk: [] };
  const move = async (scp: Scp): Promise<number> => {
    emptyDir(received);
    const r = await runTool('movescu', [
      '-S',
      '-aet',
      'MOVER',
      '-aec',
      scp.aeTitle,
      '-aem',
      'STORESCP',
      '-k',
      'QueryRetrieveLevel=STUDY',
      '-k',
      `StudyInstanceUID=${studyUid}`,
      '127.0.0.1',
      String(scp.port),
    ]);
    const got = countFiles(received);
    if (r.code !== 0 || got !== MOVE_COUNT)
      throw new Error(`${scp.label}: movescu exit ${r.code}, ${got} files: ${r.stderr.slice(-500)}`);
    return r.seconds;
  };
  await move(ours); // warm-up
  await move(dcmtk);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, scp] of rotate(
      [
        ['ours', ours],
        ['dcmtk', dcmtk],
      ] as const,
      round,
    )) {
      const sec = await move(scp);
      times[name]!.push(sec);
      progress(`round ${round + 1}: ${scp.label} ${(MOVE_COUNT / sec).toFixed(0)} instances/s`);
    }
  }
  return { ours: times['ours']!, dcmtk: times['dcmtk']! };
}

const find = await benchFind();
const moveTimes = await benchMove();
killAll('SIGTERM');

const oursRate = MOVE_COUNT / median(moveTimes.ours);
const dcmtkRate = MOVE_COUNT / median(moveTimes.dcmtk);
const lines = [
  `### Archive: C-FIND at study level over ${INSTANCES.toLocaleString('en')} indexed instances (our SCU, one association, median of ${FIND_REPS})`,
  '',
  '| query | results | first result (ms) | all results (ms) |',
  '| --- | ---: | ---: | ---: |',
  ...find.rows.map((r) => `| ${r.query} | ${r.results} | ${r.firstMs.toFixed(1)} | ${r.fullMs.toFixed(1)} |`),
  `| findscu (dcmtk), all studies, spawn to exit | 2000 | - | ${find.findscuMs.toFixed(1)} |`,
  '',
  `Index of ${INSTANCES.toLocaleString('en')} instances: built in ${Math.round(find.buildMs)} ms; journal replay (read, parse, index) ${Math.round(find.replayMs)} ms.`,
  '',
  `### Archive: C-MOVE of ${MOVE_COUNT} instances (~1 KB) to dcmtk storescp, asked by movescu (median of ${ROUNDS} interleaved rounds)`,
  '',
  '| SCP | seconds | instances/s | ratio to dcmtk |',
  '| --- | ---: | ---: | ---: |',
  `| dicomtrail archive (adapter CLI) | ${median(moveTimes.ours).toFixed(2)} | ${oursRate.toFixed(0)} | ${(oursRate / dcmtkRate).toFixed(2)} |`,
  `| dcmtk dcmqrscp | ${median(moveTimes.dcmtk).toFixed(2)} | ${dcmtkRate.toFixed(0)} | 1.00 |`,
];
process.stdout.write(`${lines.join('\n')}\n`);
const outDir = path.join(repoRoot, 'bench-results');
mkdirSync(outDir, { recursive: true });
writeFileSync(
  path.join(outDir, 'adapter-archive.json'),
  `${JSON.stringify(
    {
      when: new Date().toISOString(),
      find: { instances: INSTANCES, ...find, rows: find.rows },
      move: {
        count: MOVE_COUNT,
        rounds: ROUNDS,
        seconds: moveTimes,
        instancesPerSecond: { ours: round(oursRate, 1), dcmtk: round(dcmtkRate, 1) },
        ratio: round(oursRate / dcmtkRate, 3),
      },
    },
    null,
    2,
  )}\n`,
);
process.exit(0);
