/**
 * One association for its timeline: the projection row, its operations, its lifecycle events (not PDUs or state
 * machine transitions), the association it serves (a C-MOVE's sub-association, a proxy's upstream leg) and those
 * that serve it.
 */
import type pg from 'pg';
import type { AssociationOutcome } from '../failure-explanation.js';

export interface AssociationRow extends AssociationOutcome {
  association_id: string;
  role: string | null;
  node_mode: string | null;
  node_id: string | null;
  local_address: string | null;
  local_port: number | null;
  remote_address: string | null;
  remote_port: number | null;
  parent_association_id: string | null;
  parent_message_id: number | null;
  requested_at: Date | null;
  established_at: Date | null;
  ended_at: Date | null;
  user_identity_type: string | null;
  user_identity: string | null;
  proposed_contexts: { id?: number; abstract_syntax?: string; transfer_syntaxes?: string[] }[] | null;
  accepted_contexts:
    | { id?: number; abstract_syntax?: string; transfer_syntax?: string; result_name?: string }[]
    | null;
  cause_reason: number | null;
  cause_source: number | null;
  cause_result: number | null;
  operation_count: number;
  instances_stored: number;
  bytes_received: string;
  bytes_sent: string;
}

export interface OperationRow {
  service: string;
  message_id: number;
  direction: string | null;
  sop_class_uid: string | null;
  patient_id: string | null;
  patient_name: string | null;
  study_instance_uid: string | null;
  move_destination: string | null;
  status: number | null;
  status_category: string | null;
  error_comment: string | null;
  completed_suboperations: number | null;
  failed_suboperations: number | null;
  started_at: Date | null;
  ended_at: Date | null;
  duration_ms: number | null;
}

export interface LifecycleEvent {
  occurred_at: Date;
  seq: number;
  type: string;
  trace_id: string;
  params: Record<string, unknown>;
}

export interface LinkedAssociation {
  association_id: string;
  role: string | null;
  node_mode: string | null;
  calling_ae_title: string | null;
  called_ae_title: string | null;
  remote_address: string | null;
  parent_message_id: number | null;
  outcome: string | null;
  requested_at: Date | null;
}

export interface AssociationDetail {
  association: AssociationRow;
  operations: OperationRow[];
  events: LifecycleEvent[];
  traceId: string | undefined;
  parent: LinkedAssociation | undefined;
  children: LinkedAssociation[];
}

const LIFECYCLE = [
  'EVT_CONN_OPEN',
  'EVT_REQUESTED',
  'EVT_ACCEPTED',
  'EVT_REJECTED',
  'EVT_DUL_REJECTED',
  'EVT_ESTABLISHED',
  'EVT_RELEASED',
  'EVT_ABORTED',
  'EVT_CONN_CLOSE',
  'EVT_C_CANCEL',
  'EVT_INVALID_PDU',
  'EVT_SPOOL_LIMIT',
];

const LINKED = `SELECT association_id, role, node_mode, calling_ae_title, called_ae_title, remote_address, parent_message_id,
                       outcome, requested_at FROM audit.associations`;

export async function associationDetail(db: pg.Pool, id: string): Promise<AssociationDetail | undefined> {
  const { rows } = await db.query<AssociationRow>(
    'SELECT * FROM audit.associations WHERE association_id = $1',
    [id],
  );
  const association = rows[0];
  if (!association) return undefined;
  const [operations, events, parent, children] = await Promise.all([
    db.query<OperationRow>(
      `SELECT service, message_id, direction, sop_class_uid, patient_id, patient_name, study_instance_uid,
              move_destination, status, status_category, error_comment, completed_suboperations,
              failed_suboperations, started_at, ended_at, (extract(epoch FROM duration) * 1000)::float8 AS duration_ms
         FROM audit.operations WHERE association_id = $1 ORDER BY coalesce(started_at, handled_at), message_id`,
      [id],
    ),
    db.query<LifecycleEvent>(
      `SELECT occurred_at, seq::int, type, trace_id, params FROM audit.events
        WHERE association_id = $1 AND type = ANY($2) ORDER BY seq`,
      [id, LIFECYCLE],
    ),
    association.parent_association_id
      ? db.query<LinkedAssociation>(`${LINKED} WHERE association_id = $1`, [
          association.parent_association_id,
        ])
      : Promise.resolve({ rows: [] as LinkedAssociation[] }),
    db.query<LinkedAssociation>(`${LINKED} WHERE parent_association_id = $1 ORDER BY requested_at`, [id]),
  ]);
  return {
    association,
    operations: operations.rows,
    events: events.rows,
    traceId: events.rows[0]?.trace_id,
    parent: parent.rows[0],
    children: children.rows,
  };
}
