/** C-GET, PS3.7 §9.1.3, 9.3.3 (Tables 9.3-5, 9.3-6). The request's data set is the identifier; responses count the C-STORE sub-operations. */

import { COMMAND_FIELDS } from './command-field.js';
import {
  buildResponse,
  type CommandSet,
  DATASET_PRESENT,
  expectCommand,
  Priority,
  type With,
} from './command-set.js';

export function buildCGetRq(p: {
  messageId: number;
  affectedSopClassUid: string;
  priority?: number;
}): CommandSet {
  return {
    commandField: COMMAND_FIELDS['C-GET-RQ'],
    affectedSopClassUid: p.affectedSopClassUid,
    messageId: p.messageId,
    priority: p.priority ?? Priority.Medium,
    commandDataSetType: DATASET_PRESENT,
  };
}

export interface SubOperationCounts {
  remaining?: number;
  completed: number;
  failed: number;
  warning: number;
}

/** Sub-operation counts as command elements (PS3.7 §9.1.3.1.x); `remaining` only on pending responses. */
export function subOperationElements(c: SubOperationCounts): Partial<CommandSet> {
  const out: Partial<CommandSet> = {
    numberOfCompletedSuboperations: c.completed,
    numberOfFailedSuboperations: c.failed,
    numberOfWarningSuboperations: c.warning,
  };
  if (c.remaining !== undefined) out.numberOfRemainingSuboperations = c.remaining;
  return out;
}

/** A final response with failures may carry a data set listing Failed SOP Instance UIDs: pass `withDataset`. */
export function buildCGetRsp(
  rq: CommandSet,
  status: number,
  counts?: SubOperationCounts,
  extra: Partial<CommandSet> = {},
  withDataset = false,
): CommandSet {
  return buildResponse(
    rq,
    'C-GET-RSP',
    status,
    { ...(counts ? subOperationElements(counts) : {}), ...extra },
    withDataset,
  );
}

export function parseCGetRq(cs: CommandSet): With<'messageId' | 'affectedSopClassUid' | 'priority'> {
  return expectCommand(cs, 'C-GET-RQ', ['messageId', 'affectedSopClassUid', 'priority']);
}

export function parseCGetRsp(cs: CommandSet): With<'messageIdBeingRespondedTo' | 'status'> {
  return expectCommand(cs, 'C-GET-RSP', ['messageIdBeingRespondedTo', 'status']);
}
