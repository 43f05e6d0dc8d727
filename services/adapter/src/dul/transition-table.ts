/**
 * PS3.8 §9.2.3, Table 9-10 "DICOM Upper Layer Protocol State Transition Table", copied cell by cell.
 * One row per event, one column per state, Sta1 … Sta13. `__` is an empty cell: an invalid
 * (event, state) pair, handled by state-machine.ts according to the event's source.
 *
 * Checked against pynetdicom's TRANSITION_TABLE (spec §7, identical cell for cell) and against
 * DCMTK's independent copy (dcmnet/libsrc/dulfsm.cc StateTable), which differs in two cells that
 * we do NOT follow because they are DCMTK's own choices, not the standard's:
 *   - Evt6 in Sta5: DCMTK runs AE-4; the standard (and pynetdicom) runs AA-8.
 *   - Evt18 in Sta7: DCMTK adds "AA-2T" (marked "not per the standard" in its source); the cell is empty.
 */

import type { ActionId } from './actions.js';
import type { FsmEvent } from './fsm-events.js';
import { STATES, type State } from './states.js';

type Cell = ActionId | undefined;
type Row = readonly [Cell, Cell, Cell, Cell, Cell, Cell, Cell, Cell, Cell, Cell, Cell, Cell, Cell];

const __ = undefined;

// biome-ignore format: the table is laid out as the standard prints it
export const TRANSITION_TABLE: Readonly<Record<FsmEvent, Row>> = {
  //       Sta1    Sta2    Sta3    Sta4    Sta5    Sta6    Sta7    Sta8    Sta9    Sta10   Sta11   Sta12   Sta13
  Evt1:  ['AE-1', __,     __,     __,     __,     __,     __,     __,     __,     __,     __,     __,     __    ],
  Evt2:  [__,     __,     __,     'AE-2', __,     __,     __,     __,     __,     __,     __,     __,     __    ],
  Evt3:  [__,     'AA-1', 'AA-8', __,     'AE-3', 'AA-8', 'AA-8', 'AA-8', 'AA-8', 'AA-8', 'AA-8', 'AA-8', 'AA-6'],
  Evt4:  [__,     'AA-1', 'AA-8', __,     'AE-4', 'AA-8', 'AA-8', 'AA-8', 'AA-8', 'AA-8', 'AA-8', 'AA-8', 'AA-6'],
  Evt5:  ['AE-5', __,     __,     __,     __,     __,     __,     __,     __,     __,     __,     __,     __    ],
  Evt6:  [__,     'AE-6', 'AA-8', __,     'AA-8', 'AA-8', 'AA-8', 'AA-8', 'AA-8', 'AA-8', 'AA-8', 'AA-8', 'AA-7'],
  Evt7:  [__,     __,     'AE-7', __,     __,     __,     __,     __,     __,     __,     __,     __,     __    ],
  Evt8:  [__,     __,     'AE-8', __,     __,     __,     __,     __,     __,     __,     __,     __,     __    ],
  Evt9:  [__,     __,     __,     __,     __,     'DT-1', __,     'AR-7', __,     __,     __,     __,     __    ],
  Evt10: [__,     'AA-1', 'AA-8', __,     'AA-8', 'DT-2', 'AR-6', 'AA-8', 'AA-8', 'AA-8', 'AA-8', 'AA-8', 'AA-6'],
  Evt11: [__,     __,     __,     __,     __,     'AR-1', __,     __,     __,     __,     __,     __,     __    ],
  Evt12: [__,     'AA-1', 'AA-8', __,     'AA-8', 'AR-2', 'AR-8', 'AA-8', 'AA-8', 'AA-8', 'AA-8', 'AA-8', 'AA-6'],
  Evt13: [__,     'AA-1', 'AA-8', __,     'AA-8', 'AA-8', 'AR-3', 'AA-8', 'AA-8', 'AR-10','AR-3', 'AA-8', 'AA-6'],
  Evt14: [__,     __,     __,     __,     __,     __,     __,     'AR-4', 'AR-9', __,     __,     'AR-4', __    ],
  Evt15: [__,     __,     'AA-1', 'AA-2', 'AA-1', 'AA-1', 'AA-1', 'AA-1', 'AA-1', 'AA-1', 'AA-1', 'AA-1', __    ],
  Evt16: [__,     'AA-2', 'AA-3', __,     'AA-3', 'AA-3', 'AA-3', 'AA-3', 'AA-3', 'AA-3', 'AA-3', 'AA-3', 'AA-2'],
  Evt17: [__,     'AA-5', 'AA-4', 'AA-4', 'AA-4', 'AA-4', 'AA-4', 'AA-4', 'AA-4', 'AA-4', 'AA-4', 'AA-4', 'AR-5'],
  Evt18: [__,     'AA-2', __,     __,     __,     __,     __,     __,     __,     __,     __,     __,     'AA-2'],
  Evt19: [__,     'AA-1', 'AA-8', __,     'AA-8', 'AA-8', 'AA-8', 'AA-8', 'AA-8', 'AA-8', 'AA-8', 'AA-8', 'AA-7'],
};

/** The action of Table 9-10 for (event, state), or undefined for an empty cell. */
export function lookupAction(event: FsmEvent, state: State): ActionId | undefined {
  return TRANSITION_TABLE[event][STATES.indexOf(state)];
}
