/** N-GET, PS3.7 §10.1.2 and §10.3.2 (Tables 10.3-3, 10.3-4). The response's data set is the attribute list. */

import { COMMAND_FIELDS } from './command-field.js';
import { buildResponse, type CommandSet, expectCommand, NO_DATASET, type With } from './command-set.js';

export function buildNGetRq(p: {
  messageId: number;
  requestedSopClassUid: string;
  requestedSopInstanceUid: string;
  /** Tags as 0xggggeeee; omitted = all attributes. */
  attributeIdentifierList?: number[];
}): CommandSet {
  const cs: CommandSet = {
    commandField: COMMAND_FIELDS['N-GET-RQ'],
    requestedSopClassUid: p.requestedSopClassUid,
    messageId: p.messageId,
    commandDataSetType: NO_DATASET,
    requestedSopInstanceUid: p.requestedSopInstanceUid,
  };
  if (p.attributeIdentifierList !== undefined) cs.attributeIdentifierList = p.attributeIdentifierList;
  return cs;
}

export function buildNGetRsp(
  rq: CommandSet,
  status: number,
  extra: Partial<CommandSet> = {},
  withDataset = status === 0x0000,
): CommandSet {
  return buildResponse(rq, 'N-GET-RSP', status, extra, withDataset);
}

export function parseNGetRq(
  cs: CommandSet,
): With<'messageId' | 'requestedSopClassUid' | 'requestedSopInstanceUid'> {
  return expectCommand(cs, 'N-GET-RQ', ['messageId', 'requestedSopClassUid', 'requestedSopInstanceUid']);
}

export function parseNGetRsp(cs: CommandSet): With<'messageIdBeingRespondedTo' | 'status'> {
  return expectCommand(cs, 'N-GET-RSP', ['messageIdBeingRespondedTo', 'status']);
}
