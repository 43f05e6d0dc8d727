/** Public API of the DICOM Upper Layer state machine (PS3.8 §9.2). */

export {
  type AbortSource,
  ACTION_IDS,
  ACTIONS,
  type ActionContext,
  type ActionId,
  type ActionOutcome,
  type ActionSpec,
  type Effect,
  possibleNextStates,
  resolveAction,
  type SentPdu,
} from './actions.js';
export {
  ArtimTimer,
  type ArtimTimerOptions,
  DEFAULT_ARTIM_TIMEOUT_MS,
  type Scheduler,
  systemScheduler,
} from './artim-timer.js';
export { InvalidLocalPrimitiveError, StaleFsmEventError, UnexpectedPduError } from './fsm-errors.js';
export {
  FSM_EVENT_SPECS,
  FSM_EVENTS,
  type FsmEvent,
  type FsmEventSource,
  type FsmEventSpec,
  isFsmEvent,
} from './fsm-events.js';
export {
  type IndicationPrimitive,
  type PrimitiveType,
  REQUEST_PRIMITIVE_EVENT,
  type RequestPrimitive,
  SERVICES,
  type UpperLayerService,
} from './primitives.js';
export {
  type DispatchContext,
  type DispatchResult,
  describeTransition,
  type FsmTransitionParams,
  type IgnoredEvent,
  type InvalidLocalPrimitive,
  type Role,
  StateMachine,
  type Transition,
  transition,
} from './state-machine.js';
export { isState, STATE_SPECS, STATES, type State, type StateSpec } from './states.js';
export { lookupAction, TRANSITION_TABLE } from './transition-table.js';
