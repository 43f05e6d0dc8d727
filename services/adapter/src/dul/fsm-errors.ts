/**
 * Typed results for the (event, state) pairs that PS3.8 Table 9-10 leaves empty. None of these is
 * thrown by the state machine: they are returned (or attached to a transition) so the caller can
 * report them, as convention 5 asks ("failures take the protocol's path and leave a record").
 */

import { DicomtrailError } from '@dicomtrail/runtime';
import type { FsmEvent } from './fsm-events.js';
import type { State } from './states.js';

/** A local user primitive (Evt1, 7, 8, 9, 11, 14, 15) issued in a state where it is not allowed. */
export class InvalidLocalPrimitiveError extends DicomtrailError {
  readonly state: State;
  readonly event: FsmEvent;

  constructor(state: State, event: FsmEvent) {
    super(
      'DT_ERR_DUL_INVALID_PRIMITIVE',
      `${event} is not a valid local primitive in ${state} (PS3.8 Table 9-10 has no action)`,
      { state, event },
    );
    this.state = state;
    this.event = event;
  }
}

/** A PDU event in a state whose cell is empty; the machine substituted another path (see state-machine.ts). */
export class UnexpectedPduError extends DicomtrailError {
  readonly state: State;
  readonly event: FsmEvent;

  constructor(state: State, event: FsmEvent, substitute: string) {
    super(
      'DT_ERR_DUL_UNEXPECTED_PDU',
      `${event} has no action in ${state} (PS3.8 Table 9-10); took ${substitute} instead`,
      { state, event, substitute },
    );
    this.state = state;
    this.event = event;
  }
}

/** A transport or timer event (Evt2, 5, 17, 18) that has no action in the current state: ignored. */
export class StaleFsmEventError extends DicomtrailError {
  readonly state: State;
  readonly event: FsmEvent;

  constructor(state: State, event: FsmEvent) {
    super(
      'DT_ERR_DUL_STALE_EVENT',
      `${event} has no action in ${state} (PS3.8 Table 9-10); ignored, state unchanged`,
      { state, event },
    );
    this.state = state;
    this.event = event;
  }
}
