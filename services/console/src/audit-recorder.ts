/**
 * Records each read of the trail before the console serves it: allocates the node's next seq (console.event_seq),
 * builds the EVT_AUDIT_LOG_USED event and publishes it to the event topic, idempotent with acks=all, and waits
 * for the acknowledgement. If it is not acknowledged within the timeout the read is refused
 * (DT_ERR_CONSOLE_AUDIT_UNAVAILABLE, HTTP 503): the console never shows the trail without recording it.
 */
import { randomBytes } from 'node:crypto';
import { type EventProducer, HEADER_SCHEMA, HEADER_TYPE } from '@dicomtrail/event-log';
import { SCHEMA_ID } from '@dicomtrail/schemas';
import type pg from 'pg';
import { type AuditLogRead, auditLogUsedEvent, type ConsoleNode } from './audit-log-used.js';
import { ConsoleError } from './errors.js';

export interface AuditRecorder {
  record(read: AuditLogRead): Promise<void>;
}

function nonZeroHex(bytes: number): string {
  const b = randomBytes(bytes);
  b[0] = b[0]! | 1;
  return b.toString('hex');
}

async function nextSeq(db: pg.Pool, nodeId: string): Promise<number> {
  const { rows } = await db.query<{ seq: string }>(
    `INSERT INTO console.event_seq (node_id, next_seq) VALUES ($1, 1)
     ON CONFLICT (node_id) DO UPDATE SET next_seq = console.event_seq.next_seq + 1
     RETURNING next_seq - 1 AS seq`,
    [nodeId],
  );
  return Number(rows[0]!.seq);
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not acknowledged within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

export function createAuditRecorder(o: {
  db: pg.Pool;
  producer: EventProducer;
  node: ConsoleNode;
  timeoutMs: number;
}): AuditRecorder {
  return {
    async record(read) {
      const seq = await nextSeq(o.db, o.node.id);
      const event = auditLogUsedEvent(read, {
        node: o.node,
        seq,
        now: new Date(),
        traceId: nonZeroHex(16),
        spanId: nonZeroHex(8),
      });
      try {
        await withTimeout(
          o.producer.send([
            {
              key: o.node.id,
              value: Buffer.from(JSON.stringify(event)),
              headers: { [HEADER_TYPE]: event.type, [HEADER_SCHEMA]: SCHEMA_ID },
            },
          ]),
          o.timeoutMs,
        );
      } catch (err) {
        throw new ConsoleError(
          'DT_ERR_CONSOLE_AUDIT_UNAVAILABLE',
          503,
          'This read of the audit trail could not be recorded (the event topic did not acknowledge the Audit Log Used event), so it is not shown. Try again when Kafka is reachable.',
          { event_id: event.id, page: read.page },
          err,
        );
      }
    },
  };
}
