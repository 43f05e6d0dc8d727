/** N-ACTION, PS3.7 §10.1.4 and §10.3.4 (Tables 10.3-7, 10.3-8). Action information / reply are optional data sets. */

import { COMMAND_FIELDS } from './command-field.js';
import {
  buildResponse,
  type CommandSet,
  DATASET_PRESENT,
  expectCommand,
  NO_DATASET,
  type With,
} from './command-set.js';

export function buildNActionRq(p: {
  messageId: number;
  requestedSopClassUid: string;
  requestedSopInstanceUid: string;
  actionTypeId: number;
  withDataset?: boolean;
}): CommandSet {
  return {
    commandField: COMMAND_FIELDS['N-ACTION-RQ'],
    requestedSopClassUid: p.requestedSopClassUid,
    messageId: p.messageId,
    commandDataSetType: p.withDataset === false ? NO_DATASET : DATASET_PRESENT,
    requestedSopInstanceUid: p.requestedSopInstanceUid,
    actionTypeId: p.actionTypeId,
  };
}

export function buildNActionRsp(
  rq: CommandSet,
  status: number,
  extra: Partial<CommandSet> = {},
  withDataset = false,
): CommandSet {
  const actionTypeId = rq.actionTypeId === undefined ? {} : { actionTypeId: rq.actionTypeId };
  return buildResponse(rq, 'N-ACTION-RSP', status, { ...actionTypeId, ...extra }, withDataset);
}

export function parseNActionRq(
  cs: CommandSet,
): With<'messageId' | 'requestedSopClassUid' | 'requestedSopInstanceUid' | 'actionTypeId'> {
  return expectCommand(cs, 'N-ACTION-RQ', [
    'messageId',
    'requestedSopClassUid',
    'requestedSopInstanceUid',
    'actionTypeId',
  ]);
}

export function parseNActionRsp(cs: CommandSet): With<'messageIdBeingRespondedTo' | 'status'> {
  return expectCommand(cs, 'N-ACTION-RSP', ['messageIdBeingRespondedTo', 'status']);
}
