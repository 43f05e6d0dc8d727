/**
 * The audit proxy's negotiation, as data (pure): the A-ASSOCIATE-RQ it sends upstream for the one it
 * received, and the A-ASSOCIATE-AC it returns for the upstream's. The presentation contexts (ids, abstract
 * and transfer syntaxes), the calling AE title, role selection, SOP class (common) extended negotiation and
 * user identity pass through unchanged, so the PACS decides exactly as if the modality had called it. What
 * the proxy owns: its Maximum Length Received and implementation identity (it terminates the upper layer
 * on both sides and re-fragments), and the asynchronous operations window, which it drops (one operation
 * at a time on each side: PS3.7 D.3.3.3's default).
 */
import { DICOM_APPLICATION_CONTEXT } from '../acse/acceptor.js';
import type { AssociateAc } from '../pdu/associate-ac.js';
import type { AssociateRq } from '../pdu/associate-rq.js';
import type { UpstreamRoute } from './routes.js';

export interface ProxyIdentity {
  maxPduReceive: number;
  implementationClassUid: string;
  implementationVersionName: string;
}

export function upstreamRequest(rq: AssociateRq, route: UpstreamRoute, own: ProxyIdentity): AssociateRq {
  const { asyncOps: _dropped, ...ui } = rq.userInformation;
  return {
    ...rq,
    calledAeTitle: route.aeTitle ?? rq.calledAeTitle,
    applicationContextName: DICOM_APPLICATION_CONTEXT,
    userInformation: {
      ...ui,
      maxLength: own.maxPduReceive,
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
      maxLength: own.maxPduReceive,
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
