// Association metadata carried by every association-scoped event, with the full negotiation on
// lifecycle events (REQUESTED, ACCEPTED, REJECTED, ESTABLISHED, RELEASED, ABORTED).
// Values the acceptor has not answered yet (at REQUESTED) are optional.
import { type Static, Type } from '@sinclair/typebox';
import { AeTitle, Name, Strict, Uid, Uint8, Uint16, Uint32, Uuid } from './common.js';
import { AsyncOps, UserIdentity } from './params/negotiation.js';

export const SocketAddress = Strict(
  {
    address: Type.String({ description: 'IPv4 or IPv6 address; an IPv6 scope as "%zone".' }),
    port: Uint16,
  },
  { $id: 'SocketAddress' },
);
export type SocketAddress = Static<typeof SocketAddress>;

export const ProposedContext = Strict({
  id: Uint8,
  abstract_syntax: Uid,
  transfer_syntaxes: Type.Array(Uid),
});

/** result: 0 acceptance, 1 user-rejection, 2 no-reason, 3 abstract syntax not supported, 4 transfer syntaxes not supported. */
export const NegotiatedContext = Strict({
  id: Uint8,
  abstract_syntax: Uid,
  transfer_syntax: Type.Optional(Uid),
  result: Type.Integer({ minimum: 0, maximum: 4 }),
  result_name: Name,
  scu_role: Type.Optional(Type.Boolean()),
  scp_role: Type.Optional(Type.Boolean()),
});

export const Implementation = Strict({
  class_uid: Uid,
  version_name: Type.Optional(Type.String()),
});

export const RoleSelection = Strict({
  sop_class_uid: Uid,
  scu_role: Type.Boolean(),
  scp_role: Type.Boolean(),
});

export const Negotiation = Strict(
  {
    application_context_name: Type.Optional(Uid),
    proposed_contexts: Type.Array(ProposedContext),
    accepted_contexts: Type.Optional(Type.Array(NegotiatedContext)),
    rejected_contexts: Type.Optional(Type.Array(NegotiatedContext)),
    /** Maximum Length Received of each side; 0 = unlimited. */
    max_pdu: Strict({ requestor: Uint32, acceptor: Type.Optional(Uint32) }),
    implementation: Strict({ requestor: Implementation, acceptor: Type.Optional(Implementation) }),
    role_selection: Type.Optional(Type.Array(RoleSelection)),
    async_ops: Type.Optional(AsyncOps),
    user_identity: Type.Optional(UserIdentity),
  },
  { $id: 'Negotiation' },
);
export type Negotiation = Static<typeof Negotiation>;

export const Association = Strict(
  {
    id: Uuid,
    role: Type.Union([Type.Literal('acceptor'), Type.Literal('requestor')]),
    calling_ae_title: AeTitle,
    called_ae_title: AeTitle,
    local: SocketAddress,
    remote: SocketAddress,
    negotiation: Type.Optional(Negotiation),
  },
  { $id: 'Association' },
);
export type Association = Static<typeof Association>;
