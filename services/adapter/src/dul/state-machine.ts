/**
 * PS3.8 §9.2: the DICOM Upper Layer protocol machine, pure. `dispatch` looks the (event, state) pair
 * up in Table 9-10 (transition-table.ts), resolves the action (actions.ts) and returns the effects
 * the caller must perform, in order; it then moves to the next state. It performs no I/O and reads
 * no clock: dul/upper-layer.ts owns the socket and the ARTIM timer and carries the effects out.
 *
 * Invalid (event, state) pairs (empty cells) never throw. The policy depends on the event's source:
 *
 *   local-user (Evt1, 7, 8, 9, 11, 14, 15): an `invalid-local-primitive` result carrying an
 *     InvalidLocalPrimitiveError. State unchanged, no effects: the connection is not touched and the
 *     caller reports the error to the local user who issued the primitive (as a failed call).
 *
 *   peer-pdu (Evt3, 4, 6, 10, 12, 13, 16, 19): the peer cannot be refused, so a transition is always
 *     returned, marked with an UnexpectedPduError as its recorded cause. First choice: the state's
 *     Evt19 ("unrecognized or invalid PDU") cell. In Table 9-10 every empty PDU cell is in Sta1 or
 *     Sta4, where Evt19 is empty too (no transport connection is established in either), so the
 *     fallback is AA-2 (stop ARTIM if running, close the transport, Sta1): the standard's action for
 *     dropping a transport that carries no association (Sta4+Evt15, Sta2/Sta13+Evt16/Evt18).
 *
 *   transport / timer (Evt2, 5, 17, 18): an `ignored` result carrying a StaleFsmEventError. State
 *     unchanged, no effects. These are late or duplicate notifications (an ARTIM expiry racing a
 *     stop, a close indication after AA-2 already went to Sta1), not protocol errors by the peer.
 *
 * pynetdicom instead raises InvalidEventError out of its reactor loop (spec §2), which ends the
 * DUL thread; we do not.
 */

import { ACTIONS, type ActionId, type Effect, resolveAction } from './actions.js';
import { InvalidLocalPrimitiveError, StaleFsmEventError, UnexpectedPduError } from './fsm-errors.js';
import { FSM_EVENT_SPECS, type FsmEvent } from './fsm-events.js';
import type { State } from './states.js';
import { lookupAction } from './transition-table.js';

export type Role = 'acceptor' | 'requestor';

/** What the caller knows about the event that the table's branching actions need. */
export interface DispatchContext {
  /**
   * Evt6 in Sta2 (AE-6): the A-ASSOCIATE-RQ passed the service-provider's own checks (protocol
   * version bit 0 set, ...). Absent counts as not acceptable: a caller that forgets to check rejects.
   */
  readonly associateRqAcceptableByDul?: boolean;
  /** Evt16 (AA-3): the Source field of the received A-ABORT PDU. Anything but 0 is a provider abort. */
  readonly receivedAbortSource?: number;
}

export interface Transition {
  readonly kind: 'transition';
  readonly from: State;
  readonly event: FsmEvent;
  readonly action: ActionId;
  readonly to: State;
  readonly effects: readonly Effect[];
  /** pynetdicom fires EVT_CONN_CLOSE inside this action (before EVT_FSM_TRANSITION). */
  readonly closesConnection: boolean;
  /** Present when Table 9-10 had no action for (event, from) and a substitute path was taken. */
  readonly invalidPair?: UnexpectedPduError;
}

export interface InvalidLocalPrimitive {
  readonly kind: 'invalid-local-primitive';
  readonly from: State;
  readonly event: FsmEvent;
  readonly error: InvalidLocalPrimitiveError;
}

export interface IgnoredEvent {
  readonly kind: 'ignored';
  readonly from: State;
  readonly event: FsmEvent;
  readonly error: StaleFsmEventError;
}

export type DispatchResult = Transition | InvalidLocalPrimitive | IgnoredEvent;

/** The parameters of pynetdicom's EVT_FSM_TRANSITION (spec §2). */
export interface FsmTransitionParams {
  readonly current_state: State;
  readonly fsm_event: FsmEvent;
  readonly action: ActionId;
  readonly next_state: State;
}

export function describeTransition(t: Transition): FsmTransitionParams {
  return { current_state: t.from, fsm_event: t.event, action: t.action, next_state: t.to };
}

function runAction(
  from: State,
  event: FsmEvent,
  action: ActionId,
  role: Role,
  ctx: DispatchContext,
): Transition {
  const spec = ACTIONS[action];
  const outcome = resolveAction(spec, {
    role,
    associateRqAcceptableByDul: ctx.associateRqAcceptableByDul === true,
    receivedAbortSource: ctx.receivedAbortSource,
  });
  return {
    kind: 'transition',
    from,
    event,
    action,
    to: outcome.next,
    effects: outcome.effects,
    closesConnection: spec.closesConnection,
  };
}

/** The pure transition function: no state is kept; StateMachine below keeps it. */
export function transition(
  state: State,
  role: Role,
  event: FsmEvent,
  ctx: DispatchContext = {},
): DispatchResult {
  const action = lookupAction(event, state);
  if (action !== undefined) return runAction(state, event, action, role, ctx);

  switch (FSM_EVENT_SPECS[event].source) {
    case 'local-user':
      return {
        kind: 'invalid-local-primitive',
        from: state,
        event,
        error: new InvalidLocalPrimitiveError(state, event),
      };
    case 'transport':
    case 'timer':
      return { kind: 'ignored', from: state, event, error: new StaleFsmEventError(state, event) };
    case 'peer-pdu': {
      const substitute = lookupAction('Evt19', state) ?? 'AA-2';
      const t = runAction(state, event, substitute, role, ctx);
      return { ...t, invalidPair: new UnexpectedPduError(state, event, substitute) };
    }
  }
}

export class StateMachine {
  readonly role: Role;
  #state: State;

  /** `initial` other than Sta1 is for tests and for resuming a machine from a recorded state. */
  constructor(role: Role, initial: State = 'Sta1') {
    this.role = role;
    this.#state = initial;
  }

  get state(): State {
    return this.#state;
  }

  /** Computes the transition for `event`, moves to its next state and returns it; never throws. */
  dispatch(event: FsmEvent, ctx: DispatchContext = {}): DispatchResult {
    const result = transition(this.#state, this.role, event, ctx);
    if (result.kind === 'transition') this.#state = result.to;
    return result;
  }
}
