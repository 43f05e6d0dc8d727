// ACSE: EVT_ACSE_RECV/SENT primitives and the causes pynetdicom leaves implicit (spec §5, §9.1):
// EVT_REJECTED, EVT_ABORTED, EVT_RELEASED, and our EVT_DUL_REJECTED (AE-6 protocol-version reject).
// Codes are PS3.8 §9.3.4 (A-ASSOCIATE-RJ result/source/reason) and §9.3.8 (A-ABORT source/reason);
// a provider A-P-ABORT carries source 2 and its provider reason.
import { type Static, Type } from '@sinclair/typebox';
import { Name, Strict, Uint8, Uint16 } from '../common.js';

export const Initiator = Type.Union([Type.Literal('local'), Type.Literal('remote'), Type.Literal('dul')], {
  description:
    'local: this node decided; remote: the peer; dul: the upper layer protocol machine (either side).',
});

export const Cause = Strict(
  {
    result: Type.Optional(Uint8),
    source: Uint8,
    reason: Uint8,
    result_name: Type.Optional(Name),
    source_name: Name,
    reason_name: Name,
    initiator: Initiator,
    /** Free text for the path taken, e.g. 'acse timeout', 'no presentation context accepted'. */
    detail: Type.Optional(Type.String()),
  },
  { $id: 'Cause' },
);
export type Cause = Static<typeof Cause>;

export const RejectCause = Strict(
  {
    ...Cause.properties,
    result: Type.Union([Type.Literal(1), Type.Literal(2)]),
    result_name: Name,
  },
  { $id: 'RejectCause' },
);

export const AcsePrimitiveName = Type.Union([
  Type.Literal('A-ASSOCIATE'),
  Type.Literal('A-RELEASE'),
  Type.Literal('A-ABORT'),
  Type.Literal('A-P-ABORT'),
]);

export const AcsePrimitiveParams = Strict({
  primitive: AcsePrimitiveName,
  /** A-ASSOCIATE: request/accept/reject; A-RELEASE: request/response; absent for aborts. */
  form: Type.Optional(
    Type.Union([
      Type.Literal('request'),
      Type.Literal('accept'),
      Type.Literal('reject'),
      Type.Literal('response'),
    ]),
  ),
  cause: Type.Optional(Cause),
});

export const EmptyParams = Strict({});

export const RejectedParams = Strict({ cause: RejectCause });
export const AbortedParams = Strict({ cause: Cause });

/** A-RELEASE has no source or reason (PS3.8 §7.2: reason 'normal', result 'affirmative'). */
export const ReleasedParams = Strict({
  initiator: Type.Union([Type.Literal('local'), Type.Literal('remote')]),
  collision: Type.Boolean(),
});

export const DulRejectedParams = Strict({
  protocol_version: Uint16,
  cause: RejectCause,
});
