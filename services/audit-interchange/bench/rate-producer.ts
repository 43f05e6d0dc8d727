/**
 * The benchmark's producer, in a worker thread of its own (so the service under test, in the main thread, cannot
 * slow it down): replays the captured association (its events as the adapter published them) as new associations,
 * each with a fresh association id, fresh event ids and the time of sending as every event's timestamp (seq stays
 * per association, 0..n), through kafkajs as the adapter does (key = association id, type and schema headers,
 * acks=all, gzip or none). Associations go round-robin to the partitions, and each partition has at most one
 * request in flight (an association's events must arrive in order; two requests in flight to one partition may
 * not). With a rate it paces itself (every 5 ms, or as a request completes, it makes what is due and sends it,
 * catching up after a slow request); without one it sends as fast as Kafka takes it. The values are built from the template's
 * JSON split at the ids and timestamps, so building one costs a few string joins: the producer offers 5,000
 * events/s on one core with room to spare.
 * Reports { events, seconds, lastEventMs: [association id, ms of its last event][] } to the parent.
 */
import { randomUUID } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { uuidv7 } from '@dicomtrail/schemas';
import { CompressionTypes, Kafka, logLevel } from 'kafkajs';

export interface RateProducerInput {
  brokers: string[];
  topic: string;
  /** The template association's events, as JSON (one association). */
  templates: string[];
  associations: number;
  /** Events per second; 0: as fast as Kafka takes them. */
  rate: number;
  /** The topic's partitions: associations go round-robin, one request in flight per partition. */
  partitions: number;
  /** gzip (as the adapter's producer) or none (less work for the producer on a loaded machine). */
  compression: 'gzip' | 'none';
}

export interface RateProducerResult {
  events: number;
  seconds: number;
  lastEventMs: [string, number][];
}

interface Template {
  type: string;
  schema: string;
  /** The JSON split at the association id, the event id and the timestamp: filled in per copy. */
  parts: string[];
  holes: ('association' | 'id' | 'timestamp')[];
}

function compile(json: string): Template {
  const e = JSON.parse(json) as {
    type: string;
    schema: string;
    id: string;
    timestamp: string;
    association: { id: string };
  };
  const marks: [string, Template['holes'][number]][] = [
    [e.association.id, 'association'],
    [e.id, 'id'],
    [`"timestamp":"${e.timestamp}"`, 'timestamp'],
  ];
  const parts: string[] = [];
  const holes: Template['holes'] = [];
  let rest = json;
  for (;;) {
    let best: { at: number; text: string; hole: Template['holes'][number] } | undefined;
    for (const [text, hole] of marks) {
      const at = rest.indexOf(text);
      if (at >= 0 && (!best || at < best.at)) best = { at, text, hole };
    }
    if (!best) break;
    parts.push(rest.slice(0, best.at));
    holes.push(best.hole);
    rest = rest.slice(best.at + best.text.length);
  }
  parts.push(rest);
  return { type: e.type, schema: e.schema, parts, holes };
}

function fill(t: Template, association: string, timestamp: string): string {
  let out = t.parts[0] as string;
  for (let i = 0; i < t.holes.length; i++) {
    const hole = t.holes[i];
    out += hole === 'association' ? association : hole === 'id' ? uuidv7() : `"timestamp":"${timestamp}"`;
    out += t.parts[i + 1] as string;
  }
  return out;
}

/** RFC 3339 with microseconds, as the adapter stamps events. */
const micros = (ms: number): string => new Date(ms).toISOString().replace('Z', '000Z');

interface Outgoing {
  key: string;
  value: string;
  headers: Record<string, string>;
}

async function run(input: RateProducerInput): Promise<RateProducerResult> {
  const templates = input.templates.map(compile);
  const kafka = new Kafka({
    clientId: 'dt-atna-bench-producer',
    brokers: input.brokers,
    logLevel: logLevel.NOTHING,
  });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const gzip = input.compression === 'gzip';
  // Per request: gzip'd events compress well; uncompressed ones must stay under the broker's 1 MB.
  const perRequest = gzip ? 1000 : 250;
  const total = templates.length * input.associations;
  const lastEventMs: [string, number][] = [];
  /** Events made and not yet sent, per partition (an association's events all go to one partition). */
  const queued: Outgoing[][] = Array.from({ length: input.partitions }, () => []);
  const inFlight = new Map<number, Promise<void>>();
  let association = randomUUID();
  let partition = 0;
  let made = 0;
  const t0 = Date.now();
  const sendFrom = (p: number): void => {
    const batch = (queued[p] as Outgoing[]).splice(0, perRequest);
    const request = producer
      .send({
        topic: input.topic,
        acks: -1,
        compression: gzip ? CompressionTypes.GZIP : CompressionTypes.None,
        messages: batch.map((m) => ({ ...m, partition: p })),
      })
      .then(() => {
        inFlight.delete(p);
      });
    inFlight.set(p, request);
  };
  for (;;) {
    const due = input.rate > 0 ? Math.min(total, Math.floor(((Date.now() - t0) / 1000) * input.rate)) : total;
    const now = Date.now();
    const timestamp = micros(now);
    // Made but unsent events are bounded: a producer that cannot keep up falls behind its schedule (and says so).
    let waiting = queued.reduce((n, q) => n + q.length, 0);
    for (; made < due && waiting < perRequest * input.partitions * 2; made++, waiting++) {
      const j = made % templates.length;
      if (j === 0 && made > 0) {
        association = randomUUID();
        partition = (partition + 1) % input.partitions;
      }
      const t = templates[j] as Template;
      (queued[partition] as Outgoing[]).push({
        key: association,
        value: fill(t, association, timestamp),
        headers: { type: t.type, schema: t.schema },
      });
      if (j === templates.length - 1) lastEventMs.push([association, now]);
    }
    // One request in flight per partition: the partition's order is the order of sending.
    for (let p = 0; p < input.partitions; p++)
      if (!inFlight.has(p) && (queued[p] as Outgoing[]).length > 0) sendFrom(p);
    if (made >= total && inFlight.size === 0 && queued.every((q) => q.length === 0)) break;
    await Promise.race([...inFlight.values(), new Promise((r) => setTimeout(r, 5))]);
  }
  const seconds = (Date.now() - t0) / 1000;
  await producer.disconnect();
  return { events: total, seconds, lastEventMs };
}

if (parentPort) {
  const port = parentPort;
  run(workerData as RateProducerInput).then(
    (r) => port.postMessage({ ok: true, result: r }),
    (err: unknown) => port.postMessage({ ok: false, error: (err as Error).stack ?? String(err) }),
  );
}
