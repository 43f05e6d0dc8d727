/** N-EVENT-REPORT, PS3.7 §10.1.1 and §10.3.1 (Tables 10.3-1, 10.3-2). Event information / reply are optional data sets. */

import { COMMAND_FIELDS } from './command-field.js';
import {
  buildResponse,
  type CommandSet,
  DATASET_PRESENT,
  expectCommand,
  NO_DATASET,
  type With,
} from './command-set.js';

export function buildNEventReportRq(p: {
  messageId: number;
  affectedSopClassUid: string;
  affectedSopInstanceUid: string;
  eventTypeId: number;
  withDataset?: boolean;
}): CommandSet {
  return {
    commandField: COMMAND_FIELDS['N-EVENT-REPORT-RQ'],
    affectedSopClassUid: p.affectedSopClassUid,
    messageId: p.messageId,
    commandDataSetType: p.withDataset === false ? NO_DATASET : DATASET_PRESENT,
    affectedSopInstanceUid: p.affectedSopInstanceUid,
    eventTypeId: p.eventTypeId,
  };
}

export function buildNEventReportRsp(
  rq: CommandSet,
  status: number,
  extra: Partial<CommandSet> = {},
  withDataset = false,
): CommandSet {
  const eventTypeId = rq.eventTypeId === undefined ? {} : { eventTypeId: rq.eventTypeId };
  return buildResponse(rq, 'N-EVENT-REPORT-RSP', status, { ...eventTypeId, ...extra }, withDataset);
}

export function parseNEventReportRq(
  cs: CommandSet,
): With<'messageId' | 'affectedSopClassUid' | 'affectedSopInstanceUid' | 'eventTypeId'> {
  return expectCommand(cs, 'N-EVENT-REPORT-RQ', [
    'messageId',
    'affectedSopClassUid',
    'affectedSopInstanceUid',
    'eventTypeId',
  ]);
}

export function parseNEventReportRsp(cs: CommandSet): With<'messageIdBeingRespondedTo' | 'status'> {
  return expectCommand(cs, 'N-EVENT-REPORT-RSP', ['messageIdBeingRespondedTo', 'status']);
}
