/**
 * Pieces of the kill tests (test/durability/): a storescu run whose sender side is watched (which C-STOREs
 * it saw succeed), and the read-back of an event topic checked against it.
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { type ConsumedRecord, readTopic, testKafka } from '@dicomtrail/testing';
import { writeInstance } from './instances.js';

/** Writes `n` small instances into a new folder; returns it and each file's SOP Instance UID. */
export function instanceFolder(
  dir: string,
  n: number,
  pixelBytes = 256,
): { dir: string; uids: Map<string, string> } {
  mkdirSync(dir, { recursive: true });
  const uids = new Map<string, string>();
  for (let i = 0; i < n; i++) {
    const file = path.join(dir, `i${String(i).padStart(4, '0')}.dcm`);
    uids.set(file, writeInstance(file, { pixelBytes }).sopInstanceUid);
  }
  return { dir, uids };
}

/**
 * storescu -v of every file in `folder` to `port`; `during` runs once storescu started (e.g. kills the
 * adapter after a delay). Resolves once storescu exited, with the SOP Instance UIDs it saw succeed.
 */
export async function storescuRun(
  port: number,
  folder: { dir: string; uids: Map<string, string> },
  during: () => Promise<void>,
): Promise<{ acknowledged: string[]; output: string }> {
  const child = spawn(
    'storescu',
    ['-v', '-aec', 'DICOMTRAIL', '+sd', '127.0.0.1', String(port), folder.dir],
    {
      env: { ...process.env, TCP_NODELAY: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  await during();
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  await exited;
  clearTimeout(timer);
  const acknowledged: string[] = [];
  let current: string | undefined;
  for (const line of output.split('\n')) {
    const sending = /Sending file: (.+\.dcm)/.exec(line);
    if (sending) current = path.resolve(sending[1] as string);
    else if (/Received Store Response \(Success\)/.test(line) && current) {
      const uid = folder.uids.get(current);
      if (uid) acknowledged.push(uid);
      current = undefined;
    }
  }
  return { acknowledged, output };
}

export interface TopicEvent {
  id: string;
  type: string;
  seq: number;
  association: { id: string };
  params: Record<string, unknown>;
}

/** Every record of `topic` (read up to its high watermark at the time of the call). */
export async function readWholeTopic(topic: string, brokers: string[]): Promise<TopicEvent[]> {
  const kafka = await testKafka('dicomtrail-test-offsets', brokers);
  const admin = kafka.admin();
  await admin.connect();
  let high = 0;
  try {
    for (const p of await admin.fetchTopicOffsets(topic)) high += Number(p.high);
  } finally {
    await admin.disconnect();
  }
  const records: ConsumedRecord[] = await readTopic(topic, {
    brokers,
    until: (r) => r.length >= high,
    timeoutMs: 60_000,
  });
  return records.map((r) => JSON.parse(r.value?.toString('utf8') ?? '{}') as TopicEvent);
}

export interface TrailCheck {
  /** EVT_C_STORE with a success status, by SOP Instance UID. */
  storedOk: Set<string>;
  /** Associations whose seqs are not 0..max without a hole (with the first hole). */
  gaps: { association: string; missing: number }[];
  /** (association, seq) carried by more than one id: two events where there was one. */
  conflicting: number;
  /** The same id more than once (a batch sent again after a crash; the audit writer keeps one). */
  redelivered: number;
  /** Associations with EVT_ASSOCIATION_INTERRUPTED. */
  interrupted: Set<string>;
  events: number;
}

export function checkTrail(events: readonly TopicEvent[]): TrailCheck {
  const byId = new Map<string, TopicEvent>();
  let redelivered = 0;
  for (const e of events) {
    if (byId.has(e.id)) redelivered += 1;
    else byId.set(e.id, e);
  }
  const seqs = new Map<string, Map<number, string>>();
  let conflicting = 0;
  const storedOk = new Set<string>();
  const interrupted = new Set<string>();
  for (const e of byId.values()) {
    if (!e.association) continue;
    let m = seqs.get(e.association.id);
    if (!m) {
      m = new Map();
      seqs.set(e.association.id, m);
    }
    if (m.has(e.seq)) conflicting += 1;
    m.set(e.seq, e.id);
    if (e.type === 'EVT_C_STORE' && e.params['status'] === 0)
      storedOk.add(String(e.params['affected_sop_instance_uid']));
    if (e.type === 'EVT_ASSOCIATION_INTERRUPTED') interrupted.add(e.association.id);
  }
  const gaps: TrailCheck['gaps'] = [];
  for (const [association, m] of seqs) {
    const max = Math.max(...m.keys());
    for (let s = 0; s <= max; s++)
      if (!m.has(s)) {
        gaps.push({ association, missing: s });
        break;
      }
  }
  return { storedOk, gaps, conflicting, redelivered, interrupted, events: byId.size };
}
