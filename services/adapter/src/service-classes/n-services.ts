/**
 * DIMSE-N services as SCP (PS3.7 §10): N-EVENT-REPORT, N-GET, N-SET, N-ACTION, N-CREATE, N-DELETE,
 * with pynetdicom's contract (spec §3): the bound intervention handler (EVT_N_xxx) gets the request
 * and its data set as DICOM JSON, and returns `[status, replyDataset | null]` (N-DELETE may return a
 * bare status). The reply is sent only for success and warning statuses. No handler bound, a handler
 * exception or a reply that does not encode → 0x0110 (Processing failure), as pynetdicom.
 * N-CREATE without an Affected SOP Instance UID in the request: a successful reply must carry it as
 * (0000,1000) in the returned data set; it moves into the response command (else 0x0110).
 */
import type { EventType, ParamsOf } from '@dicomtrail/schemas';
import type { Association } from '../association/association.js';
import { tagHex } from '../association/command-summary.js';
import type { DimseMessage } from '../association/dimse-service.js';
import { type DicomJson, datasetToDicomJson } from '../dataset/dicom-json.js';
import { encodeDataset } from '../dataset/encode-dataset.js';
import type { CommandFieldName } from '../dimse/command-field.js';
import { buildResponse, type CommandSet } from '../dimse/command-set.js';
import { statusCategory } from '../dimse/status.js';
import { assembledParams, type ParamFieldsOf } from '../events/emitter.js';
import { errorFields } from '../events/log-fields.js';
import { type HandlerResult, type ServiceRequest, toRequest } from './service-request.js';

export type NService = 'N-EVENT-REPORT' | 'N-GET' | 'N-SET' | 'N-ACTION' | 'N-CREATE' | 'N-DELETE';

/**
 * The request part of an EVT_N_xxx event's params: context, message id, the affected (N-EVENT-REPORT,
 * N-CREATE) or requested SOP class and instance, type ids, the attribute list and the request data set.
 * `assignedInstance`: the SOP Instance UID an N-CREATE's response assigned.
 */
export function nRequestParams(
  service: NService,
  msg: DimseMessage,
  dataset: DicomJson | undefined,
  assignedInstance?: string,
): NParamFields {
  const rq = msg.command;
  const p: NParamFields = {
    context: {
      id: msg.context.id,
      abstract_syntax: msg.context.abstractSyntax,
      transfer_syntax: msg.context.transferSyntax,
    },
    message_id: rq.messageId ?? 0,
  };
  if (service === 'N-EVENT-REPORT' || service === 'N-CREATE') {
    p.affected_sop_class_uid = rq.affectedSopClassUid ?? msg.context.abstractSyntax;
    const inst = rq.affectedSopInstanceUid ?? assignedInstance;
    if (inst !== undefined) p.affected_sop_instance_uid = inst;
    else if (service === 'N-EVENT-REPORT') p.affected_sop_instance_uid = '';
  } else {
    p.requested_sop_class_uid = rq.requestedSopClassUid ?? msg.context.abstractSyntax;
    p.requested_sop_instance_uid = rq.requestedSopInstanceUid ?? '';
  }
  if (service === 'N-EVENT-REPORT' && rq.eventTypeId !== undefined) p.event_type_id = rq.eventTypeId;
  if (service === 'N-ACTION' && rq.actionTypeId !== undefined) p.action_type_id = rq.actionTypeId;
  if (service === 'N-GET') p.attribute_identifier_list = (rq.attributeIdentifierList ?? []).map(tagHex);
  const dsName = REQUEST_DATASET[service];
  if (dsName && dataset) p[dsName] = dataset;
  if (service === 'N-SET' && !dataset) p.modification_list = {};
  return p;
}

/** What an N-service handler receives: the request plus its data set (if any) as DICOM JSON. */
export interface NServiceRequest extends ServiceRequest {
  /** Event Information, Modification List, Action Information or Attribute List of the request. */
  datasetJson?: DicomJson;
}

export type NServiceResult = readonly [status: number, reply?: DicomJson | null] | HandlerResult;
export type NServiceHandler = (req: NServiceRequest) => NServiceResult | Promise<NServiceResult>;

const EVENT = {
  'N-EVENT-REPORT': 'EVT_N_EVENT_REPORT',
  'N-GET': 'EVT_N_GET',
  'N-SET': 'EVT_N_SET',
  'N-ACTION': 'EVT_N_ACTION',
  'N-CREATE': 'EVT_N_CREATE',
  'N-DELETE': 'EVT_N_DELETE',
} as const satisfies Record<NService, EventType>;

export type NEventType = (typeof EVENT)[NService];

/** The fields of EVT_N_xxx params; which are required depends on the service. */
export type NParamFields = ParamFieldsOf<NEventType> & {
  context: ParamsOf<'EVT_N_GET'>['context'];
  message_id: number;
};

/** The request data set's name in the event params. */
const REQUEST_DATASET: Partial<
  Record<NService, 'event_information' | 'modification_list' | 'action_information' | 'attribute_list'>
