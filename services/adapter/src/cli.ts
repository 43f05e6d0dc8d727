#!/usr/bin/env node
/**
 * `dicomtrail adapter [--port N] [--ae-title T] [--store-dir D] [--events-out FILE]`: the standalone SCP.
 * Flags override the environment variables of config.ts. SIGTERM/SIGINT close the listener, let open
 * associations finish within SHUTDOWN_GRACE_MS, then abort them. With KAFKA_BROKERS set, every event is also
 * published to dicomtrail.events.v1 (sinks/wal-sink.ts; sinks/kafka-sink.ts with AUDIT_DURABILITY=async),
 * beside `--events-out`, through the log in SPOOL_DIR (async: only while Kafka is away), AUDIT_POLICY at
 * the spool's limit (sinks/audit-policy.ts) and, with HEALTH_PORT, /healthz and /metrics (health.ts).
 * The SCP is an archive node (archive/archive.ts): stored instances are indexed, and Query/Retrieve, Modality
 * Worklist (WORKLIST_DIR), MPPS and Storage Commitment are served by the default handlers.
 */
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { describeKafkaSecurity, type KafkaClientName, kafkaSecurityFromConfig } from '@dicomtrail/event-log';
import {
  configOrExit,
  createLogger,
  loadConfigOrExit,
  onShutdown,
  routeProcessWarnings,
} from '@dicomtrail/runtime';
import { type EventType, isEventType } from '@dicomtrail/schemas';
import type { AcceptorPolicy } from './acse/acceptor.js';
import { acceptAndRecord, type UserIdentityVerifier } from './acse/user-identity.js';
import { Archive } from './archive/archive.js';
import { type MoveDestinations, parseMoveDestinations } from './archive/move-destinations.js';
import {
  DICOMTRAIL_IMPLEMENTATION_CLASS_UID,
  DICOMTRAIL_IMPLEMENTATION_VERSION,
} from './association/client.js';
import { DicomServer } from './association/server.js';
import type { EventSink } from './association/types.js';
import { adapterConfigSpec } from './config.js';
import { setEventValueLimit } from './dataset/dicom-json.js';
import { nodeStarted, nodeStopped, startRun } from './events/node-lifecycle.js';
import { startHealthServer } from './health.js';
import { createIdentityVerifier } from './identity/identity-verifier.js';
import { loadJwtKeys } from './identity/jwt.js';
import { loadUsersFile } from './identity/users-file.js';
import type { MaxPduOffer } from './proxy/negotiation-relay.js';
import { AuditProxy } from './proxy/proxy-server.js';
import { describeRoute, type ProxyRoutes, parseProxyRoutes } from './proxy/routes.js';
import { SUPPORTED_TRANSFER_SYNTAXES } from './service-classes/transfer-syntaxes.js';
import { type AuditPolicy, type SpoolAdmission, spoolAdmission } from './sinks/audit-policy.js';
import { createWalSink } from './sinks/create-wal-sink.js';
import { JsonlSink } from './sinks/jsonl-sink.js';
import { lingerMsOf } from './sinks/kafka-producers.js';
import { createKafkaSink } from './sinks/kafka-sink.js';
import { Spool } from './sinks/spool.js';
import { loadOutboundTls, type OutboundTls } from './tls/outbound-tls.js';
import { dicomTlsFromConfig } from './tls/tls-config.js';
import { TlsGate } from './tls/tls-gate.js';
import { TlsRefusalRecorder } from './tls/tls-refused-event.js';

const USAGE =
  'usage: dicomtrail adapter [--port N] [--host ADDR] [--ae-title T] [--store-dir DIR] [--events-out FILE]';

