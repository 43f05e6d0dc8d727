/**
 * Carries out one transition of the state machine: the effects its action lists in actions.ts (PS3.8 Tables
 * 9-6 to 9-9), in the table's order, so the DUL is described once, as data. The upper layer (upper-layer.ts)
 * gives the ports: the socket, the ARTIM timer and the DUL user.
 *
 * Two rules of ours around the table's effects:
 *   - The user hears of an indication or confirmation last, once the provider has done its part (the PDU
 *     sent, the transport closed, the ARTIM timer set), so every event the user emits follows the PDU's.
 *   - An action inside which pynetdicom closes the connection (`closesConnection`: AR-5, AA-4 and AA-5 run on
 *     Evt17, when it is already closed) closes it here too, which records EVT_CONN_CLOSE once.
 * And where the standard gives the user no primitive, the user still learns how the association ended (spec §9):
 * AA-1 (our A-ABORT, or an unexpected PDU in Sta2) and AA-2 on an ARTIM expiry.
 */
import type { Abort } from '../pdu/abort.js';
import type { AssociateAc } from '../pdu/associate-ac.js';
import type { AssociateRj } from '../pdu/associate-rj.js';
import type { AssociateRq } from '../pdu/associate-rq.js';
import type { PDataTf, Pdv } from '../pdu/p-data-tf.js';
import type { Pdu } from '../pdu/pdu.js';
import type { AbortSource, SentPdu } from './actions.js';
import type { IndicationPrimitive } from './primitives.js';
import type { Transition } from './state-machine.js';

/** How an association ended by abort, as the user is told: who, the A-ABORT's source and reason, why. */
export interface AbortCause {
  initiator: 'local' | 'remote' | 'dul';
  source: number;
  reason: number;
  error?: string;
}

/** The primitives the DUL issues to its user (ACSE and DIMSE: the association). */
export interface DulUserPrimitives {
  onAssociateIndication(rq: AssociateRq): void;
  onAssociateConfirm(pdu: AssociateAc | AssociateRj): void;
  onPData(pdvs: readonly Pdv[]): void;
  onReleaseIndication(collision: boolean): void;
  onReleaseConfirm(): void;
  onAbort(cause: AbortCause): void;
}

/** What the executor acts on. */
export interface ActionPorts {
  readonly user: DulUserPrimitives;
  /** Sends a PDU; false when the socket's buffer is full (or it is closed). */
  send(pdu: Pdu): boolean;
  sendPData(pdvs: readonly Pdv[]): boolean;
  startArtim(): void;
  stopArtim(): void;
  /** Closes the transport (idempotent; the first call records EVT_CONN_CLOSE). */
  closeTransport(): void;
  /** AE-2: the A-ASSOCIATE-RQ of the pending A-ASSOCIATE request. */
  pendingRq(): AssociateRq;
  /** AE-6: the service-provider refuses the A-ASSOCIATE-RQ; gives the A-ASSOCIATE-RJ to send. */
  providerReject(rq: AssociateRq): AssociateRj;
  /** The reason of the A-ABORT that an invalid PDU (Evt19) calls for (PS3.8 Table 9-26). */
  readonly abortReason: number;
  /** Why we abort, when known (an invalid PDU's message, an idle association, ...). */
  readonly abortError: string | undefined;
}

/** Performs `t`'s effects; returns false when a PDU it sent did not fit the socket's buffer. */
export function executeTransition(t: Transition, arg: unknown, ports: ActionPorts): boolean {
  let ok = true;
  // Most transitions indicate nothing or one primitive: the list is made only when there is one.
  let indications: IndicationPrimitive[] | undefined;
  for (const e of t.effects) {
    switch (e.effect) {
      case 'connect-transport': // the requestor's socket is already connecting (association/client.ts)
      case 'respond-transport': // the listener has already accepted it (association/server.ts)
        break;
      case 'start-artim':
        ports.startArtim();
        break;
      case 'stop-artim':
        ports.stopArtim();
        break;
      case 'send':
        ok = sendPdu(e.pdu, t, arg, ports);
        break;
      case 'send-abort':
        ok = ports.send({ type: 'A-ABORT', source: e.source, reason: abortReason(t, e.source, ports) });
        break;
      case 'close-transport':
        ports.closeTransport();
        break;
      case 'indicate':
        indications ??= [];
        indications.push(e.primitive);
        break;
    }
  }
  if (t.closesConnection) ports.closeTransport();
  if (indications) for (const primitive of indications) indicate(primitive, t, arg, ports);
  endWithoutPrimitive(t, ports);
  return ok;
}

