/**
 * Routes a received DIMSE request to its service class. Requests without a service here are answered
 * with the standard's failure: 0x0211 unrecognized operation (PS3.7 C.4), so the peer is never left waiting.
 * A request whose SOP class belongs to another service class (e.g. a C-FIND on a storage SOP class)
 * is refused with 0x0122 "SOP class not supported" (PS3.7 C.5.20) without reaching a handler.
 * On the requestor side a C-STORE (a C-GET sub-operation) is served only on a context where we
 * accepted the SCP role (PS3.7 D.3.3.4); otherwise 0x0122, as pynetdicom.
 */

import type { Association } from '../association/association.js';
import type { DimseMessage } from '../association/dimse-service.js';
import { discardStored } from '../association/held-instances.js';
import { isStorageSopClass, SopClass, VERIFICATION } from '../dataset/uids.js';
import { COMMAND_FIELDS, type CommandFieldName, commandFieldName } from '../dimse/command-field.js';
import { buildResponse } from '../dimse/command-set.js';
import { serveNService } from './n-services.js';
import { type OpenSubAssociation, serveCFind, serveCGet, serveCMove } from './query-retrieve.js';
import { serveCStore } from './storage.js';
import { serveCEcho } from './verification.js';

export interface ServiceClassOptions {
  storeDir: string;
  /** Opens a C-MOVE's association to its destination (association/client.ts `associate`). */
  associate: OpenSubAssociation;
}

export type Serve = (assoc: Association, msg: DimseMessage) => Promise<void>;

/** Extra services (query/retrieve, N-services, ...) register here by request name. */
export type ServiceTable = Partial<Record<string, Serve>>;

export const SOP_CLASS_NOT_SUPPORTED = 0x0122;

const KNOWN_OTHER = new Map(Object.entries(SopClass).map(([keyword, uid]) => [uid, keyword]));

/** Whether `uid` is a SOP class dicomtrail knows to belong to a service other than `request`'s. */
export function refusesSopClass(request: string, uid: string | undefined): boolean {
  if (uid === undefined || uid === '') return false;
  const storage = isStorageSopClass(uid);
  const keyword = KNOWN_OTHER.get(uid);
  switch (request) {
    case 'C-STORE-RQ':
      return keyword !== undefined;
    case 'C-ECHO-RQ':
      return uid !== VERIFICATION && (storage || keyword !== undefined);
    case 'C-FIND-RQ':
      return storage || (keyword !== undefined && !/Find$|Query$/.test(keyword));
    case 'C-GET-RQ':
      return storage || (keyword !== undefined && !/Get$/.test(keyword));
    case 'C-MOVE-RQ':
      return storage || (keyword !== undefined && !/Move$/.test(keyword));
    default:
      if (request.startsWith('N-'))
        return storage || uid === VERIFICATION || (keyword !== undefined && /Find$|Get$|Move$/.test(keyword));
      return false;
  }
}

async function serveStoreAsRequestor(assoc: Association, msg: DimseMessage, storeDir: string): Promise<void> {
  if (assoc.role === 'requestor' && !msg.context.requestorScp) {
    assoc.log.warn(
      { context_id: msg.context.id },
      'C-STORE on a context without our SCP role; answering 0x0122',
    );
    await discardStored(msg.stored);
    await assoc.dimse.send(msg.context, buildResponse(msg.command, 'C-STORE-RSP', SOP_CLASS_NOT_SUPPORTED));
    return;
  }
  return serveCStore(assoc, msg, storeDir);
}

export function createDispatcher(opts: ServiceClassOptions, extra: ServiceTable = {}): Serve {
  const table: ServiceTable = {
    'C-ECHO-RQ': serveCEcho,
    'C-STORE-RQ': (a, m) => serveStoreAsRequestor(a, m, opts.storeDir),
    'C-FIND-RQ': serveCFind,
    'C-GET-RQ': serveCGet,
    'C-MOVE-RQ': (a, m) => serveCMove(a, m, opts.associate),
    'N-EVENT-REPORT-RQ': serveNService('N-EVENT-REPORT'),
    'N-GET-RQ': serveNService('N-GET'),
    'N-SET-RQ': serveNService('N-SET'),
    'N-ACTION-RQ': serveNService('N-ACTION'),
    'N-CREATE-RQ': serveNService('N-CREATE'),
    'N-DELETE-RQ': serveNService('N-DELETE'),
    ...extra,
  };
  // Not async: the served request's own promise is returned as it is (no extra promise and hops per message).
  return (assoc, msg) => {
    const name = commandFieldName(msg.command.commandField) ?? `0x${msg.command.commandField.toString(16)}`;
    const serve = table[name];
    if (serve) {
      const sopClass = msg.command.affectedSopClassUid ?? msg.command.requestedSopClassUid;
      if (refusesSopClass(name, sopClass) && responseName(name) in COMMAND_FIELDS)
        return refuseSopClass(assoc, msg, name, sopClass);
      try {
        return serve(assoc, msg);
      } catch (err) {
        return Promise.reject(err);
      }
    }
    return answerUnrecognized(assoc, msg, name);
  };
}

function responseName(request: string): string {
  return request.replace(/-RQ$/, '-RSP');
}

/** A request whose SOP class belongs to another service: 0x0122 without reaching a handler. */
async function refuseSopClass(
  assoc: Association,
  msg: DimseMessage,
  name: string,
  sopClass: string | undefined,
): Promise<void> {
  assoc.log.warn({ command: name, sop_class_uid: sopClass }, 'SOP class not supported by this service');
  await discardStored(msg.stored);
  await assoc.dimse.send(
    msg.context,
    buildResponse(msg.command, responseName(name) as CommandFieldName, SOP_CLASS_NOT_SUPPORTED),
  );
}

/** A request without a service here: 0x0211 unrecognized operation (none for C-CANCEL and unknown codes). */
async function answerUnrecognized(assoc: Association, msg: DimseMessage, name: string): Promise<void> {
  assoc.log.warn({ command: name }, 'no service for this request; answering 0x0211');
  const rspName = responseName(name);
  if (!(rspName in COMMAND_FIELDS)) return; // C-CANCEL and unknown codes have no response
  await assoc.dimse.send(msg.context, buildResponse(msg.command, rspName as CommandFieldName, 0x0211));
}
