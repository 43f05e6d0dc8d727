/**
 * Routes a received DIMSE request to its service class. Requests without a service here are answered
 * with the standard's failure: 0x0211 unrecognized operation (PS3.7 C.4), so the peer is never left waiting.
 */
import type { Association } from '../association/association.js';
import type { DimseMessage } from '../association/dimse-service.js';
import { COMMAND_FIELDS, type CommandFieldName, commandFieldName } from '../dimse/command-field.js';
import { buildResponse } from '../dimse/command-set.js';
import { serveCStore } from './storage.js';
import { serveCEcho } from './verification.js';

export interface ServiceClassOptions {
  storeDir: string;
}

export type Serve = (assoc: Association, msg: DimseMessage) => Promise<void>;

/** Extra services (query/retrieve, N-services, ...) register here by request name. */
export type ServiceTable = Partial<Record<string, Serve>>;

export function createDispatcher(opts: ServiceClassOptions, extra: ServiceTable = {}): Serve {
  const table: ServiceTable = {
    'C-ECHO-RQ': serveCEcho,
    'C-STORE-RQ': (a, m) => serveCStore(a, m, opts.storeDir),
    ...extra,
  };
  return async (assoc, msg) => {
    const name = commandFieldName(msg.command.commandField) ?? `0x${msg.command.commandField.toString(16)}`;
    const serve = table[name];
    if (serve) return serve(assoc, msg);
    assoc.log.warn({ command: name }, 'no service for this request; answering 0x0211');
    const rspName = name.replace(/-RQ$/, '-RSP');
    if (!(rspName in COMMAND_FIELDS)) return; // C-CANCEL and unknown codes have no response
    await assoc.dimse.send(msg.context, buildResponse(msg.command, rspName as CommandFieldName, 0x0211));
  };
}
