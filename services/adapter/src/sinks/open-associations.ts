/**
 * The associations the event log shows open: folded from the log's records in order, so that after a
 * crash the adapter can say which associations the crash cut off (EVT_ASSOCIATION_INTERRUPTED) and which
 * instance each was storing when it stopped (a C-STORE request recorded, its EVT_C_STORE not).
 *
 * An association is open from its first event (seq 0) to the event that ends it (released, aborted,
 * rejected, connection closed). Pure: records in, state out. The state is written as a checkpoint with the log's acknowledgement
 * watermark (write-ahead-log.ts), so a restart folds only the records after it.
 */
import type { EventType } from '@dicomtrail/schemas';
import type { AssociationInfo } from '../association/types.js';

/** What the fold needs of one event (from the event itself, or parsed back from its envelope). */
export interface LoggedEvent {
  type: EventType;
  seq: number;
  timestamp: string;
  association: AssociationInfo;
  node_id: string;
  parent?: { association_id: string; message_id?: number };
  /** EVT_DIMSE_RECV of a C-STORE-RQ: the instance it carries. */
  storing?: string;
}

export interface OpenAssociation {
  association: AssociationInfo;
  node_id: string;
  parent?: { association_id: string; message_id?: number };
  last_seq: number;
  last_type: EventType;
  last_timestamp: string;
  /** A C-STORE whose request is in the log and whose EVT_C_STORE is not: SOP Instance UID and when it came. */
  storing?: { sop_instance_uid: string; at: string };
}

/** The events after which an association has no more: it ended, one way or another. */
const ENDS: ReadonlySet<EventType> = new Set<EventType>([
  'EVT_RELEASED',
  'EVT_ABORTED',
  'EVT_REJECTED',
  'EVT_DUL_REJECTED',
  'EVT_CONN_CLOSE',
  'EVT_ASSOCIATION_INTERRUPTED',
]);

const CHECKPOINT_VERSION = 1;

export class OpenAssociations {
  readonly #open = new Map<string, OpenAssociation>();

  get size(): number {
    return this.#open.size;
  }

  values(): IterableIterator<OpenAssociation> {
    return this.#open.values();
  }

  fold(e: LoggedEvent): void {
    const id = e.association.id;
    if (ENDS.has(e.type)) {
      this.#open.delete(id);
      return;
    }
    let o = this.#open.get(id);
    if (!o) {
      // Only an association's first event opens it: the events that follow its end (the last PDU sent, the
      // closing FSM transitions) and those of an association that ended before the checkpoint open nothing.
      if (e.seq !== 0) return;
      const { negotiation: _n, ...association } = e.association;
      o = {
        association,
        node_id: e.node_id,
        ...(e.parent ? { parent: e.parent } : {}),
        last_seq: e.seq,
        last_type: e.type,
        last_timestamp: e.timestamp,
      };
      this.#open.set(id, o);
    }
    // AE titles are known from the A-ASSOCIATE-RQ on: keep the latest association metadata.
    if (e.association.calling_ae_title !== o.association.calling_ae_title) {
      const { negotiation: _n, ...association } = e.association;
      o.association = association;
    }
    if (e.seq >= o.last_seq) {
      o.last_seq = e.seq;
      o.last_type = e.type;
      o.last_timestamp = e.timestamp;
    }
    if (e.storing !== undefined) o.storing = { sop_instance_uid: e.storing, at: e.timestamp };
    // Cleared, not deleted: a delete turns the object into a slow dictionary, and this runs per C-STORE (the
    // checkpoint's JSON leaves an undefined value out just the same).
    else if (e.type === 'EVT_C_STORE') o.storing = undefined;
  }

  toCheckpoint(): Buffer {
    return Buffer.from(JSON.stringify({ v: CHECKPOINT_VERSION, open: [...this.#open.values()] }));
  }

  /** The state a checkpoint holds; an unreadable checkpoint gives none (the caller logs it). */
  static fromCheckpoint(buf: Buffer | undefined): OpenAssociations {
    const out = new OpenAssociations();
    if (buf === undefined) return out;
    const parsed = JSON.parse(buf.toString('utf8')) as { v?: unknown; open?: OpenAssociation[] };
    if (parsed.v !== CHECKPOINT_VERSION || !Array.isArray(parsed.open))
      throw new Error(`event log checkpoint: unknown version ${String(parsed.v)}`);
    for (const o of parsed.open) out.#open.set(o.association.id, o);
    return out;
  }
}

/** The fold's view of an envelope read back from the log (undefined: not an association event). */
export function loggedEventOf(envelope: Record<string, unknown>): LoggedEvent | undefined {
  const association = envelope['association'] as AssociationInfo | undefined;
  const node = envelope['node'] as { id?: string } | undefined;
  if (!association || typeof envelope['seq'] !== 'number') return undefined;
  const type = envelope['type'] as EventType;
  const parent = envelope['parent'] as LoggedEvent['parent'];
  const storing = type === 'EVT_DIMSE_RECV' ? storingOf(envelope['params']) : undefined;
  return {
    type,
    seq: envelope['seq'],
    timestamp: String(envelope['timestamp']),
    association,
    node_id: node?.id ?? '',
    ...(parent ? { parent } : {}),
    ...(storing ? { storing } : {}),
  };
}

/** The SOP Instance UID of an EVT_DIMSE_RECV's C-STORE-RQ (undefined for every other message). */
export function storingOf(params: unknown): string | undefined {
  const message = (params as { message?: { message_type?: unknown; command?: Record<string, unknown> } })
    ?.message;
  if (message?.message_type !== 'C-STORE-RQ') return undefined;
  const uid = message.command?.['affected_sop_instance_uid'];
  return typeof uid === 'string' ? uid : undefined;
}
