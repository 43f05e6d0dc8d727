/**
 * The anchoring commands of `dicomtrail-audit`:
 *   anchor                         the anchoring process (signs chain heads every AUDIT_ANCHOR_INTERVAL_MS)
 *   anchor-keygen --out PATH       a new Ed25519 key pair: PATH (0600) and PATH.pub
 *   verify --anchors DIR [--public-key PATH] [--tsa-ca FILE]   the trail against the anchors
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import {
  createEventProducer,
  createKafka,
  type EventProducer,
  ensureTopics,
  kafkaSecurityFromConfig,
} from '@dicomtrail/event-log';
import { type ConfigOf, DicomtrailError, type Logger, onShutdown } from '@dicomtrail/runtime';
import type pg from 'pg';
import { createRolePool } from '../db.js';
import {
  generateAnchorKey,
  loadAnchorPublicKey,
  loadAnchorSigningKey,
  publicKeyPathOf,
} from './anchor-key.js';
import { AnchorPublisher } from './anchor-publisher.js';
import { describeAnchoredReport, verifyWithAnchors } from './anchor-verify.js';
import { ANCHOR_TABLES, Anchorer } from './anchorer.js';
import type { anchorConfigSpec } from './config.js';
import { certificatesOfPem } from './timestamp-token.js';

type AnchorConfig = ConfigOf<typeof anchorConfigSpec>;

function trustedCas(config: AnchorConfig, override?: string) {
  const file = override ?? config.AUDIT_TSA_CA_FILE;
  if (!file) return [];
  try {
    return certificatesOfPem(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new DicomtrailError(
      'DT_ERR_TSA_CA',
      `cannot read TSA CA certificates ${file}: ${(err as Error).message}`,
      { file },
      err,
    );
  }
}

export function anchorKeygen(argv: readonly string[]): number {
  const { values } = parseArgs({ args: [...argv], options: { out: { type: 'string' } } });
  if (!values.out) {
    process.stderr.write('usage: dicomtrail-audit anchor-keygen --out PATH\n');
    return 2;
  }
  const k = generateAnchorKey(values.out);
  process.stdout.write(`anchor key ${k.keyPath} (0600), public key ${k.publicKeyPath}; key id ${k.keyId}\n`);
  return 0;
}

/** Starts the anchoring process; resolves once it is running (it stops on SIGTERM/SIGINT). */
export async function runAnchorer(config: AnchorConfig, log: Logger): Promise<void> {
  const key = loadAnchorSigningKey(config.AUDIT_ANCHOR_KEY);
  const pool = await createRolePool(config.DATABASE_URL, config.AUDIT_ANCHOR_DB_ROLE, log, 1, ANCHOR_TABLES);
  const tsa = config.AUDIT_TSA_URL
    ? { url: config.AUDIT_TSA_URL, timeoutMs: config.AUDIT_TSA_TIMEOUT_MS, trusted: trustedCas(config) }
    : undefined;
  const events = config.AUDIT_ANCHOR_EVENTS ? await anchorEvents(config, log) : undefined;
  const anchorer = Anchorer.open({
    pool,
    dir: config.AUDIT_ANCHOR_DIR,
    key,
    intervalMs: config.AUDIT_ANCHOR_INTERVAL_MS,
    log,
    ...(tsa ? { tsa } : {}),
    ...(events ? { onAnchor: (anchor, file) => events.publisher.publish(anchor, file) } : {}),
  });
  events?.publisher.republishLast(config.AUDIT_ANCHOR_DIR);
  anchorer.start();
  log.info(
    {
      dir: config.AUDIT_ANCHOR_DIR,
      key_id: key.keyId,
      interval_ms: config.AUDIT_ANCHOR_INTERVAL_MS,
      tsa: tsa !== undefined,
    },
    'anchoring chain heads',
  );
  onShutdown(log, [
    () => anchorer.stop(),
    async () => {
      await events?.publisher.stop();
      await events?.producer.disconnect();
    },
    () => pool.end(),
  ]);
}

/** The producer and publisher that put every anchor on the event topic (AUDIT_ANCHOR_EVENTS). */
async function anchorEvents(
  config: AnchorConfig,
  log: Logger,
): Promise<{ producer: EventProducer; publisher: AnchorPublisher }> {
  const kafka = createKafka({
    clientId: 'dicomtrail-anchor',
    brokers: config.KAFKA_BROKERS,
    log,
    security: kafkaSecurityFromConfig(config),
  });
  await ensureTopics(kafka, [
    {
      topic: config.EVENTS_TOPIC,
      numPartitions: config.EVENTS_TOPIC_PARTITIONS,
      replicationFactor: config.EVENTS_TOPIC_REPLICATION,
    },
  ]);
  const producer = createEventProducer({ topic: config.EVENTS_TOPIC, kafka, log });
  await producer.connect();
  const hostname = os.hostname();
  const publisher = new AnchorPublisher({
    producer,
    node: { id: config.AUDIT_ANCHOR_NODE_ID ?? `anchor-${hostname}`, hostname, version: '0.1.0' },
    log,
  });
  log.info({ topic: config.EVENTS_TOPIC }, 'anchors also published on the event topic');
  return { producer, publisher };
}

export async function verifyAnchored(
  pool: pg.Pool,
  argv: readonly string[],
  config: AnchorConfig,
  minRetentionDays: number,
): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: { anchors: { type: 'string' }, 'public-key': { type: 'string' }, 'tsa-ca': { type: 'string' } },
  });
  const publicKeyPath =
    values['public-key'] ?? config.AUDIT_ANCHOR_PUBLIC_KEY ?? publicKeyPathOf(config.AUDIT_ANCHOR_KEY);
  const report = await verifyWithAnchors(pool, {
    dir: values.anchors ?? config.AUDIT_ANCHOR_DIR,
    publicKey: loadAnchorPublicKey(publicKeyPath),
    trusted: trustedCas(config, values['tsa-ca']),
    minRetentionDays,
  });
  process.stdout.write(`${describeAnchoredReport(report)}\n`);
  return report.ok ? 0 : 1;
}
