// EVT_PDU_RECV/SENT: a decoded PDU summary (PS3.8 §9.3); EVT_DATA_RECV/SENT: the raw PDU as
// length and, but for P-DATA-TF, sha256 (raw bytes only when explicitly enabled); EVT_INVALID_PDU: ours (§9.2).
// User identity items never carry a secret (spec §9.12, see negotiation.ts).
import { type TProperties, Type } from '@sinclair/typebox';
import { Count, Hex, Name, Sha256Hex, Strict, Uid, Uint8, Uint16, Uint32 } from '../common.js';
import { State } from './fsm.js';
import { AsyncOps, SopClassCommonExtended, SopClassExtended, UserIdentity } from './negotiation.js';

export const PDU_TYPES = [
  'A-ASSOCIATE-RQ',
  'A-ASSOCIATE-AC',
  'A-ASSOCIATE-RJ',
  'P-DATA-TF',
  'A-RELEASE-RQ',
  'A-RELEASE-RP',
  'A-ABORT',
] as const;
export const PduTypeName = Type.Union(PDU_TYPES.map((t) => Type.Literal(t)));

const item = <T extends string, P extends TProperties>(name: T, props: P) =>
  Strict({ item: Type.Literal(name), ...props });

/** PS3.8 §9.3.2.3 user information sub-items, PS3.7 Annex D.3.3. */
export const UserInformationSubItem = Type.Union([
  item('maximum-length', { maximum_length: Uint32 }),
  item('implementation-class-uid', { uid: Uid }),
  item('implementation-version-name', { name: Type.String() }),
  item('asynchronous-operations-window', { window: AsyncOps }),
  item('scp-scu-role-selection', { sop_class_uid: Uid, scu_role: Type.Boolean(), scp_role: Type.Boolean() }),
  item('sop-class-extended-negotiation', { negotiation: SopClassExtended }),
  item('sop-class-common-extended-negotiation', { negotiation: SopClassCommonExtended }),
  item('user-identity-rq', { user_identity: UserIdentity }),
  item('user-identity-ac', {
    server_response_length: Count,
    server_response_sha256: Type.Optional(Sha256Hex),
  }),
  item('unknown', { item_type: Uint8, length: Uint16 }),
]);

export const AssociateItem = Type.Union(
  [
    item('application-context', { name: Uid }),
    item('presentation-context-rq', {
      context_id: Uint8,
      abstract_syntax: Uid,
      transfer_syntaxes: Type.Array(Uid),
    }),
    item('presentation-context-ac', {
      context_id: Uint8,
      result: Uint8,
      result_name: Name,
      transfer_syntax: Type.Optional(Uid),
    }),
    item('user-information', { items: Type.Array(UserInformationSubItem) }),
    item('unknown', { item_type: Uint8, length: Uint16 }),
  ],
  { $id: 'AssociateItem' },
);

const header = <T extends (typeof PDU_TYPES)[number]>(name: T) => ({
  pdu_type: Type.Literal(name),
  length: Uint32,
});

const associate = <T extends 'A-ASSOCIATE-RQ' | 'A-ASSOCIATE-AC'>(name: T) =>
  Strict({
    ...header(name),
    protocol_version: Uint16,
    called_ae_title: Type.String(),
    calling_ae_title: Type.String(),
    items: Type.Array(AssociateItem),
  });

export const Pdv = Strict({
  context_id: Uint8,
  is_command: Type.Boolean(),
  is_last: Type.Boolean(),
  length: Uint32,
});

const sourceReason = {
  source: Uint8,
  reason: Uint8,
  source_name: Name,
  reason_name: Name,
};

export const Pdu = Type.Union(
  [
    associate('A-ASSOCIATE-RQ'),
    associate('A-ASSOCIATE-AC'),
    Strict({ ...header('A-ASSOCIATE-RJ'), result: Uint8, result_name: Name, ...sourceReason }),
    Strict({ ...header('P-DATA-TF'), pdvs: Type.Array(Pdv) }),
    Strict(header('A-RELEASE-RQ')),
    Strict(header('A-RELEASE-RP')),
    Strict({ ...header('A-ABORT'), ...sourceReason }),
  ],
  { $id: 'Pdu' },
);

export const PduParams = Strict({ pdu: Pdu });

export const DataParams = Strict({
  pdu_type: PduTypeName,
  length: Count,
  /**
   * sha256 of the whole PDU; absent for P-DATA-TF, whose data sets are hashed once each, whole (EVT_DIMSE_RECV/SENT
   * `data_set.sha256`, EVT_C_STORE `stored.sha256`), rather than once more per fragment.
   */
  sha256: Type.Optional(Sha256Hex),
  /** The PDU bytes, only when hex dumps are explicitly enabled (convention 8). */
  hex: Type.Optional(Hex),
});

/** The A-ABORT sent because of the error (PS3.8 §9.3.8), when one was sent. */
export const AbortSent = Strict(sourceReason);

export const InvalidPduParams = Strict({
  code: Type.String({ pattern: '^DT_ERR_[A-Z0-9_]+$' }),
  message: Type.Optional(Type.String()),
  field: Type.Optional(Type.String()),
  offset: Type.Optional(Count),
  pdu_type_code: Type.Optional(Uint8),
  pdu_type: Type.Optional(PduTypeName),
  length: Type.Optional(Count),
  sha256: Type.Optional(Sha256Hex),
  /** The DUL state the PDU arrived in (Sta2 = before any A-ASSOCIATE-RQ). */
  state: Type.Optional(State),
  abort: Type.Optional(AbortSent),
});
