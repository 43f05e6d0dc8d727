/**
 * audit.associations: one row per association, folded from its events. Pure: rows in, one delta per association
 * out; the upsert merges a delta into the stored row by each column's rule (first/latest/sum/min/max), so a
 * long association whose events span many batches ends up as if folded at once.
 */
import type { EventContent } from '../event-row.js';
import type { ProjectionColumn } from '../json-rows.js';
import { mergeRow, upsertSql } from '../json-rows.js';
import { column, type Delta, isObject, type Json, operationOf } from './columns.js';

const c = column;

export const ASSOCIATION_COLUMNS: readonly ProjectionColumn[] = [
  c('association_id', 'uuid', 'key'),
  c('role', 'text', 'latest'),
  c('calling_ae_title', 'text', 'latest'),
  c('called_ae_title', 'text', 'latest'),
  c('local_address', 'text', 'latest'),
  c('local_port', 'integer', 'latest'),
  c('remote_address', 'text', 'latest'),
  c('remote_port', 'integer', 'latest'),
  c('node_id', 'text', 'latest'),
  c('node_mode', 'text', 'latest'),
  c('parent_association_id', 'uuid', 'latest'),
  c('parent_message_id', 'integer', 'latest'),
  c('connected_at', 'timestamptz', 'first'),
  c('requested_at', 'timestamptz', 'first'),
  c('accepted_at', 'timestamptz', 'first'),
  c('established_at', 'timestamptz', 'first'),
  c('ended_at', 'timestamptz', 'latest'),
  c('closed_at', 'timestamptz', 'latest'),
  c('outcome', 'text', 'latest'),
  c('released_by', 'text', 'latest'),
  c('cause_result', 'integer', 'latest'),
  c('cause_source', 'integer', 'latest'),
  c('cause_reason', 'integer', 'latest'),
  c('cause_result_name', 'text', 'latest'),
  c('cause_source_name', 'text', 'latest'),
  c('cause_reason_name', 'text', 'latest'),
  c('cause_initiator', 'text', 'latest'),
  c('cause_detail', 'text', 'latest'),
  c('user_identity_type', 'text', 'latest'),
  c('user_identity', 'text', 'latest'),
  c('application_context', 'text', 'latest'),
  c('implementation_class_uid', 'text', 'latest'),
  c('implementation_version_name', 'text', 'latest'),
  c('max_pdu_requestor', 'bigint', 'latest'),
  c('max_pdu_acceptor', 'bigint', 'latest'),
  c('proposed_contexts', 'jsonb', 'latest'),
  c('accepted_contexts', 'jsonb', 'latest'),
  c('rejected_contexts', 'jsonb', 'latest'),
  c('first_event_at', 'timestamptz', 'min'),
  c('last_event_at', 'timestamptz', 'max'),
  c('event_count', 'bigint', 'sum'),
  c('max_seq', 'bigint', 'max'),
  c('operation_count', 'integer', 'sum'),
  c('failed_operation_count', 'integer', 'sum'),
  c('instances_stored', 'integer', 'sum'),
  c('stored_bytes', 'bigint', 'sum'),
  c('pdus_received', 'bigint', 'sum'),
  c('pdus_sent', 'bigint', 'sum'),
  c('bytes_received', 'bigint', 'sum'),
  c('bytes_sent', 'bigint', 'sum'),
  c('tls_protocol', 'text', 'latest'),
  c('tls_cipher', 'text', 'latest'),
  c('tls_peer_subject', 'text', 'latest'),
  c('tls_peer_issuer', 'text', 'latest'),
  c('tls_peer_sha256', 'text', 'latest'),
  c('tls_peer_verified', 'boolean', 'latest'),
];

export const UPSERT_ASSOCIATIONS = upsertSql('audit.associations', ASSOCIATION_COLUMNS);

function negotiationOf(n: Json): Delta {
  const impl =
    isObject(n['implementation']) && isObject(n['implementation']['requestor'])
      ? n['implementation']['requestor']
      : {};
  const maxPdu = isObject(n['max_pdu']) ? n['max_pdu'] : {};
  const uid = isObject(n['user_identity']) ? n['user_identity'] : undefined;
  const token = uid && typeof uid['token_sha256'] === 'string' ? `sha256:${uid['token_sha256']}` : null;
  return {
    application_context: n['application_context_name'] ?? null,
    implementation_class_uid: impl['class_uid'] ?? null,
    implementation_version_name: impl['version_name'] ?? null,
    max_pdu_requestor: maxPdu['requestor'] ?? null,
    max_pdu_acceptor: maxPdu['acceptor'] ?? null,
    proposed_contexts: n['proposed_contexts'] ?? null,
    accepted_contexts: n['accepted_contexts'] ?? null,
    rejected_contexts: n['rejected_contexts'] ?? null,
    user_identity_type: uid?.['type_name'] ?? null,
    user_identity: uid ? ((uid['primary_field'] as string | undefined) ?? token) : null,
  };
}

