/**
 * Scenario tests: whole conversations through the pure state machine, with the effects that the
 * caller must perform checked along the way. ARTIM is driven by a FakeScheduler (a pure clock).
 */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Effect } from './actions.js';
import { ArtimTimer } from './artim-timer.js';
import { FakeScheduler } from './fake-scheduler.test-support.js';
import type { FsmEvent } from './fsm-events.js';
import {
  type DispatchContext,
  type DispatchResult,
  describeTransition,
  type Role,
  StateMachine,
  type Transition,
} from './state-machine.js';

function expectTransition(r: DispatchResult): Transition {
  assert.equal(r.kind, 'transition', `expected a transition, got ${r.kind}`);
  return r as Transition;
}

/** Dispatches a sequence and returns "StaA+EvtB→ACTION→StaC" strings, spec §6 style. */
function run(fsm: StateMachine, events: readonly FsmEvent[], ctx: DispatchContext = {}): string[] {
  return events.map((e) => {
    const t = expectTransition(fsm.dispatch(e, ctx));
    return `${t.from}+${t.event}→${t.action}→${t.to}`;
  });
}

/** A tiny driver: the machine plus an ARTIM timer wired the way upper-layer.ts will wire it. */
class Harness {
  readonly clock = new FakeScheduler();
  readonly fsm: StateMachine;
  readonly artim: ArtimTimer<number>;
  readonly log: string[] = [];
  readonly effects: Effect[] = [];

  constructor(role: Role) {
    this.fsm = new StateMachine(role);
    this.artim = new ArtimTimer(this.clock, () => this.dispatch('Evt18'), { timeoutMs: 30_000 });
  }

  dispatch(evt: FsmEvent, ctx: DispatchContext = {}): Transition {
    const t = expectTransition(this.fsm.dispatch(evt, ctx));
    for (const e of t.effects) {
      this.effects.push(e);
      if (e.effect === 'start-artim') this.artim.start();
      if (e.effect === 'stop-artim') this.artim.stop();
    }
    this.log.push(`${t.from}+${t.event}→${t.action}→${t.to}`);
    return t;
  }
}

