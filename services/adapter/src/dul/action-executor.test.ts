import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ActionPorts, executeTransition } from './action-executor.js';
import { ACTION_IDS, ACTIONS, type ActionOutcome, type Effect } from './actions.js';
import type { FsmEvent } from './fsm-events.js';
import type { Transition } from './state-machine.js';

function outcomes(id: (typeof ACTION_IDS)[number]): ActionOutcome[] {
  const a = ACTIONS[id];
  switch (a.branch) {
    case 'none':
      return [a.outcome];
    case 'associate-rq-acceptable':
      return [a.ifAcceptable, a.ifNotAcceptable];
    case 'role':
      return [a.ifRequestor, a.ifAcceptor];
    case 'received-abort-source':
      return [a.ifServiceUser, a.ifServiceProvider];
  }
}

function recorder(): { ports: ActionPorts; calls: string[] } {
  const calls: string[] = [];
  const rq = { type: 'A-ASSOCIATE-RQ', protocolVersion: 2 } as never;
  const ports: ActionPorts = {
    user: {
      onAssociateIndication: () => void calls.push('indicate:A-ASSOCIATE-indication'),
      onAssociateConfirm: (p) => void calls.push(`indicate:confirm-${p.type}`),
      onPData: () => void calls.push('indicate:P-DATA-indication'),
      onReleaseIndication: (c) => void calls.push(`indicate:A-RELEASE-indication${c ? ' (collision)' : ''}`),
      onReleaseConfirm: () => void calls.push('indicate:A-RELEASE-confirm'),
      onAbort: (c) => void calls.push(`abort:${c.initiator}/${c.source}/${c.reason}`),
    },
    send: (pdu) => {
      calls.push(`send:${pdu.type}${pdu.type === 'A-ABORT' ? `/${pdu.source}/${pdu.reason}` : ''}`);
      return true;
    },
    sendPData: () => {
      calls.push('send:P-DATA-TF');
      return true;
    },
    startArtim: () => void calls.push('start-artim'),
    stopArtim: () => void calls.push('stop-artim'),
    closeTransport: () => void calls.push('close'),
    pendingRq: () => rq,
    providerReject: () => ({ type: 'A-ASSOCIATE-RJ', result: 1, source: 2, reason: 2 }),
    abortReason: 6,
    abortError: undefined,
  };
  return { ports, calls };
}

const ARG: Record<string, unknown> = {
  'A-ASSOCIATE-confirm-accept': { type: 'A-ASSOCIATE-AC' },
  'A-ASSOCIATE-confirm-reject': { type: 'A-ASSOCIATE-RJ' },
  'P-DATA-indication': { type: 'P-DATA-TF', pdvs: [] },
  'A-ABORT-indication': { type: 'A-ABORT', source: 0, reason: 0 },
  'A-P-ABORT-indication': { type: 'A-ABORT', source: 2, reason: 1 },
};

test('every action of Tables 9-6 to 9-9 is carried out as actions.ts lists it: effects in order, the user told last', () => {
  for (const id of ACTION_IDS) {
    for (const outcome of outcomes(id)) {
      const indication = outcome.effects.find((e) => e.effect === 'indicate');
      const event: FsmEvent = id === 'AE-6' ? 'Evt6' : 'Evt3';
      const t: Transition = {
        kind: 'transition',
        from: 'Sta6',
        event,
        action: id,
        to: outcome.next,
        effects: outcome.effects,
        closesConnection: ACTIONS[id].closesConnection,
      };
      const { ports, calls } = recorder();
      const sent = outcome.effects.find((e) => e.effect === 'send');
      const arg =
        indication?.effect === 'indicate'
          ? ARG[indication.primitive]
          : { type: sent?.effect === 'send' ? sent.pdu : 'A-ASSOCIATE-AC' };
      executeTransition(t, arg, ports);
      const provider = outcome.effects
        .filter(
          (e) =>
            e.effect !== 'indicate' && e.effect !== 'connect-transport' && e.effect !== 'respond-transport',
        )
        .map((e: Effect) =>
          e.effect === 'send'
            ? `send:${e.pdu}`
            : e.effect === 'send-abort'
              ? `send:A-ABORT/${e.source}/${e.source === 0 ? 0 : id === 'AA-7' ? 6 : 2}`
              : e.effect === 'close-transport'
                ? 'close'
                : e.effect,
        );
      const prefix = calls.slice(0, provider.length);
      assert.deepEqual(prefix, provider, `${id}: provider effects in table order`);
      const rest = calls.slice(provider.length).filter((c) => c !== 'close' || !ACTIONS[id].closesConnection);
      if (indication?.effect === 'indicate') {
        assert.equal(rest.length, 1, `${id}: one indication, after the rest (${calls.join(', ')})`);
        assert.ok(rest[0]!.startsWith('indicate:') || rest[0]!.startsWith('abort:'), `${id}: ${rest[0]}`);
      } else if (id === 'AA-1') assert.deepEqual(rest, ['abort:dul/0/0'], 'AA-1: the user learns the end');
      else assert.deepEqual(rest, [], `${id}: nothing more (${calls.join(', ')})`);
      if (ACTIONS[id].closesConnection) assert.ok(calls.includes('close'), `${id} closes the connection`);
    }
  }
});

test("AA-8 on an invalid PDU sends and reports the PDU error's reason; AE-6 sends the provider's reject", () => {
  const { ports, calls } = recorder();
  const aa8 = ACTIONS['AA-8'];
  if (aa8.branch !== 'none') throw new Error('AA-8 has one outcome');
  executeTransition(
    {
      kind: 'transition',
      from: 'Sta6',
      event: 'Evt19',
      action: 'AA-8',
      to: 'Sta13',
      effects: aa8.outcome.effects,
      closesConnection: false,
    },
    undefined,
    ports,
  );
  assert.deepEqual(calls, ['send:A-ABORT/2/6', 'start-artim', 'abort:dul/2/6']);
  const r = recorder();
  const ae6 = ACTIONS['AE-6'];
  if (ae6.branch !== 'associate-rq-acceptable') throw new Error('AE-6 branches');
  executeTransition(
    {
      kind: 'transition',
      from: 'Sta2',
      event: 'Evt6',
      action: 'AE-6',
      to: 'Sta13',
      effects: ae6.ifNotAcceptable.effects,
      closesConnection: false,
    },
    { type: 'A-ASSOCIATE-RQ' },
    r.ports,
  );
  assert.deepEqual(r.calls, ['stop-artim', 'send:A-ASSOCIATE-RJ', 'start-artim']);
});