function sendPdu(pdu: SentPdu, t: Transition, arg: unknown, ports: ActionPorts): boolean {
  switch (pdu) {
    case 'A-ASSOCIATE-RQ':
      return ports.send(ports.pendingRq());
    case 'A-ASSOCIATE-AC':
      return ports.send(arg as AssociateAc);
    case 'A-ASSOCIATE-RJ':
      // AE-6 answers a received RQ (the provider's reject); AE-8 sends the user's.
      return ports.send(t.event === 'Evt6' ? ports.providerReject(arg as AssociateRq) : (arg as AssociateRj));
    case 'P-DATA-TF':
      return ports.sendPData(arg as readonly Pdv[]);
    case 'A-RELEASE-RQ':
    case 'A-RELEASE-RP':
      return ports.send({ type: pdu });
  }
}

/**
 * AA-1's A-ABORT is the service user's (reason not significant); a provider A-ABORT gives the invalid PDU's reason
 * on Evt19 and in AA-7 (Sta13), otherwise "unexpected PDU" (2).
 */
function abortReason(t: Transition, source: AbortSource, ports: ActionPorts): number {
  if (source === 0) return 0;
  return t.action === 'AA-7' || t.event === 'Evt19' ? ports.abortReason : 2;
}

function indicate(primitive: IndicationPrimitive, t: Transition, arg: unknown, ports: ActionPorts): void {
  const user = ports.user;
  switch (primitive) {
    case 'A-ASSOCIATE-indication':
      user.onAssociateIndication(arg as AssociateRq);
      return;
    case 'A-ASSOCIATE-confirm-accept':
    case 'A-ASSOCIATE-confirm-reject':
      user.onAssociateConfirm(arg as AssociateAc | AssociateRj);
      return;
    case 'P-DATA-indication':
      user.onPData((arg as PDataTf).pdvs);
      return;
    case 'A-RELEASE-indication':
      user.onReleaseIndication(t.action === 'AR-8');
      return;
    case 'A-RELEASE-confirm':
      user.onReleaseConfirm();
      return;
    case 'A-ABORT-indication':
    case 'A-P-ABORT-indication':
      user.onAbort(abortIndication(t, arg, ports));
      return;
  }
}

function abortIndication(t: Transition, arg: unknown, ports: ActionPorts): AbortCause {
  if (t.action === 'AA-3') {
    const a = arg as Abort;
    return { initiator: 'remote', source: a.source, reason: a.reason };
  }
  if (t.action === 'AA-4')
    return { initiator: 'dul', source: 2, reason: 0, error: 'transport connection closed' };
  // AA-8: the A-ABORT we sent.
  return {
    initiator: 'dul',
    source: 2,
    reason: abortReason(t, 2, ports),
    error: ports.abortError ?? `unexpected ${t.event} in ${t.from}`,
  };
}

function endWithoutPrimitive(t: Transition, ports: ActionPorts): void {
  if (t.action === 'AA-1') {
    const initiator = t.event === 'Evt15' ? 'local' : 'dul';
    const error =
      ports.abortError ?? (initiator === 'dul' ? `unexpected ${t.event} in ${t.from}` : undefined);
    ports.user.onAbort({ initiator, source: 0, reason: 0, ...(error ? { error } : {}) });
  } else if (t.action === 'AA-2' && t.event === 'Evt18') {
    ports.user.onAbort({ initiator: 'dul', source: 2, reason: 0, error: 'ARTIM timer expired' });
  }
}