const log = createLogger('adapter');
routeProcessWarnings(log);
const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    'ae-title': { type: 'string' },
    'store-dir': { type: 'string' },
    'events-out': { type: 'string' },
    help: { type: 'boolean' },
  },
});
if (values.help || (positionals[0] ?? 'adapter') !== 'adapter') {
  process.stdout.write(`${USAGE}\n`);
  process.exit(values.help ? 0 : 2);
}
const env = { ...process.env };
if (values.port) env['DICOM_PORT'] = values.port;
if (values.host) env['DICOM_HOST'] = values.host;
if (values['ae-title']) env['DICOM_AE_TITLE'] = values['ae-title'];
if (values['store-dir']) env['DICOM_STORE_DIR'] = values['store-dir'];
if (values['events-out']) env['EVENTS_OUT'] = values['events-out'];
const config = loadConfigOrExit(adapterConfigSpec, log, env);

const badTypes = config.EVENT_TYPES.filter((t) => !isEventType(t));
if (badTypes.length > 0) {
  log.fatal({ problems: [`EVENT_TYPES has unknown types: ${badTypes.join(', ')}`] }, 'invalid configuration');
  process.exit(2);
}
let routes: ProxyRoutes | undefined;
try {
  routes =
    config.PROXY_UPSTREAM || config.PROXY_ROUTES.length > 0
      ? parseProxyRoutes(config.PROXY_UPSTREAM, config.PROXY_ROUTES)
      : undefined;
} catch (err) {
  log.fatal({ problems: [(err as Error).message] }, 'invalid configuration');
  process.exit(2);
}
const node = {
  id: config.NODE_ID ?? hostname(),
  hostname: hostname(),
  version: '0.1.0',
  mode: routes ? ('proxy' as const) : ('scp' as const),
};
setEventValueLimit(config.EVENT_VALUE_MAX_BYTES);
const storeDir = path.resolve(config.DICOM_STORE_DIR);
mkdirSync(storeDir, { recursive: true, mode: 0o700 });
let destinations: MoveDestinations;
try {
  destinations = parseMoveDestinations(config.ARCHIVE_MOVE_DESTINATIONS);
} catch (err) {
  log.fatal({ problems: [(err as Error).message] }, 'invalid configuration');
  process.exit(2);
}
// DICOM TLS: the listener's certificate and client CAs, and every tls:// leg's files, read and checked now.
const dicomTls = configOrExit(() => dicomTlsFromConfig(config), log);
const outboundLegs: OutboundTls[] = [];
try {
  const load = (tls: OutboundTls | undefined, label: string, leg: 'upstream' | 'move-destination') => {
    if (!tls) return;
    loadOutboundTls(tls, dicomTls.outboundDefaults, label);
    tls.leg = leg;
    outboundLegs.push(tls);
  };
  for (const [ae, r] of routes?.byCalledAe ?? []) load(r.tls, `PROXY_ROUTES ${ae}`, 'upstream');
  load(routes?.fallback?.tls, 'PROXY_UPSTREAM', 'upstream');
  for (const [ae, d] of destinations) load(d.tls, `ARCHIVE_MOVE_DESTINATIONS ${ae}`, 'move-destination');
} catch (err) {
  log.fatal({ problems: [(err as Error).message] }, 'invalid configuration');
  process.exit(2);
}
// Proxy mode relays to the PACS; the archive (and its index of the store directory) is the SCP mode's.
const archive = routes
  ? undefined
  : new Archive({
      storeDir,
      ...(config.ARCHIVE_INDEX_DIR ? { indexDir: path.resolve(config.ARCHIVE_INDEX_DIR) } : {}),
      aeTitle: config.DICOM_AE_TITLE,
      destinations,
      ...(config.WORKLIST_DIR ? { worklistDir: path.resolve(config.WORKLIST_DIR) } : {}),
      ...(config.ARCHIVE_MAX_BYTES > 0 ? { maxBytes: config.ARCHIVE_MAX_BYTES } : {}),
      maxMppsSteps: config.ARCHIVE_MAX_MPPS_STEPS,
      log,
    });
