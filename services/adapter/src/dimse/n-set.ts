/** N-SET, PS3.7 §10.1.3 and §10.3.3 (Tables 10.3-5, 10.3-6). The request's data set is the modification list. */

import { COMMAND_FIELDS } from './command-field.js';
import { buildResponse, type CommandSet, DATASET_PRESENT, expectCommand, type With } from './command-set.js';

export function buildNSetRq(p: {
  messageId: number;
  requestedSopClassUid: string;
  requestedSopInstanceUid: string;
}): CommandSet {
  return {
    commandField: COMMAND_FIELDS['N-SET-RQ'],
    requestedSopClassUid: p.requestedSopClassUid,
    messageId: p.messageId,
    commandDataSetType: DATASET_PRESENT,
    requestedSopInstanceUid: p.requestedSopInstanceUid,
  };
}

export function buildNSetRsp(
  rq: CommandSet,
  status: number,
  extra: Partial<CommandSet> = {},
  withDataset = false,
): CommandSet {
  return buildResponse(rq, 'N-SET-RSP', status, extra, withDataset);
}

export function parseNSetRq(
  cs: CommandSet,
): With<'messageId' | 'requestedSopClassUid' | 'requestedSopInstanceUid'> {
  return expectCommand(cs, 'N-SET-RQ', ['messageId', 'requestedSopClassUid', 'requestedSopInstanceUid']);
}

export function parseNSetRsp(cs: CommandSet): With<'messageIdBeingRespondedTo' | 'status'> {
  return expectCommand(cs, 'N-SET-RSP', ['messageIdBeingRespondedTo', 'status']);
}