function causeOf(cause: unknown): Delta {
  if (!isObject(cause)) return {};
  return {
    cause_result: cause['result'] ?? null,
    cause_source: cause['source'] ?? null,
    cause_reason: cause['reason'] ?? null,
    cause_result_name: cause['result_name'] ?? null,
    cause_source_name: cause['source_name'] ?? null,
    cause_reason_name: cause['reason_name'] ?? null,
    cause_initiator: cause['initiator'] ?? null,
    cause_detail: cause['detail'] ?? null,
  };
}

/** DICOM TLS facts of the connection (EVT_CONN_OPEN `tls`); none for a plaintext one. */
function tlsOf(tls: unknown): Delta {
  if (!isObject(tls)) return {};
  const cert = isObject(tls['peer_certificate']) ? tls['peer_certificate'] : {};
  return {
    tls_protocol: tls['protocol'] ?? null,
    tls_cipher: tls['cipher'] ?? null,
    tls_peer_subject: cert['subject'] ?? null,
    tls_peer_issuer: cert['issuer'] ?? null,
    tls_peer_sha256: cert['sha256'] ?? null,
    tls_peer_verified: tls['peer_verified'] ?? null,
  };
}

function lifecycleOf(e: EventContent): Delta {
  const p = e.params;
  const at = e.occurred_at;
  switch (e.type) {
    case 'EVT_CONN_OPEN':
      return { connected_at: at, ...tlsOf(p['tls']) };
    case 'EVT_CONN_CLOSE':
      return { closed_at: at };
    case 'EVT_REQUESTED':
      return { requested_at: at };
    case 'EVT_ACCEPTED':
      return { accepted_at: at };
    case 'EVT_ESTABLISHED':
      return { established_at: at };
    case 'EVT_RELEASED':
      return { ended_at: at, outcome: 'released', released_by: p['initiator'] ?? null };
    case 'EVT_ABORTED':
      return { ended_at: at, outcome: 'aborted', ...causeOf(p['cause']) };
    case 'EVT_REJECTED':
    case 'EVT_DUL_REJECTED':
      return { ended_at: at, outcome: 'rejected', ...causeOf(p['cause']) };
    case 'EVT_ASSOCIATION_INTERRUPTED':
      // Cut off by a crash of the node: it ended at its last event, recorded when the node restarted.
      return {
        ended_at: (p['last_timestamp'] as string | undefined) ?? at,
        outcome: 'interrupted',
        cause_initiator: 'local',
        cause_detail: p['detail'] ?? null,
      };
    case 'EVT_SPOOL_LIMIT':
      return p['action'] === 'rejected' ? { ended_at: at, outcome: 'rejected', ...causeOf(p['cause']) } : {};
    default:
      return {};
  }
}

function countersOf(e: EventContent): Delta {
  const p = e.params;
  if (e.type === 'EVT_DATA_RECV') return { pdus_received: 1, bytes_received: p['length'] ?? 0 };
  if (e.type === 'EVT_DATA_SENT') return { pdus_sent: 1, bytes_sent: p['length'] ?? 0 };
  if (!operationOf(e.type)) return {};
  const failed = e.status_category === 'failure' ? 1 : 0;
  const stored =
    e.type === 'EVT_C_STORE' && (e.status_category === 'success' || e.status_category === 'warning');
  const bytes = stored && isObject(p['stored']) ? ((p['stored']['bytes'] as number | undefined) ?? 0) : 0;
  return {
    operation_count: 1,
    failed_operation_count: failed,
    instances_stored: stored ? 1 : 0,
    stored_bytes: bytes,
  };
}

const ZERO_COUNTERS = {
  event_count: 1,
  operation_count: 0,
  failed_operation_count: 0,
  instances_stored: 0,
  stored_bytes: 0,
  pdus_received: 0,
  pdus_sent: 0,
  bytes_received: 0,
  bytes_sent: 0,
};

/** What one event contributes to its association's row. */
export function associationDelta(e: EventContent): Delta | undefined {
  if (e.association_id === null) return undefined;
  // Object.assign rather than spreads: several times faster in V8 for rows this wide (measured); same result.
  return Object.assign(
    {
      association_id: e.association_id,
      role: e.association_role,
      calling_ae_title: e.calling_ae_title,
      called_ae_title: e.called_ae_title,
      local_address: e.local_address,
      local_port: e.local_port,
      remote_address: e.remote_address,
      remote_port: e.remote_port,
      node_id: e.node_id,
      node_mode: e.node_mode,
      parent_association_id: e.parent_association_id,
      parent_message_id: e.parent_message_id,
    },
    e.negotiation ? negotiationOf(e.negotiation) : undefined,
    lifecycleOf(e),
    { first_event_at: e.occurred_at, last_event_at: e.occurred_at, max_seq: e.seq },
    ZERO_COUNTERS,
    countersOf(e),
  );
}

/** Events (in seq order per association) → one delta per association. */
export function foldAssociations(events: readonly EventContent[]): Delta[] {
  const byId = new Map<string, Delta>();
  for (const e of events) {
    const d = associationDelta(e);
    if (!d) continue;
    const acc = byId.get(e.association_id as string);
    if (acc) mergeRow(ASSOCIATION_COLUMNS, acc, d);
    else byId.set(e.association_id as string, d);
  }
  return [...byId.values()];
}
