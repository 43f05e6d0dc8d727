/**
 * The adapter as a user runs it (`dicomtrail adapter`, dist/src/cli.js) in a child process, for tests that
 * kill it, restart it and read its /metrics.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@dicomtrail/testing';
import { waitFor } from './server.js';

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli.js');

export interface AdapterProcess {
  proc: ChildProcess;
  port: number;
  health: number;
  /** Everything it logged so far. */
  out: () => string;
  metrics: () => Promise<Record<string, unknown> & { event_log?: Record<string, number | string> }>;
  /** SIGKILL, resolved once it exited. */
  kill: () => Promise<void>;
  /** SIGTERM, resolved once it exited. */
  stop: () => Promise<void>;
}

const running = new Set<ChildProcess>();

/** Starts the adapter with `env` on free ports; resolves once it logged "adapter ready". */
export async function startAdapter(
  env: Record<string, string>,
  storeDir: string,
  readyTimeoutMs = 90_000,
): Promise<AdapterProcess> {
  const port = await freePort();
  const health = await freePort();
  const proc = spawn(process.execPath, [CLI, 'adapter', '--port', String(port), '--store-dir', storeDir], {
    env: { ...process.env, LOG_LEVEL: 'info', HEALTH_PORT: String(health), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(proc);
  proc.once('exit', () => running.delete(proc));
  let out = '';
  proc.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
  proc.stderr?.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = (): boolean => proc.exitCode !== null || proc.signalCode !== null;
  await waitFor(() => out.includes('adapter ready') || exited(), readyTimeoutMs, 'adapter ready');
  if (exited()) throw new Error(`the adapter exited before it was ready:\n${out.slice(-4000)}`);
  const end = (signal: NodeJS.Signals) => async (): Promise<void> => {
    if (exited()) return;
    const gone = new Promise((r) => proc.once('exit', r));
    proc.kill(signal);
    await gone;
  };
  return {
    proc,
    port,
    health,
    out: () => out,
    metrics: async () => (await (await fetch(`http://127.0.0.1:${health}/metrics`)).json()) as never,
    kill: end('SIGKILL'),
    stop: end('SIGTERM'),
  };
}

/** SIGKILLs every adapter still running (test clean-up). */
export function killAdapters(): void {
  for (const p of running) p.kill('SIGKILL');
}
