/**
 * An audit message as an RFC 5424 syslog message, as IHE ITI-20 sends them:
 *   <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [SD] BOM XML
 * PRI: facility 10 (security/authorization), severity 5 (notice) for a success, 4 (warning) for a failure.
 * TIMESTAMP: the audited event's time (microseconds, UTC), so a resent message is byte-identical.
 * MSGID: IHE+RFC-3881 (ITI-20: the MSG is an audit message of the DICOM/RFC 3881 schema family).
 * STRUCTURED-DATA: [dicomtrail@32473 id="<stable message id>" traceparent="00-<trace id>-<span id>-01"
 * association="<uuid>"]: the dedupe key of a receiver and the link to the trace (32473 is the documentation
 * enterprise number of RFC 5612, until the project has its own).
 * The MSG is UTF-8 with the BOM (RFC 5424 6.4). Field limits: HOSTNAME 255, APP-NAME 48, PROCID 128,
 * MSGID 32 printable US-ASCII characters.
 * RFC 5425 frames it for TLS by octet counting: "MSG-LEN SP SYSLOG-MSG".
 */
import type { AuditMessage } from '../audit-message.js';
import { auditMessageXml } from '../xml/audit-message-xml.js';

export const MSGID = 'IHE+RFC-3881';
export const SD_ID = 'dicomtrail@32473';
const FACILITY_AUTH = 10;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

export interface SyslogHeader {
  hostname: string;
  appName: string;
  procId?: string;
}

/** PRINTUSASCII only (RFC 5424 6), truncated to `max`; '-' (NILVALUE) when empty. */
export function headerField(s: string, max: number): string {
  const clean = s.replace(/[^\x21-\x7e]/g, '').slice(0, max);
  return clean.length > 0 ? clean : '-';
}

/** An SD-PARAM value: '"', '\' and ']' escaped with a backslash (RFC 5424 6.3.3). */
export function sdValue(s: string): string {
  return s.replace(/["\\\]]/g, (c) => `\\${c}`);
}

export function structuredData(m: AuditMessage): string {
  const params: [string, string][] = [['id', m.id]];
  if (m.trace) {
    params.push(['traceparent', `00-${m.trace.traceId}-${m.trace.spanId ?? '0000000000000001'}-01`]);
    if (m.trace.associationId) params.push(['association', m.trace.associationId]);
  }
  return `[${SD_ID}${params.map(([k, v]) => ` ${k}="${sdValue(v)}"`).join('')}]`;
}

export function syslogMessage(m: AuditMessage, h: SyslogHeader): Buffer {
  const pri = FACILITY_AUTH * 8 + (m.outcome === 0 ? 5 : 4);
  const head = [
    `<${pri}>1`,
    m.dateTime,
    headerField(h.hostname, 255),
    headerField(h.appName, 48),
    headerField(h.procId ?? '', 128),
    MSGID,
    structuredData(m),
  ].join(' ');
  return Buffer.concat([Buffer.from(`${head} `, 'utf8'), BOM, Buffer.from(auditMessageXml(m), 'utf8')]);
}

/** RFC 5425 / RFC 6587 octet-counting frame: the message length in decimal, a space, the message. */
export function octetCountingFrame(message: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${message.length} `, 'ascii'), message]);
}
