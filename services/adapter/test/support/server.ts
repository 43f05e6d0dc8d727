/** Starts our SCP in-process for a test, on a free loopback port, recording every envelope. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '@dicomtrail/runtime';
import { type EventType, parseEvent, uuidv7 } from '@dicomtrail/schemas';
import type { AcceptorPolicy } from '../../src/acse/acceptor.js';
import { acceptAndRecord } from '../../src/acse/user-identity.js';
import {
  DICOMTRAIL_IMPLEMENTATION_CLASS_UID,
  DICOMTRAIL_IMPLEMENTATION_VERSION,
} from '../../src/association/client.js';
import { DicomServer, type DicomServerOptions } from '../../src/association/server.js';
import type { AdapterEvent, EventSink } from '../../src/association/types.js';
import { STORAGE_SOP_CLASS_UIDS, VERIFICATION } from '../../src/dataset/uids.js';
import { envelopeJson, type NodeInfo, toEnvelope } from '../../src/events/envelope.js';
import { SUPPORTED_TRANSFER_SYNTAXES } from '../../src/service-classes/transfer-syntaxes.js';

export type Envelope = Record<string, unknown> & {
  type: EventType;
  seq: number;
  association: { id: string; role?: string; calling_ae_title: string; called_ae_title: string };
  params: Record<string, unknown>;
};

const TEST_NODE: NodeInfo = { id: 'test', hostname: os.hostname(), version: 'test', mode: 'scp' };

/**
 * Envelopes whose text as the sinks publish it (events/envelope.ts `envelopeJson`) differed from
 * JSON.stringify of the envelope when they were written: `assertValidAndGapFree` fails on them.
 */
const encodedOtherwise = new WeakMap<Envelope, string>();

export class CollectingSink implements EventSink {
  readonly events: Envelope[] = [];
  wants(): boolean {
    return true;
  }
  write(event: AdapterEvent): void {
    const id = uuidv7();
    const envelope = toEnvelope(event, TEST_NODE, id) as Envelope;
    const text = envelopeJson(event, TEST_NODE, id);
    if (text !== JSON.stringify(envelope)) encodedOtherwise.set(envelope, text);
    this.events.push(envelope);
  }
  async close(): Promise<void> {}

  /** Events of one association, in seq order. */
  of(associationId: string): Envelope[] {
    return this.events.filter((e) => e.association.id === associationId).sort((a, b) => a.seq - b.seq);
  }

  associationIds(): string[] {
    return [...new Set(this.events.map((e) => e.association.id))];
  }
}

export const testLog = createLogger('adapter-test', { level: process.env['LOG_LEVEL'] ?? 'silent' });

export interface TestServer {
  server: DicomServer;
  port: number;
  sink: CollectingSink;
  storeDir: string;
  close(): Promise<void>;
}

/** The acceptor policy of `startTestServer` (AE title DICOMTRAIL, Verification and Storage). */
export function testPolicy(): AcceptorPolicy {
  return {
    aeTitle: 'DICOMTRAIL',
    requireCalledAeTitle: true,
    allowedCallingAeTitles: [],
    supported: {
      abstractSyntaxes: new Set([VERIFICATION, ...STORAGE_SOP_CLASS_UIDS]),
      transferSyntaxes: SUPPORTED_TRANSFER_SYNTAXES,
    },
    maxPduReceive: 65536,
    implementationClassUid: DICOMTRAIL_IMPLEMENTATION_CLASS_UID,
    implementationVersionName: DICOMTRAIL_IMPLEMENTATION_VERSION,
    userIdentity: acceptAndRecord,
  };
}

export async function startTestServer(over: Partial<DicomServerOptions> = {}): Promise<TestServer> {
  const storeDir = mkdtempSync(path.join(os.tmpdir(), 'dt-store-'));
  const sink = new CollectingSink();
  const server = new DicomServer({
    host: '127.0.0.1',
    port: 0,
    storeDir,
    sinks: [sink],
    log: testLog,
    artimTimeoutMs: 5000,
    policy: testPolicy(),
    ...over,
  });
  const { port } = await server.listen();
  return {
    server,
    port,
    sink,
    storeDir,
    async close() {
      await server.close(2000);
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
}

/** Waits until `pred` holds (events arrive asynchronously after the peer process exits). */
export async function waitFor(pred: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Every envelope validates against the schema, its published text is JSON.stringify of it, and seq is 0..n-1
 * per association.
 */
export function assertValidAndGapFree(events: Envelope[]): void {
  const bySeq = new Map<string, number[]>();
  for (const e of events) {
    const otherwise = encodedOtherwise.get(e);
    if (otherwise !== undefined)
      throw new Error(`${e.type} seq ${e.seq} is published as ${otherwise}, not as ${JSON.stringify(e)}`);
    const r = parseEvent(e);
    if (!r.ok)
      throw new Error(`${e.type} seq ${e.seq} is not schema-valid: ${JSON.stringify(r.errors.slice(0, 3))}`);
    const list = bySeq.get(e.association.id) ?? [];
    list.push(e.seq);
    bySeq.set(e.association.id, list);
  }
  for (const [id, seqs] of bySeq) {
    const sorted = [...seqs].sort((a, b) => a - b);
    sorted.forEach((s, i) => {
      if (s !== i) throw new Error(`association ${id}: seq gap or duplicate at ${i} (got ${s})`);
    });
  }
}
