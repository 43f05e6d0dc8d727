/**
 * The AE-title binding check (ae-bindings.ts) as a step before an acceptor's own negotiation: it runs when the
 * A-ASSOCIATE-RQ arrives, with the certificate the connection presented, and refuses with A-ASSOCIATE-RJ
 * (permanent, service user, calling AE title not recognized) whose detail goes into EVT_REJECTED.
 */
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import type { AcceptorDecision, AcceptorPolicy } from '../acse/acceptor.js';
import { Rejects } from '../acse/reject-reason.js';
import type { Association } from '../association/association.js';
import type { AssociateRq } from '../pdu/associate-rq.js';
import { type AeBindings, aeBindingRefusal } from './ae-bindings.js';
import { peerX509 } from './tls-facts.js';

export type Negotiate = (
  assoc: Association,
  rq: AssociateRq,
  policy: AcceptorPolicy,
) => Promise<AcceptorDecision>;

export function withAeBindings(bindings: AeBindings, socket: Socket, inner: Negotiate): Negotiate {
  return async (assoc, rq, policy) => {
    const x509 = socket instanceof TLSSocket ? peerX509(socket) : undefined;
    const refusal = aeBindingRefusal(bindings, x509, rq.callingAeTitle);
    if (refusal) {
      assoc.log.warn(
        { calling_ae_title: rq.callingAeTitle, why: refusal },
        'DICOM TLS: AE-title binding refused',
      );
      return { kind: 'reject', rj: { type: 'A-ASSOCIATE-RJ', ...Rejects.callingAeTitle }, detail: refusal };
    }
    return inner(assoc, rq, policy);
  };
}
