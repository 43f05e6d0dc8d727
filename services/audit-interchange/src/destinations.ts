/**
 * The destinations the configuration names (at least one): syslog over TLS or UDP, a FHIR server, NDJSON files.
 * TLS material is read here, at start-up, so a missing CA or a loose key stops the service with the variable named.
 */
import { hostname } from 'node:os';
import { DicomtrailError, type Logger } from '@dicomtrail/runtime';
import type { AuditContext } from './audit-message.js';
import type { AuditInterchangeConfig } from './config.js';
import type { Destination } from './destination.js';
import { FhirDeadLetters } from './fhir/dead-letters.js';
import { FhirHttpDestination } from './fhir/http-destination.js';
import { NdjsonDestination } from './fhir/ndjson-destination.js';
import { readKeyFile, readPemFile } from './key-files.js';
import { SyslogTlsDestination } from './syslog/tls-destination.js';
import { SyslogUdpDestination } from './syslog/udp-destination.js';

export function hasDestination(config: AuditInterchangeConfig): boolean {
  return (
    config.AUDIT_SYSLOG_TRANSPORT !== 'none' || !!config.AUDIT_FHIR_URL || !!config.AUDIT_FHIR_NDJSON_DIR
  );
}

export function auditContext(config: AuditInterchangeConfig): AuditContext {
  return {
    ...(config.AUDIT_SOURCE_ID ? { sourceId: config.AUDIT_SOURCE_ID } : {}),
    ...(config.AUDIT_ENTERPRISE_SITE_ID ? { enterpriseSiteId: config.AUDIT_ENTERPRISE_SITE_ID } : {}),
    includePatientName: config.AUDIT_INCLUDE_PATIENT_NAME,
  };
}

export function createDestinations(config: AuditInterchangeConfig, log: Logger): Destination[] {
  const out: Destination[] = [];
  const header = {
    hostname: config.AUDIT_SYSLOG_HOSTNAME ?? hostname(),
    appName: config.AUDIT_SYSLOG_APP_NAME,
    procId: String(process.pid),
  };
  if (config.AUDIT_SYSLOG_TRANSPORT === 'tls') {
    if (!config.AUDIT_SYSLOG_CA_FILE)
      throw new DicomtrailError(
        'DT_ERR_CONFIG',
        'AUDIT_SYSLOG_CA_FILE is required with AUDIT_SYSLOG_TRANSPORT=tls',
      );
    if (!!config.AUDIT_SYSLOG_CERT_FILE !== !!config.AUDIT_SYSLOG_KEY_FILE)
      throw new DicomtrailError(
        'DT_ERR_CONFIG',
        'AUDIT_SYSLOG_CERT_FILE and AUDIT_SYSLOG_KEY_FILE go together',
      );
    out.push(
      new SyslogTlsDestination({
        host: config.AUDIT_SYSLOG_HOST,
        port: config.AUDIT_SYSLOG_PORT || 6514,
        ca: readPemFile(config.AUDIT_SYSLOG_CA_FILE, 'AUDIT_SYSLOG_CA_FILE'),
        ...(config.AUDIT_SYSLOG_CERT_FILE
          ? { cert: readPemFile(config.AUDIT_SYSLOG_CERT_FILE, 'AUDIT_SYSLOG_CERT_FILE') }
          : {}),
        ...(config.AUDIT_SYSLOG_KEY_FILE
          ? { key: readKeyFile(config.AUDIT_SYSLOG_KEY_FILE, 'AUDIT_SYSLOG_KEY_FILE') }
          : {}),
        ...(config.AUDIT_SYSLOG_SERVERNAME ? { servername: config.AUDIT_SYSLOG_SERVERNAME } : {}),
        header,
        confirmMs: config.AUDIT_SYSLOG_CONFIRM_MS,
        maxPending: config.AUDIT_MAX_PENDING,
        log,
      }),
    );
  } else if (config.AUDIT_SYSLOG_TRANSPORT === 'udp') {
    out.push(
      new SyslogUdpDestination({
        host: config.AUDIT_SYSLOG_HOST,
        port: config.AUDIT_SYSLOG_PORT || 514,
        header,
        log,
      }),
    );
  }
  if (config.AUDIT_FHIR_URL)
    out.push(
      new FhirHttpDestination({
        baseUrl: config.AUDIT_FHIR_URL,
        ...(config.AUDIT_FHIR_AUTHORIZATION ? { authorization: config.AUDIT_FHIR_AUTHORIZATION } : {}),
        timeoutMs: config.AUDIT_FHIR_TIMEOUT_MS,
        maxPending: config.AUDIT_MAX_PENDING,
        deadLetters: new FhirDeadLetters(config.AUDIT_FHIR_DEAD_LETTER_DIR),
        log,
      }),
    );
  if (config.AUDIT_FHIR_NDJSON_DIR)
    out.push(
      new NdjsonDestination({ dir: config.AUDIT_FHIR_NDJSON_DIR, maxPending: config.AUDIT_MAX_PENDING, log }),
    );
  if (out.length === 0)
    throw new DicomtrailError(
      'DT_ERR_CONFIG',
      'no destination: set AUDIT_SYSLOG_TRANSPORT (tls/udp), AUDIT_FHIR_URL or AUDIT_FHIR_NDJSON_DIR',
    );
  return out;
}

/** Hands one batch to every destination; `done` once all of them have it. */
export function deliverAll(
  destinations: readonly Destination[],
  messages: Parameters<Destination['deliver']>[0],
  done: () => void,
): void {
  let remaining = destinations.length;
  for (const d of destinations)
    d.deliver(messages, () => {
      if (--remaining === 0) done();
    });
}
