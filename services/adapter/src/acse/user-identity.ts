/**
 * User Identity negotiation as acceptor (PS3.7 D.3.3.7): the pluggable verifier behind EVT_USER_ID.
 * The default accepts and records without checking, and the event says so: `verified` is true only when a verifier
 * checked the identity. The event carries the identity without its secret (spec §9.12).
 */

import { describeUserIdentity } from '../association/pdu-summary.js';
import type { UserIdentityRq } from '../pdu/items/user-identity-rq.js';
import type { UserInformation } from '../pdu/items/user-information.js';
import type { AcseUser } from './acse-user.js';
import { serverResponseDigest } from './negotiation-events.js';

export interface UserIdentityResult {
  /** The identity was checked and holds (a password matched, a token's signature verified). */
  verified: boolean;
  /** false: the association is rejected. Absent: accepted exactly when verified. */
  accepted?: boolean;
  /** Why the identity was refused (recorded in EVT_USER_ID and the reject's detail); never the secret. */
  reason?: string;
  /** Server response for a positive-response request (types 3-5: a token; never logged). */
  response?: Buffer;
}

export type UserIdentityVerifier = (
  identity: UserIdentityRq,
  assoc: AcseUser,
) => UserIdentityResult | Promise<UserIdentityResult>;

/** The default: accept every identity and record it, as not checked. */
export const acceptAndRecord: UserIdentityVerifier = () => ({ accepted: true, verified: false });

/** How the trail describes a checked, unchecked or refused identity. */
export function verificationOf(result: UserIdentityResult): 'verified' | 'not-checked' | 'refused' {
  if (!(result.accepted ?? result.verified)) return 'refused';
  return result.verified ? 'verified' : 'not-checked';
}

export type IdentityOutcome =
  | { kind: 'absent' }
  | { kind: 'accepted'; response?: Buffer }
  | { kind: 'rejected'; reason?: string };

export async function runUserIdentity(
  assoc: AcseUser,
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
    result = { verified: false, accepted: false, reason: 'the identity verifier failed' };
  }
  const verification = verificationOf(result);
  const accepted = verification !== 'refused';
  const response = identity.positiveResponseRequested && result.verified ? result.response : undefined;
  assoc.emit('EVT_USER_ID', () => ({
    user_identity: describeUserIdentity(identity),
    verified: verification === 'verified',
    verification,
    ...(result.reason && verification === 'refused' ? { reason: result.reason } : {}),
    ...serverResponseDigest(response),
  }));
  if (!accepted) return result.reason ? { kind: 'rejected', reason: result.reason } : { kind: 'rejected' };
  return response ? { kind: 'accepted', response } : { kind: 'accepted' };
}
