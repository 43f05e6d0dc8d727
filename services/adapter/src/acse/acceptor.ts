/**
 * ACSE as acceptor (PS3.8 §7.1, PS3.7 Annex D): checks the application context and AE titles, runs the
 * negotiation intervention events (EVT_USER_ID, EVT_SOP_EXTENDED, EVT_SOP_COMMON, EVT_ASYNC_OPS, in
 * pynetdicom's order, spec §6) and negotiates presentation contexts. Returns the AC to send or the RJ
 * with its result/source/reason.
 */

import { describeUserIdentity } from '../association/pdu-summary.js';
import type { NegotiatedContext } from '../association/types.js';
import type { AssociateAc } from '../pdu/associate-ac.js';
import type { AssociateRj } from '../pdu/associate-rj.js';
import type { AssociateRq } from '../pdu/associate-rq.js';
import type { UserInformation } from '../pdu/items/user-information.js';
import type { AcseUser } from './acse-user.js';
import { asyncOpsParams, sopCommonParams, sopExtendedParams } from './negotiation-events.js';
import { negotiateContexts, type SupportedSyntaxes } from './presentation-negotiation.js';
import { type RejectCause, Rejects } from './reject-reason.js';
import { runUserIdentity, type UserIdentityVerifier } from './user-identity.js';

export const DICOM_APPLICATION_CONTEXT = '1.2.840.10008.3.1.1.1';

export interface AcceptorPolicy {
  aeTitle: string;
  /** Reject when the called AE title is not ours (reason 7). */
  requireCalledAeTitle: boolean;
  /** When non-empty, only these calling AE titles are accepted (reason 3). */
  allowedCallingAeTitles: readonly string[];
  supported: SupportedSyntaxes;
  maxPduReceive: number;
  implementationClassUid: string;
  implementationVersionName: string;
  userIdentity: UserIdentityVerifier;
  /** Refuse associations that carry no user identity (PS3.7 D.3.3.7; rejected-permanent, no reason given). */
  requireUserIdentity?: boolean;
  /** Refuse new associations (e.g. event spool full in fail-closed mode): a transient local-limit reject. */
  admission?: (assoc: AcseUser) => { ok: true } | { ok: false; detail: string };
}

export type AcceptorDecision =
  | { kind: 'accept'; ac: AssociateAc; contexts: NegotiatedContext[] }
  | { kind: 'reject'; rj: AssociateRj; detail?: string };

function reject(c: RejectCause, detail?: string): AcceptorDecision {
  return { kind: 'reject', rj: { type: 'A-ASSOCIATE-RJ', ...c }, ...(detail ? { detail } : {}) };
}

/**
 * The acceptor policy's reasons to refuse an A-ASSOCIATE-RQ, in this order: application context, called AE
 * title (when checked here), calling AE title, a rejected user identity, admission (association limit, the
 * event spool's fail-closed policy). Undefined: nothing refuses it. The audit proxy checks the same, except the
 * called AE title and the identity, which its upstream decides.
 */
export function policyReject(
  assoc: AcseUser,
  rq: AssociateRq,
  policy: AcceptorPolicy,
  opts: {
    checkCalledAeTitle: boolean;
    identityRejected: boolean;
    identityMissing?: boolean;
    identityReason?: string;
  },
): AcceptorDecision | undefined {
  if (rq.applicationContextName !== DICOM_APPLICATION_CONTEXT)
    return reject(Rejects.applicationContext, `application context ${rq.applicationContextName}`);
  if (opts.checkCalledAeTitle && policy.requireCalledAeTitle && rq.calledAeTitle !== policy.aeTitle)
    return reject(Rejects.calledAeTitle, `called AE title "${rq.calledAeTitle}" is not "${policy.aeTitle}"`);
  if (policy.allowedCallingAeTitles.length > 0 && !policy.allowedCallingAeTitles.includes(rq.callingAeTitle))
    return reject(Rejects.callingAeTitle, `calling AE title "${rq.callingAeTitle}" is not allowed`);
  if (opts.identityRejected)
    return reject(
      Rejects.noReason,
      `user identity refused${opts.identityReason ? `: ${opts.identityReason}` : ''}`,
    );
  if (opts.identityMissing && policy.requireUserIdentity)
    return reject(Rejects.noReason, 'no user identity, and this node requires one');
  const admission = policy.admission?.(assoc);
  if (admission && !admission.ok) return reject(Rejects.localLimit, admission.detail);
  return undefined;
}

export async function negotiateAsAcceptor(
  assoc: AcseUser,
  rq: AssociateRq,
  policy: AcceptorPolicy,
): Promise<AcceptorDecision> {
  const ui = rq.userInformation;
  // Negotiation events fire for every request, also those then rejected for the AE title (spec §9.5).
  const identity = await runUserIdentity(assoc, ui, policy.userIdentity);
  assoc.emit('EVT_SOP_EXTENDED', () => sopExtendedParams(ui, []));
  assoc.emit('EVT_SOP_COMMON', () => sopCommonParams(ui));
  // We perform operations one at a time: the window is answered as (1, 1) (PS3.7 D.3.3.3).
  const asyncResponse = ui.asyncOps ? { invoked: 1, performed: 1 } : undefined;
  if (ui.asyncOps) {
    const requested = ui.asyncOps;
    assoc.emit('EVT_ASYNC_OPS', () => asyncOpsParams(requested, asyncResponse));
  }

  const refused = policyReject(assoc, rq, policy, {
    checkCalledAeTitle: true,
    identityRejected: identity.kind === 'rejected',
    identityMissing: identity.kind === 'absent',
    ...(identity.kind === 'rejected' && identity.reason ? { identityReason: identity.reason } : {}),
  });
  if (refused) return refused;

  const n = negotiateContexts(rq.presentationContexts, policy.supported, ui.roleSelections);
  const userInformation: UserInformation = {
    maxLength: policy.maxPduReceive,
    implementationClassUid: policy.implementationClassUid,
    implementationVersionName: policy.implementationVersionName,
    roleSelections: n.roleSelections,
    sopClassExtended: [],
    sopClassCommonExtended: [],
    unknownItems: [],
    ...(asyncResponse ? { asyncOps: asyncResponse } : {}),
    ...(identity.kind === 'accepted' && identity.response
      ? { userIdentityAc: { serverResponse: identity.response } }
      : {}),
  };
  const ac: AssociateAc = {
    type: 'A-ASSOCIATE-AC',
    protocolVersion: 1,
    calledAeTitle: rq.calledAeTitle,
    callingAeTitle: rq.callingAeTitle,
    applicationContextName: DICOM_APPLICATION_CONTEXT,
    presentationContexts: n.results,
    userInformation,
  };
  return { kind: 'accept', ac, contexts: n.accepted };
}

export { describeUserIdentity };
