/**
 * What the audit proxy costs a PACS's clients, on loopback, in one run: DCMTK's storescu sends
 * BENCH_PROXY_COUNT (1,000) ~10 KB instances to DCMTK's storescp (the "PACS") directly, through a plain TCP
 * relay (socat, TCP_NODELAY both ways: the least any intermediary costs), and through the
 * dicomtrail proxy (the adapter CLI with PROXY_UPSTREAM, its own process) with no events recorded, with every
 * event written to a JSONL file, and, when a broker answers (KAFKA_BROKERS, else 127.0.0.1:9092), published to
 * Kafka with AUDIT_DURABILITY=sync (every answer waits for its events in the write-ahead log) and async; the
 * same with BENCH_PROXY_LARGE_COUNT (5) instances of BENCH_PROXY_LARGE_MB (20) MB; and echoscu --repeat
 * BENCH_PROXY_ECHOES (500) C-ECHOs on one association each way. One warm-up per
 * path, then BENCH_ROUNDS (5) interleaved rounds (the order rotates), medians; ratios to the direct path and
 * to the TCP relay. The proxy passes each C-STORE fragment on as it arrives (cut-through). For the proxy
 * paths, the CPU its process spent per small instance, by thread, and the PACS's, say where the time goes.
 * BENCH_PROXY_ROWS (direct,relay,off,jsonl,kafka-sync,kafka-async) picks the rows; BENCH_PROXY_BASELINE_CLI, the
 * dist/src/cli.js of another build of the adapter, adds its events-off and Kafka-sync rows (a before/after in
 * one interleaved run).
 * BENCH_PROXY_PROBE=1 loads relay-latency-probe.ts into each proxy and adds where it waits per small instance
 * (median µs from a request's arrival to its going upstream, from a response's arrival to its relay, and
 * of the latter the write-ahead log's fdatasync and write; it wraps socket internals, so it costs a little).
 * The Kafka rows' topics are unique to the run and deleted at the end.
 * Prints Markdown tables to stdout, progress to stderr; writes bench-results/proxy.json at the repo root.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EXPLICIT_LE, uid, writeInstance } from '../test/support/instances.js';
import {
  adapterCliPath,
  benchBroker,
  countFiles,
  deleteTopics,
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
import { cpuSpent, processTreeCpu, threadCpu } from './process-cpu.js';

const ROUNDS = intEnv('BENCH_ROUNDS', 5);
const ROWS = new Set(
  (process.env['BENCH_PROXY_ROWS'] ?? 'direct,relay,off,jsonl,kafka-sync,kafka-async')
    .split(',')
    .map((r) => r.trim()),
);
const COUNT = intEnv('BENCH_PROXY_COUNT', 1000);
const ECHOES = intEnv('BENCH_PROXY_ECHOES', 500);
const LARGE_COUNT = intEnv('BENCH_PROXY_LARGE_COUNT', 5);
const LARGE_MB = intEnv('BENCH_PROXY_LARGE_MB', 20);
const PROBE = process.env['BENCH_PROXY_PROBE'] === '1';
const probeModule = path.resolve(path.dirname(adapterCliPath), '../bench/relay-latency-probe.js');

interface Path {
  name: string;
  port: number;
  child?: ChildProcess;
  /** The proxy's /metrics port (HEALTH_PORT). */
  metricsPort?: number;
  /** Where the latency probe writes its medians on SIGUSR2 (BENCH_PROXY_PROBE). */
  probeOut?: string;
}

type ProbeReport = Record<string, { n: number; median_us: number | null }>;

/** The probe's medians since the last call (and its samples cleared); undefined without a probe. */
async function probeRead(p: Path): Promise<ProbeReport | undefined> {
  if (!p.probeOut || !p.child?.pid) return undefined;
  rmSync(p.probeOut, { force: true });
  process.kill(p.child.pid, 'SIGUSR2');
  for (let t = 0; t < 100 && !existsSync(p.probeOut); t++) await new Promise((r) => setTimeout(r, 10));
  return existsSync(p.probeOut) ? (JSON.parse(readFileSync(p.probeOut, 'utf8')) as ProbeReport) : undefined;
}

