// DIMSE-N intervention events (PS3.7 §10): request fields, datasets, and the outcome sent,
// including the reply data set (event_reply, attribute_list, action_reply) as `reply`.
import { Type } from '@sinclair/typebox';
import { Strict, Tag, Uid, Uint16 } from '../common.js';
import { DicomJsonDataset } from './dataset.js';
import { OperationContext, outcomeFields } from './dimse-command.js';

const opt = Type.Optional;

const nOutcome = {
  ...outcomeFields,
  error_id: opt(Uint16),
  /** The reply data set of the response (Event Reply, Attribute List or Action Reply). */
  reply: opt(DicomJsonDataset),
};

const requested = {
  context: OperationContext,
  message_id: Uint16,
  requested_sop_class_uid: Uid,
  requested_sop_instance_uid: Uid,
};

export const NEventReportParams = Strict({
  context: OperationContext,
  message_id: Uint16,
  affected_sop_class_uid: Uid,
  affected_sop_instance_uid: Uid,
  event_type_id: opt(Uint16),
  event_information: opt(DicomJsonDataset),
  ...nOutcome,
});

export const NGetParams = Strict({
  ...requested,
  attribute_identifier_list: Type.Array(Tag),
  ...nOutcome,
});

export const NSetParams = Strict({ ...requested, modification_list: DicomJsonDataset, ...nOutcome });

export const NActionParams = Strict({
  ...requested,
  action_type_id: opt(Uint16),
  action_information: opt(DicomJsonDataset),
  ...nOutcome,
});

export const NCreateParams = Strict({
  context: OperationContext,
  message_id: Uint16,
  affected_sop_class_uid: Uid,
  /** From the request, or assigned by the SCP in the response. */
  affected_sop_instance_uid: opt(Uid),
  attribute_list: opt(DicomJsonDataset),
  ...nOutcome,
});

export const NDeleteParams = Strict({ ...requested, ...nOutcome });