const sinks: EventSink[] = [];
// EVENT_TYPES empty (the default) records every type.
const eventTypes = config.EVENT_TYPES.length > 0 ? (config.EVENT_TYPES as EventType[]) : undefined;
if (config.EVENTS_OUT) sinks.push(new JsonlSink(path.resolve(config.EVENTS_OUT), node, eventTypes));
// KAFKA_BROKERS set: publish to the event log (connects in the background; the DICOM side never waits on it),
// with the durable spool behind it.
const durability = config.AUDIT_DURABILITY as 'sync' | 'async';
const policyName = config.AUDIT_POLICY as AuditPolicy;
const spool =
  config.KAFKA_BROKERS.length > 0
    ? await Spool.open(path.resolve(config.SPOOL_DIR), {
        maxBytes: config.SPOOL_MAX_BYTES,
        // sync: the write-ahead log writes on the DICOM thread and syncs when an answer needs it (wal-sink.ts),
        // into segments zeroed ahead of need, so that a sync does not grow the file.
        preallocate: durability === 'sync' && config.SPOOL_PREALLOCATE,
        onCorrupt: (info) => log.error({ ...info }, 'event spool: corrupt record skipped'),
        onTornTail: (info) => log.warn({ ...info }, 'event spool: torn tail cut off (crash mid-write)'),
        onPreallocateFailed: (err) =>
          log.warn({ err }, 'event spool: no segment preallocated (the next one grows with its writes)'),
      }).catch((err: unknown) => {
        log.fatal({ err, spool_dir: config.SPOOL_DIR }, 'event spool could not be opened');
        process.exit(1);
      })
    : undefined;
const kafkaSecurity =
  config.KAFKA_BROKERS.length > 0 ? configOrExit(() => kafkaSecurityFromConfig(config), log) : undefined;
if (kafkaSecurity) log.info(describeKafkaSecurity(config, kafkaSecurity), 'kafka link security');
const kafkaConfig =
  config.KAFKA_BROKERS.length > 0
    ? {
        ...(kafkaSecurity ? { security: kafkaSecurity } : {}),
        brokers: config.KAFKA_BROKERS,
        topic: config.EVENTS_TOPIC,
        partitions: config.EVENTS_TOPIC_PARTITIONS,
        replication: config.EVENTS_TOPIC_REPLICATION,
        maxQueue: config.KAFKA_MAX_QUEUE,
        lingerMs: lingerMsOf(durability, config.KAFKA_LINGER_MS),
        batchMax: config.KAFKA_BATCH_MAX,
        producerThread: config.KAFKA_PRODUCER_THREAD,
        client: config.KAFKA_CLIENT as KafkaClientName,
        compression: config.KAFKA_COMPRESSION as 'gzip' | 'none',
        threadNice: config.KAFKA_THREAD_NICE,
        node,
        log,
        types: eventTypes,
      }
    : undefined;
const walSink =
  kafkaConfig && spool && durability === 'sync'
    ? createWalSink({ ...kafkaConfig, spool, failOpen: policyName === 'fail-open' })
    : undefined;
const kafkaSink = kafkaConfig && !walSink ? createKafkaSink({ ...kafkaConfig, spool }) : undefined;
if (walSink) sinks.push(walSink);
if (kafkaSink) sinks.push(kafkaSink);
let userIdentity: UserIdentityVerifier = acceptAndRecord;
if (config.DICOM_USERS_FILE || config.DICOM_JWT_KEYS_FILE) {
  try {
    userIdentity = createIdentityVerifier({
      ...(config.DICOM_USERS_FILE ? { users: loadUsersFile(path.resolve(config.DICOM_USERS_FILE)) } : {}),
      ...(config.DICOM_JWT_KEYS_FILE
        ? {
            jwt: {
              keys: loadJwtKeys(path.resolve(config.DICOM_JWT_KEYS_FILE)),
              clockSkewSeconds: config.DICOM_JWT_CLOCK_SKEW_S,
              ...(config.DICOM_JWT_ISSUER ? { issuer: config.DICOM_JWT_ISSUER } : {}),
              ...(config.DICOM_JWT_AUDIENCE ? { audience: config.DICOM_JWT_AUDIENCE } : {}),
            },
          }
        : {}),
    });
  } catch (err) {
    log.fatal({ problems: [(err as Error).message] }, 'invalid configuration');
    process.exit(2);
  }
}
if (durability === 'sync' && !walSink)
  log.warn(
    { events_out: config.EVENTS_OUT ?? null },
    'AUDIT_DURABILITY=sync needs KAFKA_BROKERS (the write-ahead log feeds Kafka): answers do not wait for events',
  );
