// EVT_FSM_TRANSITION: the DUL state machine vocabulary, PS3.8 §9.2 Table 9-10 (spec §7).
import { Type } from '@sinclair/typebox';
import { Strict } from '../common.js';

const range = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`);

export const STATES = range('Sta', 13);
export const FSM_EVENTS = range('Evt', 19);
export const ACTIONS = [...range('AE-', 8), ...range('DT-', 2), ...range('AR-', 10), ...range('AA-', 8)];

const oneOf = (values: string[]) => Type.Union(values.map((v) => Type.Literal(v)));

export const State = oneOf(STATES);
export const FsmEvent = oneOf(FSM_EVENTS);
export const Action = oneOf(ACTIONS);

export const FsmTransitionParams = Strict({
  current_state: State,
  fsm_event: FsmEvent,
  action: Action,
  next_state: State,
});