describe('acceptor', () => {
  test('happy path: C-ECHO and release, as in spec §6', () => {
    const fsm = new StateMachine('acceptor');
    const steps = run(fsm, ['Evt5', 'Evt6', 'Evt7', 'Evt10', 'Evt9', 'Evt12', 'Evt14', 'Evt17'], {
      associateRqAcceptableByDul: true,
    });
    assert.deepEqual(steps, [
      'Sta1+Evt5→AE-5→Sta2',
      'Sta2+Evt6→AE-6→Sta3',
      'Sta3+Evt7→AE-7→Sta6',
      'Sta6+Evt10→DT-2→Sta6',
      'Sta6+Evt9→DT-1→Sta6',
      'Sta6+Evt12→AR-2→Sta8',
      'Sta8+Evt14→AR-4→Sta13',
      'Sta13+Evt17→AR-5→Sta1',
    ]);
  });

  test('AE-6 with an unacceptable protocol version: RJ, ARTIM, Sta13', () => {
    const h = new Harness('acceptor');
    h.dispatch('Evt5');
    assert.equal(h.artim.running, true);
    const t = h.dispatch('Evt6', { associateRqAcceptableByDul: false });
    assert.equal(t.action, 'AE-6');
    assert.equal(t.to, 'Sta13');
    assert.deepEqual(t.effects, [
      { effect: 'stop-artim' },
      { effect: 'send', pdu: 'A-ASSOCIATE-RJ' },
      { effect: 'start-artim' },
    ]);
    assert.equal(h.artim.running, true, 'ARTIM restarted after the RJ');
    assert.deepEqual(describeTransition(t), {
      current_state: 'Sta2',
      fsm_event: 'Evt6',
      action: 'AE-6',
      next_state: 'Sta13',
    });
  });

  test('AE-6 without the flag fails closed (reject)', () => {
    const fsm = new StateMachine('acceptor', 'Sta2');
    assert.equal(expectTransition(fsm.dispatch('Evt6')).to, 'Sta13');
  });

  test('ARTIM expiry in Sta2: a bare connect that never sends an RQ is closed (AA-2)', () => {
    const h = new Harness('acceptor');
    h.dispatch('Evt5');
    h.clock.advance(29_999);
    assert.equal(h.fsm.state, 'Sta2');
    h.clock.advance(1);
    assert.equal(h.fsm.state, 'Sta1');
    assert.deepEqual(h.log, ['Sta1+Evt5→AE-5→Sta2', 'Sta2+Evt18→AA-2→Sta1']);
    assert.deepEqual(h.effects.slice(-2), [{ effect: 'stop-artim' }, { effect: 'close-transport' }]);
    assert.equal(h.artim.running, false);
  });

  test('ARTIM expiry in Sta13: the peer never closes after our A-RELEASE-RP (AA-2)', () => {
    const h = new Harness('acceptor');
    h.dispatch('Evt5');
    h.dispatch('Evt6', { associateRqAcceptableByDul: true });
    assert.equal(h.artim.running, false, 'AE-6 stops ARTIM');
    h.dispatch('Evt7');
    h.dispatch('Evt12');
    h.dispatch('Evt14');
    assert.equal(h.fsm.state, 'Sta13');
    assert.equal(h.artim.running, true);
    h.clock.advance(30_000);
    assert.equal(h.fsm.state, 'Sta1');
    assert.equal(h.log.at(-1), 'Sta13+Evt18→AA-2→Sta1');
    assert.deepEqual(h.effects.at(-1), { effect: 'close-transport' });
  });

  test('peer closes in Sta13 before ARTIM fires: AR-5 stops it, no late Evt18', () => {
    const h = new Harness('acceptor');
    h.dispatch('Evt5');
    h.dispatch('Evt6', { associateRqAcceptableByDul: true });
    h.dispatch('Evt8');
    h.clock.advance(10_000);
    const t = h.dispatch('Evt17');
    assert.equal(t.action, 'AR-5');
    assert.equal(t.closesConnection, true);
    h.clock.advance(60_000);
    assert.equal(h.log.length, 4, 'no Evt18 after the stop');
  });

  test('peer A-ABORT: AA-3 indicates by the received source', () => {
    const user = expectTransition(
      new StateMachine('acceptor', 'Sta6').dispatch('Evt16', { receivedAbortSource: 0 }),
    );
    assert.deepEqual(user.effects[0], { effect: 'indicate', primitive: 'A-ABORT-indication' });
    const provider = expectTransition(
      new StateMachine('acceptor', 'Sta6').dispatch('Evt16', { receivedAbortSource: 2 }),
    );
    assert.deepEqual(provider.effects[0], { effect: 'indicate', primitive: 'A-P-ABORT-indication' });
  });
});

describe('requestor', () => {
  test('associate, echo, release (spec §6)', () => {
    const fsm = new StateMachine('requestor');
    assert.deepEqual(run(fsm, ['Evt1', 'Evt2', 'Evt3', 'Evt9', 'Evt10', 'Evt11', 'Evt13']), [
      'Sta1+Evt1→AE-1→Sta4',
      'Sta4+Evt2→AE-2→Sta5',
      'Sta5+Evt3→AE-3→Sta6',
      'Sta6+Evt9→DT-1→Sta6',
      'Sta6+Evt10→DT-2→Sta6',
      'Sta6+Evt11→AR-1→Sta7',
      'Sta7+Evt13→AR-3→Sta1',
    ]);
  });

  test('P-DATA still arriving while awaiting A-RELEASE-RP (AR-6)', () => {
    const fsm = new StateMachine('requestor', 'Sta7');
    assert.deepEqual(run(fsm, ['Evt10', 'Evt13']), ['Sta7+Evt10→AR-6→Sta7', 'Sta7+Evt13→AR-3→Sta1']);
  });

  test('rejected: AE-4 confirms the reject and closes', () => {
    const fsm = new StateMachine('requestor', 'Sta5');
    const t = expectTransition(fsm.dispatch('Evt4'));
    assert.equal(t.action, 'AE-4');
    assert.equal(t.closesConnection, true);
    assert.deepEqual(t.effects, [
      { effect: 'indicate', primitive: 'A-ASSOCIATE-confirm-reject' },
      { effect: 'close-transport' },
    ]);
  });
});

