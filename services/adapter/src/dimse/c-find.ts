/** C-FIND, PS3.7 §9.1.2, 9.3.2 (Tables 9.3-3, 9.3-4). The request's data set is the identifier; each pending response carries a matching identifier. */

import { COMMAND_FIELDS } from './command-field.js';
import {
  buildResponse,
  type CommandSet,
  DATASET_PRESENT,
  expectCommand,
  Priority,
  type With,
} from './command-set.js';

export function buildCFindRq(p: {
  messageId: number;
  affectedSopClassUid: string;
  priority?: number;
}): CommandSet {
  return {
    commandField: COMMAND_FIELDS['C-FIND-RQ'],
    affectedSopClassUid: p.affectedSopClassUid,
    messageId: p.messageId,
    priority: p.priority ?? Priority.Medium,
    commandDataSetType: DATASET_PRESENT,
  };
}

/** Pending (0xFF00/0xFF01) responses carry an identifier; final ones do not unless `withDataset`. */
export function buildCFindRsp(
  rq: CommandSet,
  status: number,
  extra: Partial<CommandSet> = {},
  withDataset = status === 0xff00 || status === 0xff01,
): CommandSet {
  return buildResponse(rq, 'C-FIND-RSP', status, extra, withDataset);
}

export function parseCFindRq(cs: CommandSet): With<'messageId' | 'affectedSopClassUid' | 'priority'> {
  return expectCommand(cs, 'C-FIND-RQ', ['messageId', 'affectedSopClassUid', 'priority']);
}

export function parseCFindRsp(cs: CommandSet): With<'messageIdBeingRespondedTo' | 'status'> {
  return expectCommand(cs, 'C-FIND-RSP', ['messageIdBeingRespondedTo', 'status']);
}
