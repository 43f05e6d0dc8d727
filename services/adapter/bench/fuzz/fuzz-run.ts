/**
 * Runs mutated DIMSE cases against a real adapter process (the `dicomtrail adapter` CLI in scp mode: archive,
 * worklist, MPPS, storage commitment, events built and written as JSONL), one association reused until the
 * adapter ends it. After each case the peer's C-ECHO probe must be answered; if it is not, a fresh association's
 * C-ECHO decides: answered means that association stalled (counted, closed), unanswered or a dead process is a
 * crash (counted with its case, the adapter restarted). RSS is the adapter's peak (VmHWM) per process.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type FuzzCase, fuzzCase } from './dimse-cases.js';
import { type CaseOutcome, FuzzPeer } from './fuzz-peer.js';

/**
 * How long a fresh association's C-ECHO may take before the adapter counts as stopped answering. Generous: on a
 * shared 2-core machine at load 20 one C-STORE took the adapter 9 s of wall time for 0.8 s of CPU.
 */
const LIVENESS_TIMEOUT_MS = 30_000;
/**
 * How long an association whose probe went unanswered within the case timeout is given to answer after all
 * (a response, an A-ABORT or a close) before it counts as unanswered: the case timeout separates slow from fast,
 * this separates slow from never.
 */
const UNANSWERED_GRACE_MS = 20_000;

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli.js');

export interface FuzzOptions {
  seed: number;
  cases: number;
  /** Index of the first case (default 0): a run split into chunks covers the same cases as one run. */
  first?: number;
  /** How long one case (and its probe) may take before the liveness check (ms). */
  caseTimeoutMs?: number;
  /** Progress callback every `progressEvery` cases. */
  onProgress?: (stats: FuzzStats) => void;
  progressEvery?: number;
  /** Associations fuzzing at the same time (default 4). */
  concurrency?: number;
  /** Runs against the adapter after the last case, before it is stopped (a test checks it still serves). */
  afterCases?: (adapter: RunningAdapter) => Promise<void>;
  /** Stops the run early (the table then covers the cases run so far). */
  signal?: AbortSignal;
  /** Extra environment for the adapter. */
  env?: Record<string, string>;
}

export interface CrashReport {
  index: number;
  what: 'process died' | 'stopped answering';
  detail: string;
  mutations: string[];
  service: string;
  /** The other cases in flight at that moment (any of them may be the cause). */
  inFlight: number[];
}

/** A case whose association got no answer in time (neither a response nor an A-ABORT nor a close). */
export interface UnansweredCase {
  index: number;
  /** The whole association went silent, or only the case's request got no response. */
  what: 'association' | 'request';
  service: string;
  mutations: string[];
}

export interface FuzzStats {
  cases: number;
  answered: number;
  /** Associations that stalled on a case while the adapter kept serving others. */
  stalled: number;
  /** Those cases (the first 200), for replaying. */
  unanswered: UnansweredCase[];
  /** Cases answered (or ended by the adapter) only after the case timeout, within the grace period. */
  late: number;
  /** Those cases (the first 200) and how long their answer took (ms, the case timeout included). */
  lateCases: (Omit<UnansweredCase, 'what'> & { ms: number })[];
  /** Requests never answered though the association went on (the probe after them was answered). */
  requestsUnanswered: number;
  crashes: CrashReport[];
  abortsByReason: Map<string, number>;
  byService: Map<string, number>;
  associations: number;
  maxRssBytes: number;
  seconds: number;
}

