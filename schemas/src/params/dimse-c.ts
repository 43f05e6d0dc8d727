// DIMSE-C intervention events (PS3.7 §9): request fields, datasets and the outcome sent; and our
// EVT_C_CANCEL (spec §9.3), which names the cancelled message id.
import { Type } from '@sinclair/typebox';
import { AeTitle, Count, Sha256Hex, Strict, Tag, Uid, Uint8, Uint16 } from '../common.js';
import { DicomJsonDataset } from './dataset.js';
import { OperationContext, outcomeFields, Priority } from './dimse-command.js';

const opt = Type.Optional;

export const CEchoParams = Strict({
  context: OperationContext,
  message_id: Uint16,
  affected_sop_class_uid: Uid,
  ...outcomeFields,
});

export const Stored = Strict({ path: opt(Type.String()), bytes: Count, sha256: opt(Sha256Hex) });

export const CStoreParams = Strict({
  context: OperationContext,
  message_id: Uint16,
  affected_sop_class_uid: Uid,
  affected_sop_instance_uid: Uid,
  priority: Priority,
  move_originator_application_entity_title: opt(AeTitle),
  move_originator_message_id: opt(Uint16),
  dataset: DicomJsonDataset,
  file_meta: opt(DicomJsonDataset),
  ...outcomeFields,
  offending_element: opt(Type.Array(Tag)),
  stored: opt(Stored),
});

const query = {
  context: OperationContext,
  message_id: Uint16,
  affected_sop_class_uid: Uid,
  priority: Priority,
  identifier: DicomJsonDataset,
  ...outcomeFields,
  offending_element: opt(Type.Array(Tag)),
  cancelled: opt(Type.Boolean()),
};

export const CFindParams = Strict(query);

const suboperations = {
  number_of_remaining_suboperations: opt(Uint16),
  number_of_completed_suboperations: opt(Uint16),
  number_of_failed_suboperations: opt(Uint16),
  number_of_warning_suboperations: opt(Uint16),
  /** FailedSOPInstanceUIDList of the final response, if any. */
  failed_sop_instance_uids: opt(Type.Array(Uid)),
};

export const CGetParams = Strict({ ...query, ...suboperations });

export const CMoveParams = Strict({ ...query, move_destination: AeTitle, ...suboperations });

export const CCancelParams = Strict({
  context_id: Uint8,
  message_id_being_responded_to: Uint16,
  /** The service of the operation in progress that the cancel targets; absent when none matched. */
  cancelled_service: opt(Type.Union([Type.Literal('C-FIND'), Type.Literal('C-GET'), Type.Literal('C-MOVE')])),
  matched: Type.Boolean(),
});
