/**
 * The audit proxy's negotiation, as data (pure): the A-ASSOCIATE-RQ it sends upstream for the one it
 * received, and the A-ASSOCIATE-AC it returns for the upstream's. The presentation contexts (ids, abstract
 * and transfer syntaxes), the calling AE title, role selection, SOP class (common) extended negotiation and
 * user identity pass through unchanged, so the PACS decides exactly as if the modality had called it. What
 * the proxy owns: its implementation identity (it terminates the upper layer on both sides), the asynchronous
 * operations window, which it drops (one operation at a time on each side: PS3.7 D.3.3.3's default), and
 * its Maximum Length Received. By default (`offer: 'peer'`) each side is offered the other side's own maximum,
 * bounded by the proxy's (0, unlimited, counts as the proxy's): the modality's A-ASSOCIATE-AC carries the
 * PACS's, the PACS's A-ASSOCIATE-RQ the modality's, so both legs use one PDU size and P-DATA fragments pass
 * through as they are (a fragment sized to what one side was offered always fits the other's maximum).
 * `offer: 'own'` offers the proxy's own maximum on both sides (and re-fragments wherever the peers' differ).
 */
import { DICOM_APPLICATION_CONTEXT } from '../acse/acceptor.js';
import type { AssociateAc } from '../pdu/associate-ac.js';
import type { AssociateRq } from '../pdu/associate-rq.js';
import type { UpstreamRoute } from './routes.js';

/** Which Maximum Length Received the proxy offers each side (PROXY_MAX_PDU_OFFER). */
export type MaxPduOffer = 'peer' | 'own';

export interface ProxyIdentity {
  /** The largest PDU the proxy takes (DICOM_MAX_PDU): what it offers with `offer: 'own'`, a bound otherwise. */
  maxPduReceive: number;
  offer: MaxPduOffer;
  implementationClassUid: string;
  implementationVersionName: string;
}

/** The Maximum Length Received offered to one side, given the other side's own (0 = unlimited). */
export function offeredMaxPdu(otherSide: number | undefined, own: ProxyIdentity): number {
  if (own.offer === 'own' || !otherSide) return own.maxPduReceive;
  return Math.min(otherSide, own.maxPduReceive);
}

export function upstreamRequest(rq: AssociateRq, route: UpstreamRoute, own: ProxyIdentity): AssociateRq {
  const { asyncOps: _dropped, ...ui } = rq.userInformation;
  return {
    ...rq,
    calledAeTitle: route.aeTitle ?? rq.calledAeTitle,
    applicationContextName: DICOM_APPLICATION_CONTEXT,
    userInformation: {
      ...ui,
      maxLength: offeredMaxPdu(rq.userInformation.maxLength, own),
      implementationClassUid: own.implementationClassUid,
      implementationVersionName: own.implementationVersionName,
    },
  };
}

export function downstreamAccept(rq: AssociateRq, upstream: AssociateAc, own: ProxyIdentity): AssociateAc {
  const u = upstream.userInformation;
  return {
    type: 'A-ASSOCIATE-AC',
    protocolVersion: 1,
    calledAeTitle: rq.calledAeTitle,
    callingAeTitle: rq.callingAeTitle,
    applicationContextName: DICOM_APPLICATION_CONTEXT,
    presentationContexts: upstream.presentationContexts,
    userInformation: {
      maxLength: offeredMaxPdu(u.maxLength, own),
      implementationClassUid: own.implementationClassUid,
      implementationVersionName: own.implementationVersionName,
      roleSelections: u.roleSelections,
      sopClassExtended: u.sopClassExtended,
      sopClassCommonExtended: [],
      unknownItems: [],
      ...(u.userIdentityAc ? { userIdentityAc: u.userIdentityAc } : {}),
    },
  };
}
