/**
 * From events to audit messages, whatever the events come from (Kafka, or the Postgres trail for a back-fill):
 * association events are folded per association (association-audit.ts) and turned into messages when the
 * association ends; an association idle longer than the timeout, or the least recently active one when too many
 * are open, is turned into messages with what it has. Node lifecycle events give their message at once.
 *
 * In proxy mode the upstream leg (role requestor, parent = the modality's leg) only tells which PACS the
 * modality's exchange went to: its address is remembered for the modality's leg, whose messages describe the
 * exchange once. After a restart the consumer may re-read the tail of an association whose messages were already
 * delivered; a tail without its beginning gives no messages (its `replayedTail`).
 */
import type { DicomtrailEvent } from '@dicomtrail/schemas';
import {
  type AssociationAudit,
  AssociationAuditBuilder,
  type AssociationEvent,
  type Endpoint,
  type SentStore,
} from './association-audit.js';
import type { AuditContext, AuditMessage } from './audit-message.js';
import {
  applicationActivity,
  associationMessages,
  chainAnchored,
  type NodeLifecycleEvent,
  tlsRefusal,
} from './messages/index.js';

export interface Position {
  topic: string;
  partition: number;
  offset: number;
}

/** The messages of one association (or node event), ready to deliver. */
export interface Ready {
  key: string;
  position?: Position;
  messages: AuditMessage[];
  /** The time of the last event that went into them (for lag). */
  lastEventAt: string;
  /** Why an association closed without its end. */
  incomplete?: 'timeout' | 'evicted' | 'shutdown';
  replayedTail?: boolean;
}

export interface PipelineOptions {
  timeoutMs: number;
  maxOpen: number;
  /** Closed association ids remembered to drop late events. */
  recentlyClosed: number;
}

interface Entry {
  builder: AssociationAuditBuilder;
  position?: Position;
  lastActivityMs: number;
}

const MAX_UPSTREAMS = 10_000;

/** Node-scoped event types that give messages at once (the back-fill reads these from the trail). */
export const NODE_MESSAGE_TYPES = [
  'EVT_NODE_STARTED',
  'EVT_NODE_STOPPED',
  'EVT_TLS_REFUSED',
  'EVT_CHAIN_ANCHORED',
] as const;

export class AuditPipeline {
  readonly #open = new Map<string, Entry>();
  readonly #closed = new Set<string>();
  readonly #upstreams = new Map<string, Endpoint>();
  /** The C-STOREs of C-MOVE sub-associations that ended, by `<C-MOVE association id>:<message id>`. */
  readonly #moveSubStores = new Map<string, SentStore[]>();
  readonly stats = { events: 0, duplicates: 0, late: 0, timedOut: 0, evicted: 0, replayedTails: 0 };

  constructor(
    private readonly ctx: AuditContext,
    private readonly opts: PipelineOptions,
  ) {}

  get openCount(): number {
    return this.#open.size;
  }

