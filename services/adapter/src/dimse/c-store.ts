/** C-STORE, PS3.7 §9.1.1 and §9.3.1 (Tables 9.3-1, 9.3-2). The request carries the SOP instance as its data set. */

import { COMMAND_FIELDS } from './command-field.js';
import {
  buildResponse,
  type CommandSet,
  DATASET_PRESENT,
  expectCommand,
  Priority,
  type With,
} from './command-set.js';

export interface CStoreRqParams {
  messageId: number;
  affectedSopClassUid: string;
  affectedSopInstanceUid: string;
  priority?: number;
  /** Set when the store is a sub-operation of a C-MOVE (PS3.7 §9.1.1.1.8). */
  moveOriginatorAeTitle?: string;
  moveOriginatorMessageId?: number;
}

export function buildCStoreRq(p: CStoreRqParams): CommandSet {
  const cs: CommandSet = {
    commandField: COMMAND_FIELDS['C-STORE-RQ'],
    affectedSopClassUid: p.affectedSopClassUid,
    messageId: p.messageId,
    priority: p.priority ?? Priority.Medium,
    commandDataSetType: DATASET_PRESENT,
    affectedSopInstanceUid: p.affectedSopInstanceUid,
  };
  if (p.moveOriginatorAeTitle !== undefined)
    cs.moveOriginatorApplicationEntityTitle = p.moveOriginatorAeTitle;
  if (p.moveOriginatorMessageId !== undefined) cs.moveOriginatorMessageId = p.moveOriginatorMessageId;
  return cs;
}

/** `extra` may carry errorComment / offendingElement (PS3.7 §9.1.1.1.x). */
export function buildCStoreRsp(rq: CommandSet, status: number, extra: Partial<CommandSet> = {}): CommandSet {
  return buildResponse(rq, 'C-STORE-RSP', status, extra);
}

export type CStoreRq = With<'messageId' | 'affectedSopClassUid' | 'affectedSopInstanceUid' | 'priority'>;

export function parseCStoreRq(cs: CommandSet): CStoreRq {
  return expectCommand(cs, 'C-STORE-RQ', [
    'messageId',
    'affectedSopClassUid',
    'affectedSopInstanceUid',
    'priority',
  ]);
}

export function parseCStoreRsp(cs: CommandSet): With<'messageIdBeingRespondedTo' | 'status'> {
  return expectCommand(cs, 'C-STORE-RSP', ['messageIdBeingRespondedTo', 'status']);
}