> = {
  'N-EVENT-REPORT': 'event_information',
  'N-SET': 'modification_list',
  'N-ACTION': 'action_information',
  'N-CREATE': 'attribute_list',
};

const EVENT_BULK_THRESHOLD = 1024;
const PROCESSING_FAILURE = 0x0110;

function decode(msg: DimseMessage, threshold: number): DicomJson | undefined {
  if (!msg.dataset) return undefined;
  try {
    return datasetToDicomJson(msg.dataset, {
      transferSyntaxUid: msg.context.transferSyntax,
      bulkDataThreshold: threshold,
    });
  } catch {
    return undefined;
  }
}

function normalise(r: NServiceResult): { status: number; reply?: DicomJson; errorComment?: string } {
  if (Array.isArray(r)) {
    const [status, reply] = r as readonly [number, DicomJson | null | undefined];
    if (typeof status !== 'number') throw new TypeError('N-service handler returned no status');
    return { status, ...(reply ? { reply } : {}) };
  }
  if (typeof r === 'number') return { status: r };
  const o = r as { status: number; errorComment?: string };
  if (typeof o?.status !== 'number') throw new TypeError('N-service handler returned no status');
  return { status: o.status, ...(o.errorComment ? { errorComment: o.errorComment } : {}) };
}

export function serveNService(service: NService): (assoc: Association, msg: DimseMessage) => Promise<void> {
  return async (assoc, msg) => {
    const rq = msg.command;
    const datasetJson = decode(msg, Number.MAX_SAFE_INTEGER);
    const handler = assoc.handlers.interventionHandler(EVENT[service]) as NServiceHandler | undefined;
    let status = PROCESSING_FAILURE;
    let errorComment: string | undefined;
    let reply: DicomJson | undefined;
    let replyBytes: Buffer | undefined;
    const extra: Partial<CommandSet> = {};
    if (msg.dataset && datasetJson === undefined) {
      errorComment = 'request data set does not decode';
    } else if (!handler) {
      errorComment = `no ${service} handler`;
    } else {
      const req: NServiceRequest = { ...toRequest(assoc, msg), ...(datasetJson ? { datasetJson } : {}) };
      try {
        const r = normalise(await handler(req));
        status = r.status;
        errorComment = r.errorComment;
        reply = r.reply;
      } catch (err) {
        assoc.log.error(errorFields(err), `${service} handler failed`);
        status = PROCESSING_FAILURE;
        errorComment = String((err as Error)?.message ?? err).slice(0, 64);
      }
      const category = statusCategory(status);
      if (category !== 'success' && category !== 'warning') reply = undefined;
      if (service === 'N-DELETE') reply = undefined;
      if (service === 'N-CREATE' && rq.affectedSopInstanceUid === undefined && category === 'success') {
        const assigned = reply?.['00001000']?.Value?.[0];
        if (typeof assigned === 'string' && assigned.length > 0) {
          extra.affectedSopInstanceUid = assigned;
          const { '00001000': _, ...rest } = reply!;
          reply = rest;
        } else {
          status = PROCESSING_FAILURE;
          errorComment = 'N-CREATE reply without an Affected SOP Instance UID';
          reply = undefined;
        }
      }
      if (reply) {
        try {
          replyBytes = encodeDataset(reply, msg.context.transferSyntax);
        } catch (err) {
          assoc.log.error({ err }, `${service} reply does not encode`);
          status = PROCESSING_FAILURE;
          errorComment = 'reply data set does not encode';
          reply = undefined;
        }
      }
    }
    if (errorComment) extra.errorComment = errorComment.slice(0, 64);
    if (service === 'N-ACTION' && rq.actionTypeId !== undefined) extra.actionTypeId = rq.actionTypeId;
    if (service === 'N-EVENT-REPORT' && rq.eventTypeId !== undefined) extra.eventTypeId = rq.eventTypeId;
    if (!assoc.isEstablished) return;
    const sentReply = replyBytes
      ? datasetToDicomJson(replyBytes, {
          transferSyntaxUid: msg.context.transferSyntax,
          bulkDataThreshold: EVENT_BULK_THRESHOLD,
        })
      : undefined;
    const eventDataset = decode(msg, EVENT_BULK_THRESHOLD);
    assoc.emit(
      EVENT[service],
      () => {
        const p = nRequestParams(service, msg, eventDataset, extra.affectedSopInstanceUid);
        p.status = status;
        p.status_category = statusCategory(status);
        if (extra.errorComment) p.error_comment = extra.errorComment;
        p.responses = 1;
        if (sentReply) p.reply = sentReply;
        return assembledParams<NEventType>(p);
      },
      rq.messageId,
    );
    const rspName = `${service}-RSP` as CommandFieldName;
    await assoc.dimse.send(
      msg.context,
      buildResponse(rq, rspName, status, extra, replyBytes !== undefined),
      replyBytes,
    );
  };
}
