/** What an intervention handler receives for one DIMSE request (pynetdicom Event of EVT_C_xxx and EVT_N_xxx). */
import type { Association } from '../association/association.js';
import type { DimseMessage } from '../association/dimse-service.js';
import type { StoredFile } from '../association/store-receiver.js';
import type { NegotiatedContext } from '../association/types.js';
import type { CommandSet } from '../dimse/command-set.js';

export interface ServiceRequest {
  association: Association;
  context: NegotiatedContext;
  request: CommandSet;
  /** The data set bytes in the negotiated transfer syntax (not for C-STORE: see `stored`). */
  dataset?: Buffer;
  /** C-STORE: the received instance, already streamed to a temporary Part 10 file. */
  stored?: StoredFile;
  /** True once the peer sent a C-CANCEL-RQ for this request. */
  isCancelled(): boolean;
}

/** A handler's answer: a status code, or a status with extra response fields. */
export type HandlerResult = number | { status: number; errorComment?: string; [k: string]: unknown };

export function toRequest(assoc: Association, msg: DimseMessage): ServiceRequest {
  const id = msg.command.messageId ?? -1;
  return {
    association: assoc,
    context: msg.context,
    request: msg.command,
    ...(msg.dataset ? { dataset: msg.dataset } : {}),
    ...(msg.stored ? { stored: msg.stored } : {}),
    isCancelled: () => assoc.dimse.isCancelled(id),
  };
}

export function statusOf(r: HandlerResult): { status: number; errorComment?: string } {
  if (typeof r === 'number') return { status: r };
  return { status: r.status, ...(r.errorComment ? { errorComment: r.errorComment } : {}) };
}