// A crash of the last run: the associations it cut off are recorded as interrupted, and the instances they
// were storing when it happened, which no durable event records, are taken out of the store.
if (walSink) {
  const recovery = await walSink.recover();
  if (archive && recovery.storing.length > 0) archive.removeUnrecorded(recovery.storing);
  walSink.start();
}
const admission: SpoolAdmission | undefined = spool ? spoolAdmission(spool, policyName, log) : undefined;

const tlsRefusals = new TlsRefusalRecorder(sinks);
for (const leg of outboundLegs) leg.onRefused = (r) => tlsRefusals.record(r);
const tlsGate = dicomTls.listener
  ? new TlsGate({
      tls: dicomTls.listener,
      handshakeTimeoutMs: config.DICOM_ARTIM_TIMEOUT_MS,
      log,
      onRefused: (r) => tlsRefusals.record(r),
    })
  : undefined;
const common = {
  ...(tlsGate ? { tlsGate } : {}),
  host: config.DICOM_HOST,
  port: config.DICOM_PORT,
  storeDir,
  sinks,
  log,
  artimTimeoutMs: config.DICOM_ARTIM_TIMEOUT_MS,
  bulkDataThreshold: config.BULK_DATA_THRESHOLD,
  maxAssociations: config.DICOM_MAX_ASSOCIATIONS,
};
const limits = {
  maxAssociationsPerAddress: config.DICOM_MAX_ASSOCIATIONS_PER_ADDRESS,
  idleTimeoutMs: config.DICOM_IDLE_TIMEOUT_MS,
  maxConnections: config.DICOM_MAX_CONNECTIONS,
  writeTimeoutMs: config.DICOM_WRITE_TIMEOUT_MS,
  maxPendingRequests: config.DICOM_MAX_PENDING_REQUESTS,
  maxInstanceBytes: config.DICOM_MAX_INSTANCE_BYTES,
  writebackBytes: config.DICOM_STORE_WRITEBACK_BYTES,
};
const policy: AcceptorPolicy = {
  aeTitle: config.DICOM_AE_TITLE,
  requireCalledAeTitle: config.DICOM_REQUIRE_CALLED_AE,
  allowedCallingAeTitles: config.DICOM_ALLOWED_CALLING_AE,
  supported: {
    abstractSyntaxes: new Set(archive?.abstractSyntaxes() ?? []),
    transferSyntaxes: SUPPORTED_TRANSFER_SYNTAXES,
  },
  maxPduReceive: config.DICOM_MAX_PDU,
  implementationClassUid: DICOMTRAIL_IMPLEMENTATION_CLASS_UID,
  implementationVersionName: DICOMTRAIL_IMPLEMENTATION_VERSION,
  userIdentity,
  requireUserIdentity: config.DICOM_REQUIRE_USER_IDENTITY,
  ...(admission ? { admission: admission.admission } : {}),
};
const proxy = routes
  ? new AuditProxy({
      ...common,
      limits,
      routes,
      policy,
      connectTimeoutMs: config.PROXY_CONNECT_TIMEOUT_MS,
      maxPduOffer: config.PROXY_MAX_PDU_OFFER as MaxPduOffer,
    })
  : undefined;