  /**
   * Takes one event; returns `opened` when it started a new key (its first offset must be held back from
   * commits) and what became ready.
   */
  accept(
    event: DicomtrailEvent,
    position: Position | undefined,
    nowMs: number,
  ): { opened?: string; ready: Ready[] } {
    this.stats.events++;
    const nodeMessages = this.#nodeMessages(event);
    if (nodeMessages) {
      const key = `node:${event.id}`;
      return {
        opened: key,
        ready: [
          {
            key,
            ...(position ? { position } : {}),
            messages: nodeMessages,
            lastEventAt: event.timestamp,
          },
        ],
      };
    }
    if (!('association' in event)) return { ready: [] };
    const e = event as AssociationEvent;
    const id = e.association.id;
    if (this.#closed.has(id)) {
      this.stats.late++;
      return { ready: [] };
    }
    if (e.node.mode === 'proxy' && e.association.role === 'requestor' && e.parent?.association_id)
      this.#rememberUpstream(e.parent.association_id, e);
    const ready: Ready[] = [];
    let opened: string | undefined;
    let entry = this.#open.get(id);
    if (entry)
      this.#open.delete(id); // re-inserted: the map stays in order of last activity
    else {
      if (this.#open.size >= this.opts.maxOpen) {
        const oldest = this.#open.values().next();
        if (!oldest.done) {
          this.stats.evicted++;
          ready.push(this.#close(oldest.value, 'evicted'));
        }
      }
      entry = {
        builder: new AssociationAuditBuilder(e),
        ...(position ? { position } : {}),
        lastActivityMs: nowMs,
      };
      opened = id;
    }
    entry.lastActivityMs = nowMs;
    this.#open.set(id, entry);
    if (!entry.builder.apply(e)) this.stats.duplicates++;
    if (entry.builder.finished) ready.push(this.#close(entry, undefined));
    return { ...(opened ? { opened } : {}), ready };
  }

  /** The messages of a node-scoped event that gives some at once (undefined: not such an event). */
  #nodeMessages(event: DicomtrailEvent): AuditMessage[] | undefined {
    switch (event.type) {
      case 'EVT_NODE_STARTED':
      case 'EVT_NODE_STOPPED':
        return applicationActivity(event as NodeLifecycleEvent, this.ctx);
      case 'EVT_TLS_REFUSED':
        return tlsRefusal(event, this.ctx);
      case 'EVT_CHAIN_ANCHORED':
        return chainAnchored(event, this.ctx);
      default:
        return undefined;
    }
  }

  /** Associations idle for longer than the timeout, with what they have. */
  expire(nowMs: number): Ready[] {
    const out: Ready[] = [];
    for (const entry of this.#open.values()) {
      if (nowMs - entry.lastActivityMs < this.opts.timeoutMs) break; // the rest are more recent
      this.stats.timedOut++;
      out.push(this.#close(entry, 'timeout'));
    }
    return out;
  }

  /** Everything still open (end of a back-fill: the period's associations that did not end within it). */
  closeAll(): Ready[] {
    return [...this.#open.values()].map((entry) => this.#close(entry, 'shutdown'));
  }

  #rememberUpstream(parentId: string, e: AssociationEvent): void {
    if (this.#upstreams.has(parentId) || !e.association.remote.address) return;
    if (this.#upstreams.size >= MAX_UPSTREAMS) {
      const first = this.#upstreams.keys().next();
      if (!first.done) this.#upstreams.delete(first.value);
    }
    this.#upstreams.set(parentId, {
      aeTitle: e.association.called_ae_title,
      address: e.association.remote.address,
      port: e.association.remote.port,
    });
  }

  /** A C-MOVE sub-association hands its C-STOREs to its C-MOVE; a C-MOVE association takes those of its own. */
  #linkMoveSubAssociation(audit: AssociationAudit): void {
    const parent = audit.parent;
    if (audit.role === 'requestor' && audit.node.mode !== 'proxy' && parent?.message_id !== undefined) {
      if (this.#moveSubStores.size >= MAX_UPSTREAMS) {
        const first = this.#moveSubStores.keys().next();
        if (!first.done) this.#moveSubStores.delete(first.value);
      }
      const key = `${parent.association_id}:${parent.message_id}`;
      this.#moveSubStores.set(key, [...(this.#moveSubStores.get(key) ?? []), ...audit.sentStores]);
      return;
    }
    for (const op of audit.operations) {
      if (op.type !== 'EVT_C_MOVE') continue;
      const messageId = Number(op.params['message_id']);
      const key = `${audit.id}:${messageId}`;
      const stores = this.#moveSubStores.get(key);
      if (!stores) continue;
      audit.moveSubStores ??= new Map();
      audit.moveSubStores.set(messageId, stores);
      this.#moveSubStores.delete(key);
    }
  }

  #close(entry: Entry, incomplete: Ready['incomplete']): Ready {
    const audit = entry.builder.audit;
    this.#open.delete(audit.id);
    this.#closed.add(audit.id);
    if (this.#closed.size > this.opts.recentlyClosed) {
      const first = this.#closed.values().next();
      if (!first.done) this.#closed.delete(first.value);
    }
    const upstream = this.#upstreams.get(audit.id);
    if (upstream) {
      audit.proxiedTo = upstream;
      this.#upstreams.delete(audit.id);
    }
    this.#linkMoveSubAssociation(audit);
    const replayedTail = !entry.builder.headed;
    if (replayedTail) this.stats.replayedTails++;
    return {
      key: audit.id,
      ...(entry.position ? { position: entry.position } : {}),
      messages: replayedTail ? [] : associationMessages(audit, this.ctx),
      lastEventAt: audit.lastAt,
      ...(incomplete ? { incomplete } : {}),
      ...(replayedTail ? { replayedTail } : {}),
    };
  }
}
