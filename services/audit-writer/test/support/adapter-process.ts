/** The adapter as a user runs it (its CLI, a real process) publishing to the test's topic. */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@dicomtrail/testing';
import { waitFor } from './harness.js';

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../adapter/dist/src/cli.js');

export interface AdapterProcess {
  port: number;
  dir: string;
  stop(): Promise<void>;
}

/** `env`: more of the adapter's variables (e.g. PROXY_UPSTREAM for proxy mode). */
export async function startAdapter(
  topic: string,
  brokers: string[],
  env: Record<string, string> = {},
): Promise<AdapterProcess> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dt-audit-adapter-'));
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    [
      CLI,
      'adapter',
      '--port',
      String(port),
      '--ae-title',
      'DICOMTRAIL',
      '--store-dir',
      path.join(dir, 'store'),
    ],
    {
      env: {
        ...process.env,
        LOG_LEVEL: 'info',
        KAFKA_BROKERS: brokers.join(','),
        EVENTS_TOPIC: topic,
        SPOOL_DIR: path.join(dir, 'spool'),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (out += d));
  await waitFor(() => out.includes('adapter ready') || child.exitCode !== null, 15_000, 'adapter ready');
  if (child.exitCode !== null) throw new Error(`adapter exited: ${out.slice(-2000)}`);
  return {
    port,
    dir,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
