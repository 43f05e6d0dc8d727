/** C-CANCEL, PS3.7 §9.3.2.3 (Table 9.3-3a): cancels the C-FIND/C-GET/C-MOVE with the given message id. No response. */

import { COMMAND_FIELDS } from './command-field.js';
import { type CommandSet, expectCommand, NO_DATASET, type With } from './command-set.js';

export function buildCCancelRq(p: { messageIdBeingRespondedTo: number }): CommandSet {
  return {
    commandField: COMMAND_FIELDS['C-CANCEL-RQ'],
    messageIdBeingRespondedTo: p.messageIdBeingRespondedTo,
    commandDataSetType: NO_DATASET,
  };
}

export function parseCCancelRq(cs: CommandSet): With<'messageIdBeingRespondedTo'> {
  return expectCommand(cs, 'C-CANCEL-RQ', ['messageIdBeingRespondedTo']);
}
