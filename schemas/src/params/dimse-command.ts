// DIMSE command set fields (PS3.7 §9.3, §10.3, Annex E), snake_case of the DICOM keywords, and the
// decoded message of EVT_DIMSE_RECV/SENT. Datasets are DICOM JSON under their PS3.7 names.
import { Type } from '@sinclair/typebox';
import { AeTitle, Count, Sha256Hex, Strict, Tag, Uid, Uint8, Uint16 } from '../common.js';
import { DicomJsonDataset } from './dataset.js';
import { Status, StatusCategory } from './dimse-status.js';

/** 0 medium, 1 high, 2 low (PS3.7 C.4.1.1.3). */
export const Priority = Type.Union([Type.Literal(0), Type.Literal(1), Type.Literal(2)]);

/** A presentation context as used by a DIMSE operation (pynetdicom `event.context`). */
export const OperationContext = Strict(
  { id: Uint8, abstract_syntax: Uid, transfer_syntax: Uid },
  { $id: 'OperationContext' },
);

const opt = Type.Optional;

export const commandFields = {
  message_id: opt(Uint16),
  message_id_being_responded_to: opt(Uint16),
  affected_sop_class_uid: opt(Uid),
  affected_sop_instance_uid: opt(Uid),
  requested_sop_class_uid: opt(Uid),
  requested_sop_instance_uid: opt(Uid),
  priority: opt(Priority),
  move_destination: opt(AeTitle),
  move_originator_application_entity_title: opt(AeTitle),
  move_originator_message_id: opt(Uint16),
  status: opt(Status),
  status_category: opt(StatusCategory),
  error_comment: opt(Type.String()),
  error_id: opt(Uint16),
  offending_element: opt(Type.Array(Tag)),
  event_type_id: opt(Uint16),
  action_type_id: opt(Uint16),
  attribute_identifier_list: opt(Type.Array(Tag)),
  number_of_remaining_suboperations: opt(Uint16),
  number_of_completed_suboperations: opt(Uint16),
  number_of_failed_suboperations: opt(Uint16),
  number_of_warning_suboperations: opt(Uint16),
};

export const Command = Strict(commandFields);

export const datasetFields = {
  dataset: opt(DicomJsonDataset),
  identifier: opt(DicomJsonDataset),
  attribute_list: opt(DicomJsonDataset),
  modification_list: opt(DicomJsonDataset),
  action_information: opt(DicomJsonDataset),
  action_reply: opt(DicomJsonDataset),
  event_information: opt(DicomJsonDataset),
  event_reply: opt(DicomJsonDataset),
};

export const MESSAGE_TYPES = [
  'C-STORE-RQ',
  'C-STORE-RSP',
  'C-FIND-RQ',
  'C-FIND-RSP',
  'C-GET-RQ',
  'C-GET-RSP',
  'C-MOVE-RQ',
  'C-MOVE-RSP',
  'C-ECHO-RQ',
  'C-ECHO-RSP',
  'C-CANCEL-RQ',
  'N-EVENT-REPORT-RQ',
  'N-EVENT-REPORT-RSP',
  'N-GET-RQ',
  'N-GET-RSP',
  'N-SET-RQ',
  'N-SET-RSP',
  'N-ACTION-RQ',
  'N-ACTION-RSP',
  'N-CREATE-RQ',
  'N-CREATE-RSP',
  'N-DELETE-RQ',
  'N-DELETE-RSP',
] as const;

export const DimseMessage = Strict(
  {
    message_type: Type.Union(MESSAGE_TYPES.map((t) => Type.Literal(t))),
    context_id: Uint8,
    command: Command,
    /** The encoded data set: its length and hash; decoded below under its PS3.7 name when enabled. */
    data_set: opt(Strict({ length: Count, sha256: opt(Sha256Hex) })),
    ...datasetFields,
  },
  { $id: 'DimseMessage' },
);

export const DimseMessageParams = Strict({ message: DimseMessage });

/** The outcome every DIMSE intervention carries: the (final) response the adapter sent. */
export const outcomeFields = {
  status: Status,
  status_category: StatusCategory,
  error_comment: opt(Type.String()),
  /** Number of responses sent, pending ones included. */
  responses: opt(Count),
};