export interface RunningAdapter {
  port: number;
  child: ChildProcess;
  storeDir: string;
  exited: boolean;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** Starts the adapter CLI in scp mode on a free port; resolves once it answers a C-ECHO. */
export async function startFuzzAdapter(
  env: Record<string, string> = {},
  eventsOut = '/dev/null',
): Promise<RunningAdapter> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'dt-fuzz-'));
  const storeDir = path.join(root, 'store');
  const worklist = path.join(root, 'worklist');
  mkdirSync(worklist, { recursive: true });
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [CLI, 'adapter', '--port', String(port), '--store-dir', storeDir, '--events-out', eventsOut],
    {
      env: {
        PATH: process.env['PATH'] ?? '',
        LOG_LEVEL: 'fatal',
        WORKLIST_DIR: worklist,
        ARCHIVE_MOVE_DESTINATIONS: `FUZZDEST=127.0.0.1:${await freePort()}`,
        DICOM_ARTIM_TIMEOUT_MS: '5000',
        ...env,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const adapter: RunningAdapter = {
    port,
    child,
    storeDir,
    exited: false,
    async stop() {
      if (!adapter.exited) {
        child.kill('SIGTERM');
        await new Promise<void>((r) => {
          const t = setTimeout(() => {
            child.kill('SIGKILL');
            r();
          }, 5000);
          child.once('exit', () => {
            clearTimeout(t);
            r();
          });
        });
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
  child.once('exit', () => {
    adapter.exited = true;
  });
  const t0 = Date.now();
  while (Date.now() - t0 < 30_000) {
    if (adapter.exited) throw new Error(`the adapter exited at start-up: ${stderr}`);
    if (await answersEcho(port, 2000)) return adapter;
    await new Promise((r) => setTimeout(r, 200));
  }
  await adapter.stop();
  throw new Error(`the adapter did not answer within 30 s: ${stderr}`);
}

/** A fresh association's C-ECHO is answered. */
export async function answersEcho(port: number, timeoutMs: number): Promise<boolean> {
  const peer = await FuzzPeer.open(port, timeoutMs).catch(() => 'failed');
  if (typeof peer === 'string') return false;
  try {
    const echo = fuzzEcho();
    const outcome = await peer.run(echo, timeoutMs);
    await peer.release();
    return outcome.kind === 'answered';
  } finally {
    peer.close();
  }
}

/** A valid C-ECHO as a case (the probe after it is the second echo). */
function fuzzEcho(): FuzzCase {
  for (let i = 0; ; i++) {
    const c = fuzzCase(0, i);
    if (c.service === 'C-ECHO' && c.mutations[0] === 'none (valid)') return c;
  }
}

function peakRss(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

function count(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

export async function runFuzz(opts: FuzzOptions): Promise<FuzzStats> {
  const t0 = Date.now();
  const timeoutMs = opts.caseTimeoutMs ?? 2000;
  const stats: FuzzStats = {
    cases: 0,
    answered: 0,
    stalled: 0,
    unanswered: [],
    late: 0,
    lateCases: [],
    requestsUnanswered: 0,
    crashes: [],
    abortsByReason: new Map(),
    byService: new Map(),
    associations: 0,
    maxRssBytes: 0,
    seconds: 0,
  };
  let adapter = await startFuzzAdapter(opts.env);
  /** Bumped at every restart: a case in flight across one ended because of another case. */
  let generation = 0;
  let restarting: Promise<void> | undefined;
  const first = opts.first ?? 0;
  const end = first + opts.cases;
  let next = first;
  /** Cases being run now, by any worker. */
  const inFlight = new Set<number>();
  const sample = setInterval(() => {
    stats.maxRssBytes = Math.max(stats.maxRssBytes, peakRss(adapter.child.pid));
  }, 500);

  async function restart(
    index: number,
    c: FuzzCase | undefined,
    detail: string,
    seen: number,
  ): Promise<void> {
    if (seen !== generation) return restarting;
    generation++;
    stats.crashes.push({
      index,
      what: adapter.exited ? 'process died' : 'stopped answering',
      detail: adapter.exited
        ? `${detail} (exit ${adapter.child.exitCode ?? adapter.child.signalCode})`
        : detail,
      mutations: c?.mutations ?? [],
      service: c?.service ?? '-',
      inFlight: [...inFlight].filter((x) => x !== index).sort((a, b) => a - b),
    });
    stats.maxRssBytes = Math.max(stats.maxRssBytes, peakRss(adapter.child.pid));
    restarting = (async () => {
      if (!adapter.exited) adapter.child.kill('SIGKILL');
      await adapter.stop();
      adapter = await startFuzzAdapter(opts.env);
      restarting = undefined;
    })();
    return restarting;
  }

  async function worker(): Promise<void> {
    let peer: FuzzPeer | undefined;
    let peerGeneration = generation;
    try {
      let retry: number | undefined;
      for (let i = next++; i < end && !opts.signal?.aborted; i = retry ?? next++) {
        retry = undefined;
        if (restarting) await restarting;
        if (!peer?.alive || peerGeneration !== generation) {
          peer?.close();
          peerGeneration = generation;
          const opened = await FuzzPeer.open(adapter.port, timeoutMs * 5);
          stats.associations++;
          if (typeof opened === 'string') {
            peer = undefined;
            count(stats.abortsByReason, `association not opened: ${opened}`);
            retry = i;
            if (!adapter.exited && (await answersEcho(adapter.port, LIVENESS_TIMEOUT_MS))) continue;
            await restart(
              i,
              undefined,
              `a new association failed (${opened}), then a C-ECHO too`,
              peerGeneration,
            );
            continue;
          }
          peer = opened;
        }
        const c = fuzzCase(opts.seed, i);
        count(stats.byService, c.service);
        inFlight.add(i);
        const outcome: CaseOutcome = await peer.run(c, timeoutMs);
        const done = ++stats.cases;
        const started = Date.now();
        if (peerGeneration !== generation)
          count(stats.abortsByReason, 'adapter restarted (another case crashed it)');
        else if (adapter.exited) await restart(i, c, 'the process exited', peerGeneration);
        else if (outcome.kind === 'answered') stats.answered++;
        else if (outcome.kind === 'aborted') count(stats.abortsByReason, `A-ABORT ${outcome.reason}`);
        else if (outcome.kind === 'closed') count(stats.abortsByReason, 'closed without A-ABORT');
        else {
          const late = await peer.awaitAnswer(UNANSWERED_GRACE_MS);
          if (late.kind === 'request-unanswered') {
            stats.requestsUnanswered++;
            if (stats.unanswered.length < 200)
              stats.unanswered.push({
                index: i,
                what: 'request',
                service: c.service,
                mutations: c.mutations,
              });
          } else if (late.kind !== 'no-answer') {
            stats.late++;
            if (stats.lateCases.length < 200)
              stats.lateCases.push({
                index: i,
                service: c.service,
                mutations: c.mutations,
                ms: timeoutMs + Date.now() - started,
              });
            if (late.kind === 'answered') stats.answered++;
            else
              count(
                stats.abortsByReason,
                late.kind === 'aborted' ? `A-ABORT ${late.reason}` : 'closed without A-ABORT',
              );
          } else {
            peer.close();
            if (await answersEcho(adapter.port, LIVENESS_TIMEOUT_MS)) {
              stats.stalled++;
              if (stats.unanswered.length < 200)
                stats.unanswered.push({
                  index: i,
                  what: 'association',
                  service: c.service,
                  mutations: c.mutations,
                });
              count(
                stats.abortsByReason,
                'no answer (closed by the fuzzer after the grace period; a new association was served)',
              );
            } else await restart(i, c, 'the probe and a fresh C-ECHO went unanswered', peerGeneration);
          }
        }
        inFlight.delete(i);
        if (opts.onProgress && done % (opts.progressEvery ?? 10_000) === 0) {
          stats.seconds = (Date.now() - t0) / 1000;
          opts.onProgress(stats);
        }
      }
      await peer?.release();
    } finally {
      peer?.close();
    }
  }

  try {
    await Promise.all(Array.from({ length: opts.concurrency ?? 4 }, () => worker()));
    if (opts.afterCases) {
      if (restarting) await restarting;
      await opts.afterCases(adapter);
    }
  } finally {
    clearInterval(sample);
    stats.maxRssBytes = Math.max(stats.maxRssBytes, peakRss(adapter.child.pid));
    await adapter.stop();
    stats.seconds = (Date.now() - t0) / 1000;
  }
  return stats;
}

/** The run as a table (markdown). */
export function fuzzTable(s: FuzzStats, seed: number, concurrency: number, first = 0): string {
  const rows: [string, string][] = [
    ['seed', String(seed)],
    ['case indices', `${first.toLocaleString('en-US')}-${(first + s.cases - 1).toLocaleString('en-US')}`],
    ['cases', s.cases.toLocaleString('en-US')],
    ['associations', s.associations.toLocaleString('en-US')],
    ['concurrent associations', String(concurrency)],
    ['probe answered (adapter served the case and the next C-ECHO)', s.answered.toLocaleString('en-US')],
    ['crashes (process died or stopped answering)', String(s.crashes.length)],
    ['cases answered late (after the case timeout, within the grace period)', String(s.late)],
    ['associations unanswered (no response, A-ABORT or close; others still served)', String(s.stalled)],
    [
      'requests unanswered (the association went on: the probe after them was answered)',
      String(s.requestsUnanswered),
    ],
    ['largest adapter RSS (VmHWM)', `${(s.maxRssBytes / 1048576).toFixed(1)} MiB`],
    ['seconds', s.seconds.toFixed(1)],
    ['cases/s', (s.cases / Math.max(s.seconds, 0.001)).toFixed(0)],
  ];
  const aborts = [...s.abortsByReason.entries()].sort((a, b) => b[1] - a[1]);
  const services = [...s.byService.entries()].sort((a, b) => b[1] - a[1]);
  return [
    '| measure | value |',
    '| --- | ---: |',
    ...rows.map(([k, v]) => `| ${k} | ${v} |`),
    '',
    '| association ended by | cases |',
    '| --- | ---: |',
    ...(aborts.length > 0
      ? aborts.map(([k, v]) => `| ${k} | ${v.toLocaleString('en-US')} |`)
      : ['| (none) | 0 |']),
    '',
    '| service of the case | cases |',
    '| --- | ---: |',
    ...services.map(([k, v]) => `| ${k} | ${v.toLocaleString('en-US')} |`),
    ...listing(
      ['crash at case', 'what', 'service', 'mutations', 'other cases in flight'],
      s.crashes.map((c) => [
        c.index,
        `${c.what}: ${c.detail}`,
        c.service,
        c.mutations.join('; '),
        c.inFlight.join(', '),
      ]),
    ),
    ...listing(
      ['late case', 'ms', 'service', 'mutations'],
      s.lateCases.map((u) => [u.index, u.ms, u.service, u.mutations.join('; ')]),
    ),
    ...listing(
      ['unanswered case', 'what went unanswered', 'service', 'mutations'],
      s.unanswered.map((u) => [u.index, u.what, u.service, u.mutations.join('; ')]),
    ),
  ].join('\n');
}

/** A table of listed cases (markdown), nothing when there are none. */
function listing(header: string[], rows: (string | number)[][]): string[] {
  if (rows.length === 0) return [];
  return [
    '',
    `| ${header.join(' | ')} |`,
    `| ---: | ${header
      .slice(1)
      .map(() => '---')
      .join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ];
}
