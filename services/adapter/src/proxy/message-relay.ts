/**
 * The audit proxy's DIMSE relay: a request received on one association is sent, with the same command
 * (message id included) and data set, on the paired association; its pending and final responses come back
 * the same way, in order. Requests flow downstream → upstream (C-ECHO, C-STORE, C-FIND, C-GET, C-MOVE,
 * N-*) and upstream → downstream (C-GET's C-STORE sub-operations, N-EVENT-REPORTs such as storage commitment
 * results). Both associations emit their own events, so the audit sees each message where it was received
 * and where it was sent, and the one that received the request also records the operation's intervention
 * event with the outcome the other side gave (relayed-operation.ts). A C-STORE from the modality is passed
 * on as it arrives (cut-through-store.ts); one that comes while another operation is in progress on its
 * association, and C-GET's sub-operations, are relayed from the temporary file they were streamed to, then
 * the file is deleted: the proxy keeps nothing. If the other association ends before the final response, this
 * one is aborted with that cause.
 */
import { createReadStream, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { Association } from '../association/association.js';
import type { DimseMessage } from '../association/dimse-service.js';
import { commandFieldName } from '../dimse/command-field.js';
import { buildResponse, type CommandSet } from '../dimse/command-set.js';
import { CutThroughStore } from './cut-through-store.js';
import { endOf } from './paired-ending.js';
import { relayedEventType, relayedOperation } from './relayed-operation.js';

/** Out of resources (PS3.7 C.4.2 A7xx): the instance could not be taken in, so it was not passed on. */
const OUT_OF_RESOURCES = 0xa700;

export async function relayRequest(
  from: Association,
  to: Association,
  msg: DimseMessage,
  bulkDataThreshold: number,
): Promise<void> {
  const name = commandFieldName(msg.command.commandField) ?? 'request';
  const context = to.contexts.get(msg.context.id);
  const record = (final: DimseMessage, responses: number): void => {
    const type = relayedEventType(msg);
    if (type)
      from.emit(
        type,
        () => relayedOperation(msg, final, responses, bulkDataThreshold)!.params,
        msg.command.messageId,
      );
  };
  try {
    if (msg.stored?.error) {
      const rsp = failure(msg, OUT_OF_RESOURCES, `not relayed: ${msg.stored.error.message}`);
      if (!rsp) return;
      record({ context: msg.context, command: rsp }, 1);
      await from.dimse.send(msg.context, rsp);
      return;
    }
    const passage = msg.passage instanceof CutThroughStore ? msg.passage : undefined;
    if (!passage && (!context || !to.isEstablished)) {
      // Unreachable when both sides negotiated the same contexts; the pairing ends the association otherwise.
      from.log.warn({ command: name, context_id: msg.context.id }, 'proxy: no upstream context; aborting');
      from.abort();
      return;
    }
    /** The pending responses still going back, in order (none: the final one goes at once). */
    let sent: Promise<void> | undefined;
    let responses = 0;
    const pass = (m: DimseMessage): void => {
      responses++;
      const send = (): Promise<void> => from.dimse.send(msg.context, m.command, m.dataset);
      sent = sent ? sent.then(send) : send();
      // Awaited before the final response; until then a failed send must not count as unhandled.
      sent.catch(() => undefined);
    };
    const answer = passage
      ? passage.answer(pass)
      : to.dimse.request(context!, msg.command, dataOf(msg), pass, msg.stored);
    // A request held in memory was handed to the socket in that call: it leaves now, not when the tick ends.
    if (!passage) to.dul.flush();
    // While the peer works, the request's events are written to the log (not synced: AUDIT_DURABILITY=sync's
    // wait before the final response does that), so that this wait writes only the response's own. Events
    // that cannot be written fail that wait (fail-closed): nothing to act on here.
    from.logged();
    const final = await answer;
    // The operation's outcome is recorded before its final response goes back, as a served one is.
    if (sent) await sent;
    record(final, responses + 1);
    // The final response leaves as soon as its events are durable: a response of one PDU is written in the send
    // itself, before the events of its sending are built (the upper layer's `alone`); what a longer one left
    // corked goes now, not when the tick ends.
    const out = from.dimse.send(msg.context, final.command, final.dataset);
    from.dul.flush();
    await out;
  } catch (err) {
    // The paired association ended mid-operation (or this one did, and the abort below changes nothing).
    const why = `${name} ${msg.command.messageId ?? ''} not completed: ${endOf(to.outcome) ?? (err as Error).message}`;
    from.log.warn({ err, command: name }, 'proxy: request not relayed');
    from.abort(why);
  } finally {
    if (msg.stored) await rm(msg.stored.tempPath, { force: true });
  }
}

/** A C-CANCEL-RQ goes on to the paired association (it has no response). */
export function relayCancel(to: Association, msg: DimseMessage): void {
  const context = to.contexts.get(msg.context.id);
  if (!context || !to.isEstablished) return;
  to.dimse.send(context, msg.command).catch((err: unknown) => {
    to.log.warn({ err }, 'proxy: C-CANCEL not relayed');
  });
}

/** Data sets up to this size are read back in one synchronous call (a stream costs several ticks each). */
const READ_WHOLE_MAX = 1024 * 1024;

function dataOf(msg: DimseMessage): Buffer | AsyncIterable<Buffer> | undefined {
  if (msg.stored) {
    const start = msg.stored.fileBytes - msg.stored.datasetBytes;
    if (msg.stored.datasetBytes <= READ_WHOLE_MAX) return readFileSync(msg.stored.tempPath).subarray(start);
    return createReadStream(msg.stored.tempPath, { start, highWaterMark: 256 * 1024 });
  }
  return msg.dataset;
}

/** The response a request gets when the proxy cannot pass it on. */
function failure(msg: DimseMessage, status: number, comment: string): CommandSet | undefined {
  const rspName = commandFieldName(msg.command.commandField | 0x8000);
  if (!rspName) return undefined;
  return buildResponse(msg.command, rspName, status, { errorComment: comment.slice(0, 64) });
}
