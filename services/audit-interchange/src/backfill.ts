/**
 * `dicomtrail audit-interchange backfill --from DATE [--to DATE]`: the audit messages of a past period, from the
 * Postgres trail (audit.events), to the configured destinations; for a site whose Audit Record Repository joins
 * later. The period selects associations by their first event (an association that began in it is sent whole)
 * and node lifecycle events by their time. Associations are read in chunks, ordered by when they began; each
 * chunk's messages are delivered (the destinations retry until they take them) before the next is read. The
 * messages carry the same stable ids as those the live service sent, so a back-fill over a period already sent
 * leaves a FHIR server unchanged and gives a syslog receiver copies it can recognise.
 */
import type { Logger } from '@dicomtrail/runtime';
import type { DicomtrailEvent } from '@dicomtrail/schemas';
import pg from 'pg';
import type { AuditContext } from './audit-message.js';
import { AuditPipeline, NODE_MESSAGE_TYPES, type Ready } from './audit-pipeline.js';
import type { Destination } from './destination.js';
import { deliverAll } from './destinations.js';

export interface BackfillOptions {
  databaseUrl: string;
  from: Date;
  to: Date;
  ctx: AuditContext;
  destinations: Destination[];
  log: Logger;
  /** Associations per query. */
  chunk?: number;
}

export interface BackfillResult {
  associations: number;
  nodeEvents: number;
  events: number;
  messages: number;
}

const TS = `to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
const COLUMNS = `id, ${TS} AS timestamp, schema, type, kind, seq, association_id, association_role, calling_ae_title,
  called_ae_title, local_address, local_port, remote_address, remote_port, negotiation, parent_association_id,
  parent_message_id, node_id, node_hostname, node_version, node_mode, trace_id, span_id, parent_span_id, params`;

type Row = Record<string, unknown>;

/** An audit.events row back to its event envelope. */
export function eventOfRow(r: Row): DicomtrailEvent {
  const trace = {
    trace_id: r['trace_id'],
    span_id: r['span_id'],
    ...(r['parent_span_id'] ? { parent_span_id: r['parent_span_id'] } : {}),
  };
  const node = {
    id: r['node_id'],
    hostname: r['node_hostname'],
    version: r['node_version'],
    mode: r['node_mode'],
  };
  const base = {
    schema: r['schema'],
    id: r['id'],
    type: r['type'],
    kind: r['kind'],
    timestamp: r['timestamp'],
    seq: Number(r['seq']),
  };
  if (!r['association_id'])
    return { ...base, node, params: r['params'], trace } as unknown as DicomtrailEvent;
  return {
    ...base,
    association: {
      id: r['association_id'],
      role: r['association_role'],
      calling_ae_title: r['calling_ae_title'] ?? '',
      called_ae_title: r['called_ae_title'] ?? '',
      local: { address: r['local_address'] ?? '', port: r['local_port'] ?? 0 },
      remote: { address: r['remote_address'] ?? '', port: r['remote_port'] ?? 0 },
      ...(r['negotiation'] ? { negotiation: r['negotiation'] } : {}),
    },
    ...(r['parent_association_id']
      ? {
          parent: {
            association_id: r['parent_association_id'],
            ...(r['parent_message_id'] !== null ? { message_id: r['parent_message_id'] } : {}),
          },
        }
      : {}),
    node,
    params: r['params'],
    trace,
  } as unknown as DicomtrailEvent;
}

function deliver(destinations: Destination[], ready: readonly Ready[]): Promise<number> {
  const messages = ready.flatMap((r) => r.messages);
  if (messages.length === 0) return Promise.resolve(0);
  return new Promise((resolve) => deliverAll(destinations, messages, () => resolve(messages.length)));
}

export async function backfill(o: BackfillOptions): Promise<BackfillResult> {
  const client = new pg.Client({ connectionString: o.databaseUrl });
  await client.connect();
  const result: BackfillResult = { associations: 0, nodeEvents: 0, events: 0, messages: 0 };
  const chunk = o.chunk ?? 500;
  try {
    const pipeline = new AuditPipeline(o.ctx, {
      timeoutMs: Number.MAX_SAFE_INTEGER,
      maxOpen: Number.MAX_SAFE_INTEGER,
      recentlyClosed: chunk * 2,
    });
    const nodeRows = await client.query<Row>(
      `SELECT ${COLUMNS} FROM audit.events
        WHERE association_id IS NULL AND type = ANY($3::text[])
          AND occurred_at >= $1 AND occurred_at < $2 ORDER BY occurred_at, seq`,
      [o.from, o.to, [...NODE_MESSAGE_TYPES]],
    );
    for (const row of nodeRows.rows) {
      result.nodeEvents++;
      result.events++;
      result.messages += await deliver(o.destinations, pipeline.accept(eventOfRow(row), undefined, 0).ready);
    }
    const ids = await client.query<{ association_id: string }>(
      `SELECT association_id FROM audit.events
        WHERE association_id IS NOT NULL AND occurred_at >= $1 AND occurred_at < $2
        GROUP BY association_id HAVING min(occurred_at) >= $1 ORDER BY min(occurred_at), association_id`,
      [o.from, o.to],
    );
    const all = ids.rows.map((r) => r.association_id);
    for (let i = 0; i < all.length; i += chunk) {
      const part = all.slice(i, i + chunk);
      const rows = await client.query<Row>(
        `SELECT ${COLUMNS} FROM audit.events WHERE association_id = ANY($1::uuid[]) ORDER BY association_id, seq`,
        [part],
      );
      const ready: Ready[] = [];
      for (const row of rows.rows) {
        result.events++;
        ready.push(...pipeline.accept(eventOfRow(row), undefined, 0).ready);
      }
      ready.push(...pipeline.closeAll());
      result.associations += part.length;
      result.messages += await deliver(o.destinations, ready);
      o.log.info(
        { associations: result.associations, of: all.length, messages: result.messages },
        'backfill progress',
      );
    }
    return result;
  } finally {
    await client.end();
  }
}
