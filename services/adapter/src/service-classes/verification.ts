/** Verification Service Class (PS3.4 Annex A): C-ECHO as SCP, EVT_C_ECHO. */
import type { Association } from '../association/association.js';
import type { DimseMessage } from '../association/dimse-service.js';
import { buildCEchoRsp } from '../dimse/c-echo.js';
import { statusCategory } from '../dimse/status.js';
import { type HandlerResult, type ServiceRequest, statusOf, toRequest } from './service-request.js';

export async function serveCEcho(assoc: Association, msg: DimseMessage): Promise<void> {
  const req = toRequest(assoc, msg);
  const handler = assoc.handlers.interventionHandler('EVT_C_ECHO') as
    | ((r: ServiceRequest) => HandlerResult | Promise<HandlerResult>)
    | undefined;
  let status = 0x0000;
  if (handler) {
    try {
      status = statusOf(await handler(req)).status;
    } catch (err) {
      // Unlike pynetdicom (spec §9.8), a failing echo handler fails the echo: 0xC000 is "unable to process".
      assoc.log.error({ err }, 'C-ECHO handler failed');
      status = 0xc000;
    }
  }
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
  await assoc.dimse.send(msg.context, buildCEchoRsp(msg.command, status));
}
