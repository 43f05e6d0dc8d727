/** Verification Service Class (PS3.4 Annex A): C-ECHO as SCP, EVT_C_ECHO. */
import type { Association } from '../association/association.js';
import type { DimseMessage } from '../association/dimse-service.js';
import { buildCEchoRsp } from '../dimse/c-echo.js';
import { statusCategory } from '../dimse/status.js';
import { type HandlerResult, type ServiceRequest, statusOf, toRequest } from './service-request.js';

type EchoHandler = (r: ServiceRequest) => HandlerResult | Promise<HandlerResult>;

/**
 * Not async: without an intervention handler the echo is answered at once and settles with its send (no
 * promise of its own per echo); with one, its status is awaited first.
 */
export function serveCEcho(assoc: Association, msg: DimseMessage): Promise<void> {
  const handler = assoc.handlers.interventionHandler('EVT_C_ECHO') as EchoHandler | undefined;
  if (handler) return serveWithHandler(assoc, msg, handler);
  return answerEcho(assoc, msg, 0x0000);
}

async function serveWithHandler(assoc: Association, msg: DimseMessage, handler: EchoHandler): Promise<void> {
  let status: number;
  try {
    status = statusOf(await handler(toRequest(assoc, msg))).status;
  } catch (err) {
    // Unlike pynetdicom (spec §9.8), a failing echo handler fails the echo: 0xC000 is "unable to process".
    assoc.log.error({ err }, 'C-ECHO handler failed');
    status = 0xc000;
  }
  await answerEcho(assoc, msg, status);
}

/** EVT_C_ECHO, then the C-ECHO-RSP. */
function answerEcho(assoc: Association, msg: DimseMessage, status: number): Promise<void> {
  assoc.emit(
    'EVT_C_ECHO',
    () => ({
      context: {
        id: msg.context.id,
        abstract_syntax: msg.context.abstractSyntax,
        transfer_syntax: msg.context.transferSyntax,
      },
      message_id: msg.command.messageId ?? 0,
      affected_sop_class_uid: msg.command.affectedSopClassUid ?? msg.context.abstractSyntax,
      status,
      status_category: statusCategory(status),
      responses: 1,
    }),
    msg.command.messageId,
  );
  return assoc.dimse.send(msg.context, buildCEchoRsp(msg.command, status));
}
