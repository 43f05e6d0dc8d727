/** N-DELETE, PS3.7 §10.1.6 and §10.3.6 (Tables 10.3-11, 10.3-12). No data set either way. */

import { COMMAND_FIELDS } from './command-field.js';
import { buildResponse, type CommandSet, expectCommand, NO_DATASET, type With } from './command-set.js';

export function buildNDeleteRq(p: {
  messageId: number;
  requestedSopClassUid: string;
  requestedSopInstanceUid: string;
}): CommandSet {
  return {
    commandField: COMMAND_FIELDS['N-DELETE-RQ'],
    requestedSopClassUid: p.requestedSopClassUid,
    messageId: p.messageId,
    commandDataSetType: NO_DATASET,
    requestedSopInstanceUid: p.requestedSopInstanceUid,
  };
}

export function buildNDeleteRsp(rq: CommandSet, status: number, extra: Partial<CommandSet> = {}): CommandSet {
  return buildResponse(rq, 'N-DELETE-RSP', status, extra);
}

export function parseNDeleteRq(
  cs: CommandSet,
): With<'messageId' | 'requestedSopClassUid' | 'requestedSopInstanceUid'> {
  return expectCommand(cs, 'N-DELETE-RQ', ['messageId', 'requestedSopClassUid', 'requestedSopInstanceUid']);
}

export function parseNDeleteRsp(cs: CommandSet): With<'messageIdBeingRespondedTo' | 'status'> {
  return expectCommand(cs, 'N-DELETE-RSP', ['messageIdBeingRespondedTo', 'status']);
}