describe('release collision (PS3.8 §7.2, Sta9…Sta12)', () => {
  // Both sides are in Sta6 and each sends A-RELEASE-RQ before seeing the other's.
  test('requestor side: Sta7 → Sta9 → Sta11 → Sta1', () => {
    const fsm = new StateMachine('requestor', 'Sta6');
    assert.deepEqual(run(fsm, ['Evt11', 'Evt12', 'Evt14', 'Evt13']), [
      'Sta6+Evt11→AR-1→Sta7',
      'Sta7+Evt12→AR-8→Sta9',
      'Sta9+Evt14→AR-9→Sta11',
      'Sta11+Evt13→AR-3→Sta1',
    ]);
  });

  test('acceptor side: Sta7 → Sta10 → Sta12 → Sta13 → Sta1', () => {
    const fsm = new StateMachine('acceptor', 'Sta6');
    assert.deepEqual(run(fsm, ['Evt11', 'Evt12', 'Evt13', 'Evt14', 'Evt17']), [
      'Sta6+Evt11→AR-1→Sta7',
      'Sta7+Evt12→AR-8→Sta10',
      'Sta10+Evt13→AR-10→Sta12',
      'Sta12+Evt14→AR-4→Sta13',
      'Sta13+Evt17→AR-5→Sta1',
    ]);
  });

  test('the two machines interleave into a consistent exchange', () => {
    const req = new StateMachine('requestor', 'Sta6');
    const acc = new StateMachine('acceptor', 'Sta6');
    const sent = (t: Transition) => t.effects.filter((e) => e.effect === 'send').map((e) => e.pdu);
    // both send A-RELEASE-RQ
    assert.deepEqual(sent(expectTransition(req.dispatch('Evt11'))), ['A-RELEASE-RQ']);
    assert.deepEqual(sent(expectTransition(acc.dispatch('Evt11'))), ['A-RELEASE-RQ']);
    // both receive the other's RQ
    expectTransition(req.dispatch('Evt12'));
    expectTransition(acc.dispatch('Evt12'));
    assert.deepEqual([req.state, acc.state], ['Sta9', 'Sta10']);
    // requestor's user answers first: RP goes to the acceptor
    assert.deepEqual(sent(expectTransition(req.dispatch('Evt14'))), ['A-RELEASE-RP']);
    expectTransition(acc.dispatch('Evt13'));
    assert.deepEqual([req.state, acc.state], ['Sta11', 'Sta12']);
    // acceptor's user answers: RP goes to the requestor, which closes
    assert.deepEqual(sent(expectTransition(acc.dispatch('Evt14'))), ['A-RELEASE-RP']);
    const last = expectTransition(req.dispatch('Evt13'));
    assert.deepEqual(last.effects.at(-1), { effect: 'close-transport' });
    expectTransition(acc.dispatch('Evt17'));
    assert.deepEqual([req.state, acc.state], ['Sta1', 'Sta1']);
  });
});

describe('invalid pairs never throw', () => {
  test('P-DATA request in Sta1: typed error, connection untouched', () => {
    const fsm = new StateMachine('requestor');
    const r = fsm.dispatch('Evt9');
    assert.equal(r.kind, 'invalid-local-primitive');
    if (r.kind !== 'invalid-local-primitive') return;
    assert.equal(r.error.name, 'InvalidLocalPrimitiveError');
    assert.equal(r.error.code, 'DT_ERR_DUL_INVALID_PRIMITIVE');
    assert.equal(fsm.state, 'Sta1');
  });

  test('a late ARTIM expiry in Sta6 is ignored', () => {
    const fsm = new StateMachine('acceptor', 'Sta6');
    const r = fsm.dispatch('Evt18');
    assert.equal(r.kind, 'ignored');
    assert.equal(fsm.state, 'Sta6');
  });

  test('a PDU in Sta4 drops the transport (AA-2) and records the cause', () => {
    const fsm = new StateMachine('requestor', 'Sta4');
    const t = expectTransition(fsm.dispatch('Evt10'));
    assert.equal(t.action, 'AA-2');
    assert.equal(t.invalidPair?.code, 'DT_ERR_DUL_UNEXPECTED_PDU');
    assert.deepEqual(describeTransition(t), {
      current_state: 'Sta4',
      fsm_event: 'Evt10',
      action: 'AA-2',
      next_state: 'Sta1',
    });
  });
});
