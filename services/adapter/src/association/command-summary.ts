/**
 * A DIMSE message as EVT_DIMSE_RECV / EVT_DIMSE_SENT params (schemas/src/params/dimse-command.ts):
 * the command fields in snake_case, the data set's length and hash, and the data set decoded as DICOM
 * JSON under its PS3.7 name (bulk data elided to length + sha256).
 */
import { createHash } from 'node:crypto';
import type { ParamsOf } from '@dicomtrail/schemas';
import { type DicomJson, datasetToDicomJson } from '../dataset/dicom-json.js';
import { commandFieldName } from '../dimse/command-field.js';
import { type CommandSet, priorityOf } from '../dimse/command-set.js';
import { statusCategory } from '../dimse/status.js';
import type { Producing } from '../events/emitter.js';
import type { StoredFile } from './store-receiver.js';
import type { NegotiatedContext } from './types.js';

/** EVT_DIMSE_RECV/SENT's `message`, its data sets as the producer holds them. */
export type MessageSummary = Producing<ParamsOf<'EVT_DIMSE_RECV'>>['message'];
type Command = MessageSummary['command'];
type MessageDatasetName =
  | 'dataset'
  | 'identifier'
  | 'attribute_list'
  | 'modification_list'
  | 'action_information'
  | 'action_reply'
  | 'event_information'
  | 'event_reply';

const DATASET_NAME: Record<string, MessageDatasetName> = {
  'C-STORE-RQ': 'dataset',
  'C-FIND-RQ': 'identifier',
  'C-FIND-RSP': 'identifier',
  'C-GET-RQ': 'identifier',
  'C-GET-RSP': 'identifier',
  'C-MOVE-RQ': 'identifier',
  'C-MOVE-RSP': 'identifier',
  'N-GET-RSP': 'attribute_list',
  'N-SET-RQ': 'modification_list',
  'N-SET-RSP': 'attribute_list',
  'N-CREATE-RQ': 'attribute_list',
  'N-CREATE-RSP': 'attribute_list',
  'N-ACTION-RQ': 'action_information',
  'N-ACTION-RSP': 'action_reply',
  'N-EVENT-REPORT-RQ': 'event_information',
  'N-EVENT-REPORT-RSP': 'event_reply',
};

export function commandFields(cs: CommandSet): Command {
  const f: Command = {};
  const put = <K extends keyof Command>(k: K, v: Command[K]): void => {
    if (v !== undefined) f[k] = v;
  };
  put('message_id', cs.messageId);
  put('message_id_being_responded_to', cs.messageIdBeingRespondedTo);
  put('affected_sop_class_uid', cs.affectedSopClassUid);
  put('affected_sop_instance_uid', cs.affectedSopInstanceUid);
  put('requested_sop_class_uid', cs.requestedSopClassUid);
  put('requested_sop_instance_uid', cs.requestedSopInstanceUid);
  put('priority', cs.priority === undefined ? undefined : priorityOf(cs));
  put('move_destination', cs.moveDestination);
  put('move_originator_application_entity_title', cs.moveOriginatorApplicationEntityTitle);
  put('move_originator_message_id', cs.moveOriginatorMessageId);
  if (cs.status !== undefined) {
    f['status'] = cs.status;
    f['status_category'] = statusCategory(cs.status);
  }
  put('error_comment', cs.errorComment);
  put('error_id', cs.errorId);
  put('offending_element', cs.offendingElement?.map(tagHex));
  put('event_type_id', cs.eventTypeId);
  put('action_type_id', cs.actionTypeId);
  put('attribute_identifier_list', cs.attributeIdentifierList?.map(tagHex));
  put('number_of_remaining_suboperations', cs.numberOfRemainingSuboperations);
  put('number_of_completed_suboperations', cs.numberOfCompletedSuboperations);
  put('number_of_failed_suboperations', cs.numberOfFailedSuboperations);
  put('number_of_warning_suboperations', cs.numberOfWarningSuboperations);
  return f;
}

export function tagHex(tag: number): string {
  return tag.toString(16).toUpperCase().padStart(8, '0');
}

/** Decodes a data set for an event; a data set that does not parse is reported, not thrown. */
export function decodeForEvent(
  bytes: Buffer,
  transferSyntaxUid: string,
  bulkDataThreshold: number,
): DicomJson | undefined {
  try {
    return datasetToDicomJson(bytes, { transferSyntaxUid, bulkDataThreshold });
  } catch {
    return undefined;
  }
}

/** What an event says of a data set not held in memory: its length, sha256 and header. */
export type DatasetDigest = Pick<StoredFile, 'datasetBytes' | 'sha256' | 'header'>;

export function describeCommand(
  context: NegotiatedContext,
  cs: CommandSet,
  dataset: Buffer | undefined,
  stored: DatasetDigest | undefined,
  bulkDataThreshold: number,
): MessageSummary {
  const type = commandFieldName(cs.commandField) ?? 'C-ECHO-RQ';
  const m: MessageSummary = {
    message_type: type,
    context_id: context.id,
    command: commandFields(cs),
  };
  if (dataset) {
    m.data_set = { length: dataset.length, sha256: createHash('sha256').update(dataset).digest('hex') };
    const name = DATASET_NAME[type];
    const json = name ? decodeForEvent(dataset, context.transferSyntax, bulkDataThreshold) : undefined;
    if (name && json) m[name] = json;
  } else if (stored) {
    m.data_set = { length: stored.datasetBytes, sha256: stored.sha256 };
    if (stored.header) m.dataset = stored.header;
  }
  return m;
}
