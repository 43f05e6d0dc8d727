/**
 * User Identity negotiation as acceptor (PS3.7 D.3.3.7): the pluggable verifier behind EVT_USER_ID.
 * The default accepts and records. The event carries the identity without its secret (spec §9.12).
 */
import { createHash } from 'node:crypto';
import type { Association } from '../association/association.js';
import { describeUserIdentity } from '../association/pdu-summary.js';
import type { UserIdentityRq } from '../pdu/items/user-identity-rq.js';
import type { UserInformation } from '../pdu/items/user-information.js';

export interface UserIdentityResult {
  /** false: the association is rejected. */
  verified: boolean;
  /** Server response for a positive-response request (types 3-5: a token; never logged). */
  response?: Buffer;
}

export type UserIdentityVerifier = (
  identity: UserIdentityRq,
  assoc: Association,
) => UserIdentityResult | Promise<UserIdentityResult>;

/** The default: accept every identity and record it. */
export const acceptAndRecord: UserIdentityVerifier = () => ({ verified: true });

export type IdentityOutcome =
  | { kind: 'absent' }
  | { kind: 'accepted'; response?: Buffer }
  | { kind: 'rejected' };

export async function runUserIdentity(
  assoc: Association,
  ui: UserInformation,
  fallback: UserIdentityVerifier,
): Promise<IdentityOutcome> {
  const identity = ui.userIdentity;
  if (!identity) return { kind: 'absent' };
  const bound = assoc.handlers.interventionHandler('EVT_USER_ID') as UserIdentityVerifier | undefined;
  let result: UserIdentityResult;
  try {
    result = await (bound ?? fallback)(identity, assoc);
  } catch (err) {
    assoc.log.error({ err }, 'user identity handler failed; identity not verified');
    result = { verified: false };
  }
  const response = identity.positiveResponseRequested && result.verified ? result.response : undefined;
  assoc.emit('EVT_USER_ID', () => ({
    user_identity: describeUserIdentity(identity),
    verified: result.verified,
    ...(response && response.length > 0
      ? { response: { length: response.length, sha256: createHash('sha256').update(response).digest('hex') } }
      : {}),
  }));
  if (!result.verified) return { kind: 'rejected' };
  return response ? { kind: 'accepted', response } : { kind: 'accepted' };
}