/** Events the proxy's write-ahead log has made durable so far (undefined: no log, or no answer). */
async function eventsLogged(p: Path): Promise<number | undefined> {
  if (!p.metricsPort) return undefined;
  try {
    const r = await fetch(`http://127.0.0.1:${p.metricsPort}/metrics`);
    const m = (await r.json()) as { event_log?: { logged?: number } };
    return m.event_log?.logged;
  } catch {
    return undefined;
  }
}

const RELAY = 'TCP relay (socat → storescp)';

/** A plain TCP relay in front of the PACS: socat, one process per connection, TCP_NODELAY both ways. */
async function startRelay(pacsPort: number): Promise<Path> {
  const port = await freePort();
  const child = track(
    spawn(
      'socat',
      [`TCP-LISTEN:${port},bind=127.0.0.1,reuseaddr,fork,nodelay`, `TCP:127.0.0.1:${pacsPort},nodelay`],
      { stdio: 'ignore' },
    ),
  );
  await waitListening(port, child, 'socat');
  return { name: RELAY, port, child };
}

async function startPacs(root: string): Promise<{ port: number; dir: string; child: ChildProcess }> {
  const dir = path.join(root, 'pacs');
  mkdirSync(dir);
  const port = await freePort();
  const child = track(
    spawn('storescp', ['-aet', 'PACS', '-od', dir, String(port)], {
      env: { ...process.env, TCP_NODELAY: '1' },
      stdio: 'ignore',
    }),
  );
  await waitListening(port, child, 'storescp');
  return { port, dir, child };
}

