/** C-MOVE, PS3.7 §9.1.4, 9.3.4 (Tables 9.3-7, 9.3-8). The request's data set is the identifier; the SCP stores to MoveDestination in a separate association. */

import { type SubOperationCounts, subOperationElements } from './c-get.js';
import { COMMAND_FIELDS } from './command-field.js';
import {
  buildResponse,
  type CommandSet,
  DATASET_PRESENT,
  expectCommand,
  Priority,
  type With,
} from './command-set.js';

export function buildCMoveRq(p: {
  messageId: number;
  affectedSopClassUid: string;
  moveDestination: string;
  priority?: number;
}): CommandSet {
  return {
    commandField: COMMAND_FIELDS['C-MOVE-RQ'],
    affectedSopClassUid: p.affectedSopClassUid,
    messageId: p.messageId,
    moveDestination: p.moveDestination,
    priority: p.priority ?? Priority.Medium,
    commandDataSetType: DATASET_PRESENT,
  };
}

export function buildCMoveRsp(
  rq: CommandSet,
  status: number,
  counts?: SubOperationCounts,
  extra: Partial<CommandSet> = {},
  withDataset = false,
): CommandSet {
  return buildResponse(
    rq,
    'C-MOVE-RSP',
    status,
    { ...(counts ? subOperationElements(counts) : {}), ...extra },
    withDataset,
  );
}

export function parseCMoveRq(
  cs: CommandSet,
): With<'messageId' | 'affectedSopClassUid' | 'priority' | 'moveDestination'> {
  return expectCommand(cs, 'C-MOVE-RQ', ['messageId', 'affectedSopClassUid', 'priority', 'moveDestination']);
}

export function parseCMoveRsp(cs: CommandSet): With<'messageIdBeingRespondedTo' | 'status'> {
  return expectCommand(cs, 'C-MOVE-RSP', ['messageIdBeingRespondedTo', 'status']);
}
