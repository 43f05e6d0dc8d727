/**
 * One adapter as an operator runs it (the CLI in its own process, archive mode, publishing to a real Kafka
 * topic and to a JSONL file), for the hostile-peer suite: attacks that hang a thread hang that process,
 * not the test. Also the raw peers the attacks need (a bare TCP connection, an A-ASSOCIATE-RQ from a
 * chosen source address).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@dicomtrail/testing';
import { DICOMTRAIL_IMPLEMENTATION_CLASS_UID } from '../../src/association/client.js';
import { VERIFICATION } from '../../src/dataset/uids.js';
import type { AssociateRq } from '../../src/pdu/associate-rq.js';
import { encodePdu } from '../../src/pdu/encode.js';
import { type Envelope, waitFor } from '../support/server.js';

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli.js');

export interface AdapterProcess {
  proc: ChildProcess;
  port: number;
  eventsFile: string;
  /** Everything the adapter logged (stdout and stderr). */
  logs(): string;
  events(): Envelope[];
  /** Resident set size of the adapter process (kB, from /proc). */
  rssKb(): number;
  stop(): Promise<void>;
}

export async function startAdapterProcess(opts: {
  storeDir: string;
  eventsFile: string;
  env: Record<string, string>;
}): Promise<AdapterProcess> {
  const port = await freePort();
  let out = '';
  const proc = spawn(
    process.execPath,
    [
      CLI,
      'adapter',
      '--port',
      String(port),
      '--ae-title',
      'DICOMTRAIL',
      '--store-dir',
      opts.storeDir,
      '--events-out',
      opts.eventsFile,
    ],
    { env: { ...process.env, LOG_LEVEL: 'info', ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  await waitFor(() => out.includes('adapter ready') || proc.exitCode !== null, 60_000, 'adapter ready');
  if (proc.exitCode !== null) throw new Error(`adapter exited at start-up:\n${out}`);
  return {
    proc,
    port,
    eventsFile: opts.eventsFile,
    logs: () => out,
    events: () =>
      existsSync(opts.eventsFile)
        ? readFileSync(opts.eventsFile, 'utf8')
            .split('\n')
            .filter((l) => l.length > 0)
            .map((l) => JSON.parse(l) as Envelope)
            // The node's lifecycle events (EVT_NODE_STARTED / STOPPED) belong to no association.
            .filter((e) => e.association !== undefined)
        : [],
    rssKb: () => {
      const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${proc.pid}/status`, 'utf8'));
      return Number(m?.[1] ?? 0);
    },
    stop: async () => {
      if (proc.exitCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
      if (proc.exitCode === null) proc.kill('SIGKILL');
    },
  };
}

/** A TCP connection that collects what the server sends (and never answers), from `localAddress`. */
export class RawPeer {
  readonly socket: Socket;
  received = Buffer.alloc(0);
  closed = false;

  constructor(port: number, localAddress = '127.0.0.1') {
    this.socket = connect({ host: '127.0.0.1', port, localAddress });
    this.socket.on('data', (d: Buffer) => {
      this.received = Buffer.concat([this.received, d]);
    });
    this.socket.on('close', () => {
      this.closed = true;
    });
    this.socket.on('error', () => undefined);
  }

  ready(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.once('connect', () => resolve());
      this.socket.once('error', reject);
    });
  }

  /** The type byte of the first PDU the server sent, once it came. */
  async firstPduType(timeoutMs = 10_000): Promise<number> {
    await waitFor(() => this.received.length >= 6, timeoutMs, 'a PDU from the adapter');
    return this.received[0]!;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** An A-ASSOCIATE-RQ for Verification (what echoscu sends), as bytes. */
export function verificationRq(callingAeTitle: string, calledAeTitle = 'DICOMTRAIL'): Buffer {
  const rq: AssociateRq = {
    type: 'A-ASSOCIATE-RQ',
    protocolVersion: 1,
    calledAeTitle,
    callingAeTitle,
    applicationContextName: '1.2.840.10008.3.1.1.1',
    presentationContexts: [{ id: 1, abstractSyntax: VERIFICATION, transferSyntaxes: ['1.2.840.10008.1.2'] }],
    userInformation: {
      maxLength: 16384,
      implementationClassUid: DICOMTRAIL_IMPLEMENTATION_CLASS_UID,
      roleSelections: [],
      sopClassExtended: [],
      sopClassCommonExtended: [],
      unknownItems: [],
    },
  };
  return encodePdu(rq);
}
