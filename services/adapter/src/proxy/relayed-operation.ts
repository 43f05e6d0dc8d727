/**
 * The intervention event of an operation the audit proxy relayed (EVT_C_STORE, EVT_C_FIND, ..., EVT_N_SET):
 * emitted on the association that received the request, once the final response came back from the other
 * side, with the same params an SCP's handler would report (schemas/ params of the event type) and the outcome
 * the peer gave (status, error comment, responses, sub-operation counts, reply). The relay is the proxy's
 * handler, so the audit trail's projections, views and traces read a relayed operation as they read a served
 * one. Pure: messages in, `{ type, params }` out; a data set that does not decode is recorded as `{}`.
 */
import type { EventType } from '@dicomtrail/schemas';
import type { DimseMessage } from '../association/dimse-service.js';
import { type DicomJson, datasetToDicomJson } from '../dataset/dicom-json.js';
import { commandFieldName } from '../dimse/command-field.js';
import { priorityOf } from '../dimse/command-set.js';
import { statusCategory } from '../dimse/status.js';
import { assembledParams, type EmitParams, type ParamFieldsOf } from '../events/emitter.js';
import { type NService, nRequestParams } from '../service-classes/n-services.js';

const EVENT = {
  'C-ECHO-RQ': 'EVT_C_ECHO',
  'C-STORE-RQ': 'EVT_C_STORE',
  'C-FIND-RQ': 'EVT_C_FIND',
  'C-GET-RQ': 'EVT_C_GET',
  'C-MOVE-RQ': 'EVT_C_MOVE',
  'N-EVENT-REPORT-RQ': 'EVT_N_EVENT_REPORT',
  'N-GET-RQ': 'EVT_N_GET',
  'N-SET-RQ': 'EVT_N_SET',
  'N-ACTION-RQ': 'EVT_N_ACTION',
  'N-CREATE-RQ': 'EVT_N_CREATE',
  'N-DELETE-RQ': 'EVT_N_DELETE',
} as const satisfies Record<string, EventType>;

export type RelayedEventType = (typeof EVENT)[keyof typeof EVENT];

export interface RelayedOperation {
  type: RelayedEventType;
  params: EmitParams<RelayedEventType>;
}

/** The event type of a relayed request; undefined for what has no intervention event (C-CANCEL). */
export function relayedEventType(request: DimseMessage): RelayedEventType | undefined {
  return EVENT[(commandFieldName(request.command.commandField) ?? '') as keyof typeof EVENT];
}

export function relayedOperation(
  request: DimseMessage,
  final: DimseMessage,
  responses: number,
  bulkDataThreshold: number,
): RelayedOperation | undefined {
  const name = commandFieldName(request.command.commandField) ?? '';
  const type: RelayedEventType | undefined = EVENT[name as keyof typeof EVENT];
  if (!type) return undefined;
  const rq = request.command;
  const rsp = final.command;
  const ctx = request.context;
  const decode = (bytes: Buffer | undefined): DicomJson | undefined => {
    if (!bytes) return undefined;
    try {
      return datasetToDicomJson(bytes, { transferSyntaxUid: ctx.transferSyntax, bulkDataThreshold });
    } catch {
      return {};
    }
  };
  const status = rsp.status ?? 0;
  const p: ParamFieldsOf<RelayedEventType> = {
    context: { id: ctx.id, abstract_syntax: ctx.abstractSyntax, transfer_syntax: ctx.transferSyntax },
    message_id: rq.messageId ?? 0,
  };
  const outcome = {
    status,
    status_category: statusCategory(status),
    ...(rsp.errorComment ? { error_comment: rsp.errorComment } : {}),
    responses,
  };
  if (name.startsWith('C-')) p.affected_sop_class_uid = rq.affectedSopClassUid ?? ctx.abstractSyntax;
  switch (name) {
    case 'C-ECHO-RQ':
      return { type, params: assembledParams<RelayedEventType>({ ...p, ...outcome }) };
    case 'C-STORE-RQ':
      return {
        type,
        params: assembledParams<RelayedEventType>({
          ...p,
          affected_sop_instance_uid: rq.affectedSopInstanceUid ?? '',
          priority: priorityOf(rq),
          ...(rq.moveOriginatorApplicationEntityTitle
            ? { move_originator_application_entity_title: rq.moveOriginatorApplicationEntityTitle }
            : {}),
          ...(rq.moveOriginatorMessageId !== undefined
            ? { move_originator_message_id: rq.moveOriginatorMessageId }
            : {}),
          dataset: request.stored?.header ?? request.digest?.header ?? decode(request.dataset) ?? {},
          ...outcome,
        }),
      };
    case 'C-FIND-RQ':
    case 'C-GET-RQ':
    case 'C-MOVE-RQ': {
      const params: ParamFieldsOf<RelayedEventType> = {
        ...p,
        priority: priorityOf(rq),
        identifier: decode(request.dataset) ?? {},
        ...(name === 'C-MOVE-RQ' ? { move_destination: rq.moveDestination ?? '' } : {}),
        ...outcome,
        cancelled: status === 0xfe00,
      };
      if (name !== 'C-FIND-RQ') {
        const counts: [
          (
            | 'number_of_remaining_suboperations'
            | 'number_of_completed_suboperations'
            | 'number_of_failed_suboperations'
            | 'number_of_warning_suboperations'
          ),
          number | undefined,
        ][] = [
          ['number_of_remaining_suboperations', rsp.numberOfRemainingSuboperations],
          ['number_of_completed_suboperations', rsp.numberOfCompletedSuboperations],
          ['number_of_failed_suboperations', rsp.numberOfFailedSuboperations],
          ['number_of_warning_suboperations', rsp.numberOfWarningSuboperations],
        ];
        for (const [k, v] of counts) if (v !== undefined) params[k] = v;
        const failed = decode(final.dataset)?.['00080058']?.Value;
        if (failed && failed.length > 0) params.failed_sop_instance_uids = failed.map(String);
      }
      return { type, params: assembledParams<RelayedEventType>(params) };
    }
    default: {
      // DIMSE-N
      const service = name.replace(/-RQ$/, '') as NService;
      Object.assign(p, nRequestParams(service, request, decode(request.dataset), rsp.affectedSopInstanceUid));
      const reply = decode(final.dataset);
      return {
        type,
        params: assembledParams<RelayedEventType>({
          ...p,
          ...outcome,
          ...(rsp.errorId !== undefined ? { error_id: rsp.errorId } : {}),
          ...(reply ? { reply } : {}),
        }),
      };
    }
  }
}
