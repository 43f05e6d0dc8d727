/**
 * An event as a row of audit.events: every envelope field in its own column, params as JSONB, the identifiers
 * auditors search by extracted, where it came from (topic, partition, offset) and its place in a hash chain.
 * The writer builds rows from envelopes; verify and rebuild read them back in exactly this shape
 * (EVENT_ROW_SELECT), so the hash covers the same values either way.
 */
import type { DicomtrailEvent } from '@dicomtrail/schemas';
import { extractIdentifiers, type Identifiers } from './extract/identifiers.js';

type Json = Record<string, unknown>;

export interface EventSource {
  topic: string;
  partition: number;
  /** int64 as a decimal string. */
  offset: string;
}

/** Every column but ingested_at and the chain columns. */
export interface EventContent extends Identifiers {
  id: string;
  /** RFC 3339 UTC with six fractional digits, as in the envelope. */
  occurred_at: string;
  schema: string;
  type: string;
  kind: string;
  seq: number;
  association_id: string | null;
  association_role: string | null;
  calling_ae_title: string | null;
  called_ae_title: string | null;
  local_address: string | null;
  local_port: number | null;
  remote_address: string | null;
  remote_port: number | null;
  negotiation: Json | null;
  parent_association_id: string | null;
  parent_message_id: number | null;
  node_id: string;
  node_hostname: string;
  node_version: string;
  node_mode: string;
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  params: Json;
  source_topic: string;
  source_partition: number;
  source_offset: string;
}

export interface ChainLink {
  chain_id: string;
  chain_position: number;
  /** Hex. */
  prev_hash: string;
  /** Hex. */
  row_hash: string;
}

export type EventRow = EventContent & ChainLink;

/** Column name → Postgres type, in table order: the insert's record definition and verify's select list. */
export const EVENT_COLUMNS: readonly (readonly [keyof EventRow, string])[] = [
  ['id', 'uuid'],
  ['occurred_at', 'timestamptz'],
  ['schema', 'text'],
  ['type', 'text'],
  ['kind', 'text'],
  ['seq', 'bigint'],
  ['association_id', 'uuid'],
  ['association_role', 'text'],
  ['calling_ae_title', 'text'],
  ['called_ae_title', 'text'],
  ['local_address', 'text'],
  ['local_port', 'integer'],
  ['remote_address', 'text'],
  ['remote_port', 'integer'],
  ['negotiation', 'jsonb'],
  ['parent_association_id', 'uuid'],
  ['parent_message_id', 'integer'],
  ['node_id', 'text'],
  ['node_hostname', 'text'],
  ['node_version', 'text'],
  ['node_mode', 'text'],
  ['trace_id', 'text'],
  ['span_id', 'text'],
  ['parent_span_id', 'text'],
  ['params', 'jsonb'],
  ['message_id', 'integer'],
  ['sop_class_uid', 'text'],
  ['sop_instance_uid', 'text'],
  ['status', 'integer'],
  ['status_category', 'text'],
  ['patient_id', 'text'],
  ['patient_name', 'text'],
  ['study_instance_uid', 'text'],
  ['series_instance_uid', 'text'],
  ['accession_number', 'text'],
  ['source_topic', 'text'],
  ['source_partition', 'integer'],
  ['source_offset', 'bigint'],
  ['chain_id', 'text'],
  ['chain_position', 'bigint'],
  ['prev_hash', 'bytea'],
  ['row_hash', 'bytea'],
];

/**
 * Where rows are read back from: audit.events with each negotiation filled in from audit.negotiations, where the
 * writer stores it once (migration 0006), so the hashed values are the same whichever way it was stored.
 */
export const EVENT_ROWS_FROM = 'audit.events_with_negotiation';

/** The select list that reads a row back in the writer's shape (see rowFromDb), from EVENT_ROWS_FROM. */
export const EVENT_ROW_SELECT = EVENT_COLUMNS.map(([name, type]) => {
  if (name === 'occurred_at')
    return `to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS occurred_at`;
  if (type === 'bytea') return `encode(${name}, 'hex') AS ${name}`;
  if (type === 'bigint' && name !== 'source_offset') return `${name}::float8 AS ${name}`;
  if (name === 'source_offset') return 'source_offset::text AS source_offset';
  return name;
}).join(', ');

/** A row as selected with EVENT_ROW_SELECT (pg gives uuid as text, integers as numbers, jsonb parsed). */
export function rowFromDb(r: Record<string, unknown>): EventRow {
  return r as unknown as EventRow;
}

/** AE titles are '' before the A-ASSOCIATE-RQ is read: stored as NULL. */
function ae(title: string): string | null {
  return title.length > 0 ? title : null;
}

export function contentOf(event: DicomtrailEvent, source: EventSource): EventContent {
  const a = 'association' in event ? event.association : undefined;
  const parent = 'parent' in event ? event.parent : undefined;
  const params = event.params as Json;
  return {
    id: event.id,
    occurred_at: event.timestamp,
    schema: event.schema,
    type: event.type,
    kind: event.kind,
    seq: event.seq,
    association_id: a?.id ?? null,
    association_role: a?.role ?? null,
    calling_ae_title: a ? ae(a.calling_ae_title) : null,
    called_ae_title: a ? ae(a.called_ae_title) : null,
    local_address: a?.local.address ?? null,
    local_port: a?.local.port ?? null,
    remote_address: a?.remote.address ?? null,
    remote_port: a?.remote.port ?? null,
    negotiation: (a?.negotiation as Json | undefined) ?? null,
    parent_association_id: parent?.association_id ?? null,
    parent_message_id: parent?.message_id ?? null,
    node_id: event.node.id,
    node_hostname: event.node.hostname,
    node_version: event.node.version,
    node_mode: event.node.mode,
    trace_id: event.trace.trace_id,
    span_id: event.trace.span_id,
    parent_span_id: event.trace.parent_span_id ?? null,
    params,
    ...extractIdentifiers(params),
    source_topic: source.topic,
    source_partition: source.partition,
    source_offset: source.offset,
  };
}
