/**
 * What every benchmark here needs: knobs from the environment, progress lines, child processes that are
 * all stopped on the way out, timed runs of DCMTK tools (TCP_NODELAY=1), ports, folders, statistics.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export { freePort } from '@dicomtrail/testing';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
/** The adapter CLI the benchmarks start (services/adapter/dist/bench → dist/src/cli.js). */
export const adapterCliPath = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/cli.js');
export const RUN_TIMEOUT_MS = 120_000;

export function intEnv(name: string, dflt: number): number {
  const v = process.env[name];
  const n = v === undefined ? Number.NaN : Number.parseInt(v, 10);
  return Number.isFinite(n) && n > 0 ? n : dflt;
}

export function progress(msg: string): void {
  process.stderr.write(`[bench] ${msg}\n`);
}

// ---------------------------------------------------------------- processes (all stopped on the way out)

const children = new Set<ChildProcess>();

export function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

export function killAll(signal: NodeJS.Signals = 'SIGKILL'): void {
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null) c.kill(signal);
  }
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  seconds: number;
  stderr: string;
}

/** Runs a tool (DCMTK with TCP_NODELAY=1) from the repository root, timing it from spawn to exit. */
export function runTool(tool: string, args: string[], timeoutMs = RUN_TIMEOUT_MS): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = track(
      spawn(tool, args, {
        cwd: repoRoot,
        env: { ...process.env, TCP_NODELAY: '1' },
        stdio: ['ignore', 'ignore', 'pipe'],
      }),
    );
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      if (stderr.length < 20_000) stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, seconds: (performance.now() - t0) / 1000, stderr });
    });
  });
}

export function answers(host: string, port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const s = connect(port, host);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** Start-up time allowed (BENCH_START_TIMEOUT_MS, 60 s: a loaded 2-core machine starts a Node process slowly). */
const START_TIMEOUT_MS = intEnv('BENCH_START_TIMEOUT_MS', 60_000);

export async function waitListening(port: number, child: ChildProcess, what: string): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`${what} exited before listening`);
    if (await answers('127.0.0.1', port)) return;
    if (Date.now() - t0 > START_TIMEOUT_MS)
      throw new Error(`${what} did not listen on ${port} within ${START_TIMEOUT_MS / 1000} s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// ---------------------------------------------------------------- folders and statistics

export function emptyDir(dir: string): void {
  for (const e of readdirSync(dir)) rmSync(path.join(dir, e), { recursive: true, force: true });
}

/** Regular files under `dir`, not counting our `.incoming` temporaries nor the archive's `.archive` index. */
export function countFiles(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) {
      if (e.name !== '.incoming' && e.name !== '.archive') n += countFiles(path.join(dir, e.name));
    } else if (e.isFile()) n += 1;
  }
  return n;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function rotate<T>(xs: T[], k: number): T[] {
  const n = k % xs.length;
  return [...xs.slice(n), ...xs.slice(0, n)];
}

export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** A run's topics (and their DLQs, if made) leave the broker with the run. */
export async function deleteTopics(brokers: string, topics: readonly string[]): Promise<void> {
  if (topics.length === 0) return;
  const { createKafka } = await import('@dicomtrail/event-log');
  const { createLogger } = await import('@dicomtrail/runtime');
  const log = createLogger('bench', { level: 'warn' });
  const admin = createKafka({ clientId: 'dicomtrail-bench', brokers: brokers.split(','), log }).admin();
  try {
    await admin.connect();
    const existing = new Set(await admin.listTopics());
    await admin.deleteTopics({
      topics: topics.flatMap((t) => [t, `${t}.dlq`]).filter((t) => existing.has(t)),
      timeout: 10_000,
    });
  } catch (err) {
    progress(`could not delete topics ${topics.join(', ')}: ${(err as Error).message}`);
  } finally {
    await admin.disconnect();
  }
}

/** The broker of KAFKA_BROKERS (else 127.0.0.1:9092) when it answers, for the rows that publish. */
export async function benchBroker(): Promise<string | undefined> {
  const brokers = process.env['KAFKA_BROKERS'] || '127.0.0.1:9092';
  const [host, portText] = brokers.split(',')[0]!.split(':');
  return (await answers(host!, Number(portText))) ? brokers : undefined;
}
