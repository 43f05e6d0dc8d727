/** C-ECHO, PS3.7 §9.1.5 and §9.3.5 (Tables 9.3-12, 9.3-13). No data set either way. */

import { COMMAND_FIELDS } from './command-field.js';
import { buildResponse, type CommandSet, expectCommand, NO_DATASET, type With } from './command-set.js';

export const VERIFICATION_SOP_CLASS = '1.2.840.10008.1.1';

export function buildCEchoRq(p: { messageId: number; affectedSopClassUid?: string }): CommandSet {
  return {
    commandField: COMMAND_FIELDS['C-ECHO-RQ'],
    affectedSopClassUid: p.affectedSopClassUid ?? VERIFICATION_SOP_CLASS,
    messageId: p.messageId,
    commandDataSetType: NO_DATASET,
  };
}

export function buildCEchoRsp(rq: CommandSet, status = 0x0000, extra?: Partial<CommandSet>): CommandSet {
  return buildResponse(rq, 'C-ECHO-RSP', status, extra);
}

export function parseCEchoRq(cs: CommandSet): With<'messageId' | 'affectedSopClassUid'> {
  return expectCommand(cs, 'C-ECHO-RQ', ['messageId', 'affectedSopClassUid']);
}

export function parseCEchoRsp(cs: CommandSet): With<'messageIdBeingRespondedTo' | 'status'> {
  return expectCommand(cs, 'C-ECHO-RSP', ['messageIdBeingRespondedTo', 'status']);
}
