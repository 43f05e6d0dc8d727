// Extended negotiation (PS3.7 Annex D.3.3): user identity, asynchronous operations window,
// SOP Class Extended and SOP Class Common Extended; the four negotiation intervention events.
// User identity (spec §9.12): NEVER a secret. A passcode (type 2 secondary field) is recorded by
// presence and length only; a token (types 3-5 primary field) by length and sha256 only. The
// primary field is kept as text only for types 1-2, where it is a username.
import { type Static, Type } from '@sinclair/typebox';
import { Count, Hex, Sha256Hex, Strict, Uid, Uint16 } from '../common.js';

const identityCommon = {
  positive_response_requested: Type.Boolean(),
  secondary_field_present: Type.Boolean(),
  secondary_field_length: Count,
};

export const UsernameIdentity = Strict({
  type: Type.Union([Type.Literal(1), Type.Literal(2)]),
  type_name: Type.Union([Type.Literal('username'), Type.Literal('username-passcode')]),
  primary_field: Type.String({ description: 'The username (peer-controlled, may be empty).' }),
  ...identityCommon,
});

export const TokenIdentity = Strict({
  type: Type.Union([Type.Literal(3), Type.Literal(4), Type.Literal(5)]),
  type_name: Type.Union([Type.Literal('kerberos'), Type.Literal('saml'), Type.Literal('jwt')]),
  primary_field_length: Count,
  token_sha256: Type.Optional(Sha256Hex),
  ...identityCommon,
});

export const UserIdentity = Type.Union([UsernameIdentity, TokenIdentity], {
  $id: 'UserIdentity',
  description: 'User Identity Negotiation (PS3.7 D.3.3.7), without any secret.',
});
export type UserIdentity = Static<typeof UserIdentity>;

/** 0 = unlimited (PS3.7 D.3.3.3). */
export const AsyncOps = Strict({ invoked: Uint16, performed: Uint16 });
export type AsyncOps = Static<typeof AsyncOps>;

export const SopClassExtended = Strict({
  sop_class_uid: Uid,
  application_information: Hex,
});

export const SopClassCommonExtended = Strict({
  sop_class_uid: Uid,
  service_class_uid: Uid,
  related_general_sop_class_uids: Type.Array(Uid),
});

export const UserIdParams = Strict({
  user_identity: UserIdentity,
  /** True only when a verifier checked the identity; an identity accepted unchecked is false. */
  verified: Type.Boolean(),
  /**
   * verified: checked here and holds; not-checked: accepted, no verifier configured; refused: rejected here;
   * upstream-accepted / upstream-refused: in proxy mode, the PACS's answer (this node did not check it).
   */
  verification: Type.Optional(
    Type.Union([
      Type.Literal('verified'),
      Type.Literal('not-checked'),
      Type.Literal('refused'),
      Type.Literal('upstream-accepted'),
      Type.Literal('upstream-refused'),
    ]),
  ),
  /** Why a refused identity was refused (unknown user, wrong passcode, an expired JWT, ...); never the secret. */
  reason: Type.Optional(Type.String({ maxLength: 512 })),
  /** Only for types 3-5 with a positive response requested; recorded by length and hash. */
  response: Type.Optional(Strict({ length: Count, sha256: Sha256Hex })),
});

export const AsyncOpsParams = Strict({
  requested: AsyncOps,
  /** What was answered in the A-ASSOCIATE-AC; absent when no item was sent. */
  response: Type.Optional(AsyncOps),
});

export const SopExtendedParams = Strict({
  requested: Type.Array(SopClassExtended),
  response: Type.Array(SopClassExtended),
});

export const SopCommonParams = Strict({
  requested: Type.Array(SopClassCommonExtended),
  /** SOP class UIDs whose common extended negotiation was accepted (no AC item is sent, D.3.3.6). */
  accepted: Type.Array(Uid),
});