async function startProxy(
  name: string,
  root: string,
  pacsPort: number,
  env: Record<string, string>,
  cli = adapterCliPath,
): Promise<Path> {
  const port = await freePort();
  const metricsPort = await freePort();
  const dir = path.join(root, name.replace(/\W+/g, '-'));
  mkdirSync(dir);
  const probeOut = PROBE ? path.join(dir, 'probe.json') : undefined;
  const child = track(
    spawn(
      process.execPath,
      [
        ...(PROBE ? ['--import', probeModule] : []),
        cli,
        'adapter',
        '--port',
        String(port),
        '--store-dir',
        path.join(dir, 'tmp'),
      ],
      {
        cwd: repoRoot,
        env: {
          ...process.env,
          LOG_LEVEL: 'warn',
          KAFKA_BROKERS: '',
          PROXY_UPSTREAM: `127.0.0.1:${pacsPort}`,
          SPOOL_DIR: path.join(dir, 'spool'),
          HEALTH_PORT: String(metricsPort),
          ...(probeOut ? { DT_PROBE_UPSTREAM_PORT: String(pacsPort), DT_PROBE_OUT: probeOut } : {}),
          ...env,
        },
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    ),
  );
  await waitListening(port, child, name);
  return { name, port, child, metricsPort, ...(probeOut ? { probeOut } : {}) };
}

async function storeRound(p: Path, files: string, pacsDir: string, count = COUNT): Promise<number> {
  emptyDir(pacsDir);
  const r = await runTool('storescu', [
    '-aet',
    'MODALITY',
    '-aec',
    'PACS',
    '+sd',
    '127.0.0.1',
    String(p.port),
    files,
  ]);
  if (r.code !== 0) throw new Error(`storescu via ${p.name} failed: ${r.stderr.slice(0, 500)}`);
  const n = countFiles(pacsDir);
  if (n !== count) throw new Error(`via ${p.name}: ${n} of ${count} instances at the PACS`);
  return r.seconds;
}

async function echoRound(p: Path): Promise<number> {
  const r = await runTool('echoscu', [
    '--repeat',
    String(ECHOES),
    '-aec',
    'PACS',
    '127.0.0.1',
    String(p.port),
  ]);
  if (r.code !== 0) throw new Error(`echoscu via ${p.name} failed: ${r.stderr.slice(0, 500)}`);
  return r.seconds;
}

async function main(): Promise<void> {
  const root = mkdtempSync(path.join(process.env['BENCH_TMP'] ?? os.tmpdir(), 'dt-bench-proxy-'));
  const brokers = await benchBroker();
  const topics: string[] = [];
  try {
    const files = path.join(root, 'instances');
    mkdirSync(files);
    const studyUid = uid();
    const seriesUid = uid();
    for (let i = 0; i < COUNT; i++)
      writeInstance(path.join(files, `i${String(i).padStart(5, '0')}.dcm`), {
        transferSyntax: EXPLICIT_LE,
        pixelBytes: 10_000,
        studyUid,
        seriesUid,
      });
    const bytes = statSync(path.join(files, 'i00000.dcm')).size;
    const large = path.join(root, 'large');
    mkdirSync(large);
    for (let i = 0; i < LARGE_COUNT; i++)
      writeInstance(path.join(large, `l${String(i).padStart(3, '0')}.dcm`), {
        transferSyntax: EXPLICIT_LE,
        pixelBytes: LARGE_MB * 1_000_000 - 600,
        studyUid,
        seriesUid,
      });
    const pacs = await startPacs(root);
    const paths: Path[] = [];
    if (ROWS.has('direct')) paths.push({ name: 'direct (storescu → storescp)', port: pacs.port });
    if (ROWS.has('relay')) paths.push(await startRelay(pacs.port));
    const baseline = process.env['BENCH_PROXY_BASELINE_CLI'];
    if (!brokers) progress('no broker at KAFKA_BROKERS (or 127.0.0.1:9092): the Kafka rows are left out');
    for (const [build, cli, rows] of [
      ['', adapterCliPath, ROWS],
      ...(baseline ? [[' (baseline build)', baseline, new Set(['off', 'kafka-sync'])] as const] : []),
    ] as const) {
      if (rows.has('off'))
        paths.push(await startProxy(`via proxy${build}, events off`, root, pacs.port, {}, cli));
      if (rows.has('jsonl'))
        paths.push(
          await startProxy(
            `via proxy${build}, events → JSONL file`,
            root,
            pacs.port,
            { EVENTS_OUT: path.join(root, 'events.jsonl') },
            cli,
          ),
        );
      // Every event to Kafka: through the write-ahead log, each answer waiting for its events to be durable
      // (AUDIT_DURABILITY=sync, the default), or queued in memory (async).
      for (const durability of ['sync', 'async'] as const) {
        if (!brokers || !rows.has(`kafka-${durability}`)) continue;
        const topic = `dicomtrail.bench.proxy.${durability}${build ? '.baseline' : ''}.${Date.now().toString(36)}`;
        topics.push(topic);
        paths.push(
          await startProxy(
            `via proxy${build}, events → Kafka, ${durability}`,
            root,
            pacs.port,
            { KAFKA_BROKERS: brokers, EVENTS_TOPIC: topic, AUDIT_DURABILITY: durability },
            cli,
          ),
        );
      }
    }

    const stores = new Map<string, number[]>(paths.map((p) => [p.name, []]));
    const larges = new Map<string, number[]>(paths.map((p) => [p.name, []]));
    const echoes = new Map<string, number[]>(paths.map((p) => [p.name, []]));
    /** CPU seconds of the small-instance rounds, by thread, of each proxy process, and of the PACS. */
    const cpu = new Map<string, Map<string, number>>(paths.map((p) => [p.name, new Map()]));
    const pacsCpu = new Map<string, number>(paths.map((p) => [p.name, 0]));
    const logged = new Map<string, number>(paths.map((p) => [p.name, 0]));
    /** The probe's medians of each small-instance round (BENCH_PROXY_PROBE). */
    const waits = new Map<string, ProbeReport[]>(paths.map((p) => [p.name, []]));
    const add = (into: Map<string, number>, spent: Map<string, number>): void => {
      for (const [k, v] of spent) into.set(k, (into.get(k) ?? 0) + v);
    };
    for (const p of paths) {
      progress(`warm-up: ${p.name}`);
      await storeRound(p, files, pacs.dir);
      if (LARGE_COUNT > 0) await storeRound(p, large, pacs.dir, LARGE_COUNT);
    }
    for (let r = 0; r < ROUNDS; r++) {
      for (const p of rotate(paths, r)) {
        const proxyBefore = p.child && p.name !== RELAY ? threadCpu(p.child.pid) : undefined;
        const relayBefore = p.name === RELAY ? processTreeCpu(p.child!.pid) : undefined;
        const pacsBefore = threadCpu(pacs.child.pid);
        const loggedBefore = await eventsLogged(p);
        await probeRead(p);
        const s = await storeRound(p, files, pacs.dir);
        const probed = await probeRead(p);
        if (probed) waits.get(p.name)!.push(probed);
        const loggedAfter = await eventsLogged(p);
        if (loggedBefore !== undefined && loggedAfter !== undefined)
          logged.set(p.name, logged.get(p.name)! + loggedAfter - loggedBefore);
        if (proxyBefore) add(cpu.get(p.name)!, cpuSpent(proxyBefore, threadCpu(p.child!.pid)));
        // The relay's per-connection child is reaped (and counted in its parent) once storescu has closed.
        for (
          let t = 0;
          relayBefore !== undefined && processTreeCpu(p.child!.pid) <= relayBefore && t < 50;
          t++
        )
          await new Promise((r) => setTimeout(r, 20));
        if (relayBefore !== undefined)
          add(
            cpu.get(p.name)!,
            new Map([['socat (all processes)', processTreeCpu(p.child!.pid) - relayBefore]]),
          );
        pacsCpu.set(
          p.name,
          pacsCpu.get(p.name)! +
            [...cpuSpent(pacsBefore, threadCpu(pacs.child.pid)).values()].reduce((a, b) => a + b, 0),
        );
        const l = LARGE_COUNT > 0 ? await storeRound(p, large, pacs.dir, LARGE_COUNT) : Number.NaN;
        const e = await echoRound(p);
        stores.get(p.name)!.push(s);
        larges.get(p.name)!.push(l);
        echoes.get(p.name)!.push(e);
        progress(
          `round ${r + 1}/${ROUNDS} ${p.name}: ${COUNT} stores ${s.toFixed(3)} s, ${LARGE_COUNT} × ${LARGE_MB} MB ${l.toFixed(3)} s, ${ECHOES} echoes ${e.toFixed(3)} s`,
        );
      }
    }
    const direct = paths[0]!.name;
    const relay = paths.find((p) => p.name === RELAY)?.name;
    const toRelay = (m: Map<string, number[]>, x: number) =>
      relay ? round(median(m.get(relay)!) / x, 2) : null;
    const perInstanceMs = (x: number) => round((x / (ROUNDS * COUNT)) * 1000, 3);
    const rows = paths.map((p) => {
      const s = median(stores.get(p.name)!);
      const e = median(echoes.get(p.name)!);
      const l = median(larges.get(p.name)!);
      const threads = [...cpu.get(p.name)!].sort((a, b) => b[1] - a[1]);
      return {
        store_ratio_to_relay: toRelay(stores, s),
        large_ratio_to_relay: toRelay(larges, l),
        echo_ratio_to_relay: toRelay(echoes, e),
        proxy_cpu_ms_per_instance: threads.length
          ? perInstanceMs(threads.reduce((a, [, v]) => a + v, 0))
          : null,
        proxy_cpu_ms_per_instance_by_thread: Object.fromEntries(
          threads.map(([k, v]) => [k, perInstanceMs(v)]),
        ),
        pacs_cpu_ms_per_instance: perInstanceMs(pacsCpu.get(p.name)!),
        events_per_instance: logged.get(p.name) ? round(logged.get(p.name)! / (ROUNDS * COUNT), 1) : null,
        large_median_s: round(l, 3),
        large_mb_per_s: round((LARGE_COUNT * LARGE_MB) / l, 1),
        large_ratio_to_direct: round(median(larges.get(direct)!) / l, 2),
        path: p.name,
        store_median_s: round(s, 3),
        instances_per_s: round(COUNT / s, 1),
        store_ratio_to_direct: round(median(stores.get(direct)!) / s, 2),
        echo_median_s: round(e, 3),
        echoes_per_s: round(ECHOES / e, 1),
        echo_ratio_to_direct: round(median(echoes.get(direct)!) / e, 2),
      };
    });
    const table: string[] = [
      `### The audit proxy in front of DCMTK storescp (${COUNT} instances of ${bytes} B, ${LARGE_COUNT} of ~${LARGE_MB} MB, ${ECHOES} C-ECHOs on one association; median of ${ROUNDS})`,
      '',
      '| Path | small: store s | inst/s | ratio to direct | large: store s | MB/s | ratio to direct | echo s | echo/s | ratio to direct |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      ...rows.map(
        (r) =>
          `| ${r.path} | ${r.store_median_s} | ${r.instances_per_s} | ${r.store_ratio_to_direct} | ${r.large_median_s} | ${r.large_mb_per_s} | ${r.large_ratio_to_direct} | ${r.echo_median_s} | ${r.echoes_per_s} | ${r.echo_ratio_to_direct} |`,
      ),
      '',
    ];
    if (relay)
      table.push(
        `### The audit proxy against a plain TCP relay in front of the same storescp (ratio = relay time / path time; median of ${ROUNDS} interleaved rounds)`,
        '',
        '| Path | small stores | large stores | C-ECHO |',
        '| --- | --- | --- | --- |',
        ...rows.map(
          (r) =>
            `| ${r.path} | ${r.store_ratio_to_relay} | ${r.large_ratio_to_relay} | ${r.echo_ratio_to_relay} |`,
        ),
        '',
      );
    table.push(
      `### Where the time goes: CPU per small instance (ms; the proxy process by thread, or the relay, and the PACS), over the ${ROUNDS} rounds`,
      '',
      '| Path | intermediary, all threads | by thread | PACS (storescp) | events logged per instance |',
      '| --- | --- | --- | --- | --- |',
      ...rows.map(
        (r) =>
          `| ${r.path} | ${r.proxy_cpu_ms_per_instance ?? '-'} | ${
            Object.entries(r.proxy_cpu_ms_per_instance_by_thread)
              .map(([k, v]) => `${k} ${v}`)
              .join(', ') || '-'
          } | ${r.pacs_cpu_ms_per_instance} | ${r.events_per_instance ?? '-'} |`,
      ),
      '',
    );
    const waitKeys = [
      'request_to_upstream',
      'response_to_modality',
      'of_which_fdatasync',
      'of_which_log_write',
      'after_the_sync',
    ];
    /** Per path and measure: the median over the rounds of the rounds' medians (µs). */
    const waitRows = paths
      .filter((p) => waits.get(p.name)!.length > 0)
      .map((p) => ({
        path: p.name,
        ...Object.fromEntries(
          waitKeys.map((k) => {
            const xs = waits
              .get(p.name)!
              .map((r) => r[k]?.median_us)
              .filter((x): x is number => typeof x === 'number');
            return [k, xs.length ? Math.round(median(xs)) : null];
          }),
        ),
      }));
    if (waitRows.length > 0)
      table.push(
        `### Where the proxy waits, per small instance (µs, median of the ${ROUNDS} rounds' medians; BENCH_PROXY_PROBE)`,
        '',
        '| Path | request → upstream | response → modality | of which fdatasync | of which log write | after the sync |',
        '| --- | --- | --- | --- | --- | --- |',
        ...waitRows.map(
          (r) =>
            `| ${r.path} | ${waitKeys.map((k) => (r as Record<string, unknown>)[k] ?? '-').join(' | ')} |`,
        ),
        '',
      );
    process.stdout.write(`${table.join('\n')}\n`);
    const outDir = path.join(repoRoot, 'bench-results');
    mkdirSync(outDir, { recursive: true });
    writeFileSync(
      path.join(outDir, 'proxy.json'),
      `${JSON.stringify({ bench: 'proxy', count: COUNT, instance_bytes: bytes, echoes: ECHOES, rounds: ROUNDS, rows, waits: waitRows }, null, 2)}\n`,
    );
  } finally {
    killAll('SIGTERM');
    rmSync(root, { recursive: true, force: true });
    if (brokers) await deleteTopics(brokers, topics);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`[bench] proxy benchmark failed: ${(err as Error).stack ?? String(err)}\n`);
  killAll();
  process.exit(1);
});
