/**
 * The adapter as a user runs it, for the tests of the services downstream of it: its CLI as a real process,
 * answering as an AE on a free port and publishing every event to the test's topic, its store and write-ahead
 * log in a folder of the test's (or a temporary one, removed on stop).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './dcmtk.js';
import { type NodeProcess, startNode } from './node-process.js';

/** The adapter's CLI, built (`npm run build`) beside this package. */
export const ADAPTER_CLI = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../adapter/dist/src/cli.js',
);

export interface AdapterProcessOptions {
  topic: string;
  brokers: readonly string[];
  /** Default DICOMTRAIL. */
  aeTitle?: string;
  /** More of the adapter's variables (e.g. PROXY_UPSTREAM for proxy mode). */
  env?: Record<string, string>;
  /** Its store (`<dir>/store`) and write-ahead log (`<dir>/spool`); default a temporary folder. */
  dir?: string;
}

export interface AdapterProcess {
  port: number;
  dir: string;
  node: NodeProcess;
  /** SIGTERM (SIGKILL after 10 s); removes the folder when it was a temporary one. */
  stop(): Promise<void>;
}

export async function startAdapterProcess(opts: AdapterProcessOptions): Promise<AdapterProcess> {
  const temporary = opts.dir === undefined;
  const dir = opts.dir ?? mkdtempSync(path.join(os.tmpdir(), 'dt-adapter-'));
  const port = await freePort();
  const args = ['adapter', '--port', String(port), '--ae-title', opts.aeTitle ?? 'DICOMTRAIL'];
  const node = startNode(ADAPTER_CLI, [...args, '--store-dir', path.join(dir, 'store')], {
    LOG_LEVEL: 'info',
    KAFKA_BROKERS: opts.brokers.join(','),
    EVENTS_TOPIC: opts.topic,
    SPOOL_DIR: path.join(dir, 'spool'),
    ...opts.env,
  });
  try {
    await node.waitFor('adapter ready', 20_000);
  } catch (err) {
    await node.stop();
    throw err;
  }
  return {
    port,
    dir,
    node,
    async stop() {
      await node.stop();
      if (temporary) rmSync(dir, { recursive: true, force: true });
    },
  };
}