const server = proxy ? proxy.server : new DicomServer({ ...common, ...limits, policy });
archive?.bind(server.handlers);
const where = await server.listen();
const run = startRun(node, config.DICOM_AE_TITLE, { address: where.address, port: where.port });
const started = nodeStarted(run);
for (const s of sinks) s.writeNodeEvent?.(started);
tlsRefusals.start(run);
let stopSignal = 'shutdown';
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => (stopSignal = signal));
const health =
  config.HEALTH_PORT > 0
    ? await startHealthServer(config.HEALTH_PORT, {
        state: () => {
          if (walSink) return walSink.stats().state;
          if (!kafkaSink) return 'off';
          const st = kafkaSink.stats();
          if (st.mode !== 'direct') return st.mode;
          if (st.state === 'connected' && st.recoveries > 0) return 'recovered';
          return st.state;
        },
        healthy: () =>
          !((spool?.isFull() || spool?.writeError !== undefined) && policyName === 'fail-closed'),
        metrics: () => {
          const st = kafkaSink?.stats();
          return {
            ...(walSink ? { event_log: { durability, ...walSink.stats() } } : {}),
            kafka: st
              ? {
                  produced: st.produced,
                  spooled: st.spooled,
                  spool_pending: st.spoolPending,
                  replayed: st.replayed,
                  replay_skipped: st.replaySkipped,
                  dropped: st.dropped,
                  not_recorded: st.dropped + st.spoolFailed,
                  spool_append_failed: st.spoolFailed,
                  invalid: st.invalid,
                  queued: st.queued,
                  encoding: st.encoding,
                  failed_batches: st.failed,
                  producer_last_batch_ms: st.lastBatchMs ?? null,
                  producer_median_batch_ms: st.medianBatchMs ?? null,
                  producer_last_lag_ms: st.lastLagMs ?? null,
                  recoveries: st.recoveries,
                }
              : null,
            spool: spool
              ? {
                  bytes: spool.bytes,
                  limit_bytes: spool.maxBytes,
                  full: spool.isFull(),
                  records: spool.records,
                  segments: spool.segments,
                  corrupt_records: spool.corruptRecords,
                  policy: policyName,
                  ...admission?.stats(),
                }
              : null,
            associations: server.associations.size,
          };
        },
      })
    : undefined;
log.info(
  {
    ...where,
    ae_title: config.DICOM_AE_TITLE,
    store_dir: storeDir,
    events_out: config.EVENTS_OUT ?? null,
    kafka: kafkaConfig ? { brokers: config.KAFKA_BROKERS, topic: config.EVENTS_TOPIC } : null,
    durability: walSink ? 'sync' : 'async',
    spool: spool ? { dir: spool.dir, max_bytes: spool.maxBytes, policy: policyName } : null,
    health_port: health?.port ?? null,
    mode: node.mode,
    dicom_tls: dicomTls.listener
      ? {
          profile: 'BCP 195 non-downgrading (TLS 1.2+)',
          client_auth: dicomTls.listener.clientAuth,
          ae_bindings: dicomTls.listener.bindings?.bindings.length ?? 0,
          plain_port: server.plainPort ?? null,
        }
      : null,
    proxy: routes
      ? {
          upstream: routes.fallback ? describeRoute(routes.fallback) : null,
          routes: Object.fromEntries([...routes.byCalledAe].map(([ae, r]) => [ae, describeRoute(r)])),
        }
      : null,
    archive: archive
      ? {
          instances: archive.index.index.size,
          move_destinations: [...destinations.keys()],
          worklist: config.WORKLIST_DIR ?? null,
        }
      : null,
  },
  'adapter ready',
);
onShutdown(
  log,
  [
    async () => server.close(config.SHUTDOWN_GRACE_MS),
    async () => archive?.close(),
    async () => {
      const stopped = nodeStopped(run, stopSignal);
      for (const s of sinks) s.writeNodeEvent?.(stopped);
      for (const s of sinks) await s.close();
      await spool?.close();
      health?.server.close();
    },
  ],
  // Associations get SHUTDOWN_GRACE_MS; the sinks then flush (Kafka: at most 5 s, plus 2 s to disconnect).
  config.SHUTDOWN_GRACE_MS + 10_000,
);
