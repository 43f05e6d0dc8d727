/** N-CREATE, PS3.7 §10.1.5 and §10.3.5 (Tables 10.3-9, 10.3-10). The instance UID may be assigned by the SCP. */

import { COMMAND_FIELDS } from './command-field.js';
import {
  buildResponse,
  type CommandSet,
  DATASET_PRESENT,
  expectCommand,
  NO_DATASET,
  type With,
} from './command-set.js';

export function buildNCreateRq(p: {
  messageId: number;
  affectedSopClassUid: string;
  affectedSopInstanceUid?: string;
  withDataset?: boolean;
}): CommandSet {
  const cs: CommandSet = {
    commandField: COMMAND_FIELDS['N-CREATE-RQ'],
    affectedSopClassUid: p.affectedSopClassUid,
    messageId: p.messageId,
    commandDataSetType: p.withDataset === false ? NO_DATASET : DATASET_PRESENT,
  };
  if (p.affectedSopInstanceUid !== undefined) cs.affectedSopInstanceUid = p.affectedSopInstanceUid;
  return cs;
}

/** Pass `extra.affectedSopInstanceUid` when the SCP assigned the UID. */
export function buildNCreateRsp(
  rq: CommandSet,
  status: number,
  extra: Partial<CommandSet> = {},
  withDataset = false,
): CommandSet {
  return buildResponse(rq, 'N-CREATE-RSP', status, extra, withDataset);
}

export function parseNCreateRq(cs: CommandSet): With<'messageId' | 'affectedSopClassUid'> {
  return expectCommand(cs, 'N-CREATE-RQ', ['messageId', 'affectedSopClassUid']);
}

export function parseNCreateRsp(cs: CommandSet): With<'messageIdBeingRespondedTo' | 'status'> {
  return expectCommand(cs, 'N-CREATE-RSP', ['messageIdBeingRespondedTo', 'status']);
}
