#!/usr/bin/env node
/**
 * dicomtrail audit <command>
 *   run                    consume the event topic into the audit trail (the service; main.js runs this)
 *   verify [--anchors DIR]  walk every hash chain (and check it against the signed anchors); exit 1 naming
 *                          the first discrepancy
 *   anchor                 the anchoring process: sign every chain head each AUDIT_ANCHOR_INTERVAL_MS
 *   anchor-keygen --out P  create the anchoring key pair (P 0600, P.pub)
 *   rebuild-projections    refold audit.associations/operations/seq_findings from audit.events
 *   retention              drop monthly partitions older than AUDIT_RETENTION_DAYS (never below
 *                          AUDIT_RETENTION_MIN_DAYS), record EVT_RETENTION; as its own login, dicomtrail_retention
 * Configuration from the environment (docs/configuration.md, "audit-writer").
 */
import { describeKafkaSecurity, KafkaLinkError, kafkaSecurityFromConfig } from '@dicomtrail/event-log';
import {
  checkDatabaseUrl,
  configOrExit,
  createLogger,
  describeDatabaseError,
  loadConfigOrExit,
  onShutdown,
  routeProcessWarnings,
  tlsFailureOf,
} from '@dicomtrail/runtime';
import pg from 'pg';
import { anchorKeygen, runAnchorer, verifyAnchored } from './anchoring/commands.js';
import { anchorConfigSpec } from './anchoring/config.js';
import { auditWriterConfigSpec } from './config.js';
import { startAuditWriter } from './consumer-loop.js';
import type { InsertMethod } from './event-insert.js';
import { LOGIN_ROLES, loginUrl } from './login-roles.js';
import { rebuildProjections } from './rebuild.js';
import { runRetention } from './retention.js';
import { describeBroken, verifyTrail } from './verify.js';

const USAGE =
  'usage: dicomtrail audit run | verify [--anchors DIR [--public-key PATH] [--tsa-ca FILE]] | rebuild-projections | retention | anchor | anchor-keygen --out PATH';

export async function main(argv: readonly string[]): Promise<number> {
  const command = argv[0] ?? 'run';
  if (command === 'anchor-keygen') return anchorKeygen(argv.slice(1));
  if (command === 'anchor') {
    const log = createLogger('audit-anchor');
    routeProcessWarnings(log);
    await runAnchorer(loadConfigOrExit(anchorConfigSpec, log), log);
    return -1; // keeps running
  }
  const log = createLogger('audit-writer');
  routeProcessWarnings(log);
  const config = loadConfigOrExit(auditWriterConfigSpec, log);
  configOrExit(() => checkDatabaseUrl(config.DATABASE_URL), log);
  if (command === 'run') {
    const kafkaSecurity = configOrExit(() => kafkaSecurityFromConfig(config), log);
    log.info(describeKafkaSecurity(config, kafkaSecurity), 'kafka link security');
    const writer = await startAuditWriter({
      brokers: config.KAFKA_BROKERS,
      databaseUrl: config.AUDIT_WRITER_DATABASE_URL ?? loginUrl(config.DATABASE_URL, LOGIN_ROLES.writer),
      kafkaSecurity,
      topic: config.EVENTS_TOPIC,
      groupId: config.AUDIT_WRITER_GROUP_ID,
      batchBytes: config.AUDIT_WRITER_BATCH_BYTES,
      sessionTimeoutMs: config.AUDIT_WRITER_SESSION_TIMEOUT_MS,
      concurrency: config.AUDIT_WRITER_CONCURRENCY,
      maxBatchEvents: config.AUDIT_WRITER_MAX_BATCH_EVENTS,
      insertMethod: config.AUDIT_WRITER_INSERT_METHOD as InsertMethod,
      partitionsAhead: config.AUDIT_PARTITIONS_AHEAD,
      createTopics: {
        numPartitions: config.EVENTS_TOPIC_PARTITIONS,
        replicationFactor: config.EVENTS_TOPIC_REPLICATION,
      },
      log,
    });
    log.info('audit-writer ready');
    onShutdown(log, [() => writer.stop()]);
    return -1; // keeps running
  }
  // verify and rebuild-projections run as DATABASE_URL's user (the owner); retention as its own login.
  const url =
    command === 'retention'
      ? (config.AUDIT_RETENTION_DATABASE_URL ?? loginUrl(config.DATABASE_URL, LOGIN_ROLES.retention))
      : config.DATABASE_URL;
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  try {
    switch (command) {
      case 'verify': {
        if (argv.includes('--anchors') || argv.some((a) => a.startsWith('--anchors='))) {
          const anchorConfig = loadConfigOrExit(anchorConfigSpec, log);
          return await verifyAnchored(pool, argv.slice(1), anchorConfig, config.AUDIT_RETENTION_DAYS);
        }
        const report = await verifyTrail(pool);
        if (report.broken) {
          process.stdout.write(`FAILED: ${describeBroken(report.broken)}\n`);
          return 1;
        }
        process.stdout.write(
          `OK: ${report.chains} chains, ${report.rows} rows verified; ${report.anchored_chains} chains anchored by retention\n`,
        );
        return 0;
      }
      case 'rebuild-projections': {
        const r = await rebuildProjections(pool);
        process.stdout.write(
          `rebuilt from ${r.events} events: ${r.associations} associations, ${r.operations} operations, ${r.findings} seq findings\n`,
        );
        return 0;
      }
      case 'retention': {
        const r = await runRetention(pool, {
          retentionDays: config.AUDIT_RETENTION_DAYS,
          minDays: config.AUDIT_RETENTION_MIN_DAYS,
        });
        const names = r.dropped.map((d) => `${d.name} (${d.rows} rows)`).join(', ') || 'none';
        process.stdout.write(
          `retention: cutoff ${r.cutoff}; dropped ${names}; recorded as event ${r.event_id}\n`,
        );
        return 0;
      }
      default:
        process.stderr.write(`dicomtrail audit: unknown subcommand '${command}' (${USAGE})\n`);
        return 2;
    }
  } finally {
    await pool.end();
  }
}

const code = await main(process.argv.slice(2)).catch((err: unknown) => {
  // A refused link says what to check: Kafka's (diagnosed where it connects), else Postgres's TLS.
  const message =
    err instanceof KafkaLinkError || !tlsFailureOf(err) ? (err as Error).message : describeDatabaseError(err);
  process.stderr.write(`dicomtrail audit: ${message}\n`);
  return 1;
});
if (code >= 0) process.exit(code);
