// The event envelope (ARCHITECTURE.md "The event"): what every event carries around its params.
import { type TSchema, Type } from '@sinclair/typebox';
import { Association } from './association.js';
import { Count, Name, Strict, Timestamp, Uint16, Uuid, UuidV7 } from './common.js';
import { type EventType, eventKind, type KindOf } from './event-types.js';
import { SCHEMA_ID_V1_PATTERN } from './version.js';

export const SchemaId = Type.String({ pattern: SCHEMA_ID_V1_PATTERN });

/**
 * Node-scoped events come from 'retention' (the audit writer's retention job), 'console' (the auditor console),
 * 'anchor' (the anchoring process) and the adapter's own modes (its node lifecycle).
 */
export const NodeMode = Type.Union([
  Type.Literal('scp'),
  Type.Literal('proxy'),
  Type.Literal('scu'),
  Type.Literal('retention'),
  Type.Literal('console'),
  Type.Literal('anchor'),
]);

export const Node = Strict(
  { id: Name, hostname: Type.String(), version: Type.String(), mode: NodeMode },
  { $id: 'Node' },
);

/** For a C-MOVE sub-association or a proxied upstream association: what it serves. */
export const Parent = Strict({ association_id: Uuid, message_id: Type.Optional(Uint16) }, { $id: 'Parent' });

/** W3C Trace Context ids, lowercase hex, never all zero. */
export const TraceId = Type.String({ pattern: '^(?!0{32})[0-9a-f]{32}$' });
export const SpanId = Type.String({ pattern: '^(?!0{16})[0-9a-f]{16}$' });
export const Trace = Strict(
  { trace_id: TraceId, span_id: SpanId, parent_span_id: Type.Optional(SpanId) },
  { $id: 'Trace' },
);

function base<T extends EventType>(type: T) {
  return {
    schema: SchemaId,
    id: UuidV7,
    type: Type.Literal(type),
    kind: Type.Literal(eventKind(type)) as ReturnType<typeof Type.Literal<KindOf<T>>>,
    timestamp: Timestamp,
    /** 0,1,2,... per association (per node for node-scoped events), no gaps. */
    seq: Count,
  };
}

/** An event about one association. */
export function associationEnvelope<T extends EventType, P extends TSchema>(type: T, params: P) {
  return Strict({
    ...base(type),
    association: Association,
    parent: Type.Optional(Parent),
    node: Node,
    params,
    trace: Trace,
  });
}

/** An event about the node or the trail itself (no association). */
export function nodeEnvelope<T extends EventType, P extends TSchema>(type: T, params: P) {
  return Strict({ ...base(type), node: Node, params, trace: Trace });
}
