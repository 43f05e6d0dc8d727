/**
 * Broken byte streams over a real socket (the PDU codec's table of malformed inputs, plus PDUs that are
 * valid but wrong for the state): each gets the standard's abort (Table 9-10: AA-1 in Sta2, AA-8 once
 * established), an EVT_INVALID_PDU naming the cause, and the server goes on serving the next association.
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { runDcmtk } from '@dicomtrail/testing';
import { decodePdu } from '../../src/pdu/decode.js';
import { type MalformedCase, malformedCases, pdu, validAssociateRq } from '../../src/pdu/malformed-cases.js';
import type { PduError } from '../../src/pdu/pdu-error.js';
import { PduFramer } from '../../src/pdu/pdu-framer.js';
import { assertValidAndGapFree, startTestServer, type TestServer, waitFor } from '../support/server.js';

let s: TestServer;
before(async () => {
  s = await startTestServer({ artimTimeoutMs: 1000 });
});
after(async () => s.close());

/** The server's framer limit (upper-layer.ts: at least 256 KiB). */
const SERVER_FRAME_LIMIT = 256 * 1024;

/** A client that collects raw bytes and cuts PDUs. */
class RawPeer {
  readonly socket: Socket;
  #buf = Buffer.alloc(0);
  closed = false;
  constructor(port: number) {
    this.socket = connect({ host: '127.0.0.1', port });
    this.socket.setNoDelay(true);
    this.socket.on('data', (d: Buffer) => {
      this.#buf = Buffer.concat([this.#buf, d]);
    });
    this.socket.on('close', () => {
      this.closed = true;
    });
    this.socket.on('error', () => undefined);
  }
  ready(): Promise<void> {
    return new Promise((r) => this.socket.once('connect', () => r()));
  }
  /** Waits for the next whole PDU from the server. */
  async nextPdu(timeoutMs = 5000): Promise<Buffer> {
    await waitFor(
      () => this.#buf.length >= 6 && this.#buf.length >= 6 + this.#buf.readUInt32BE(2),
      timeoutMs,
      'a PDU from the server',
    );
    const len = 6 + this.#buf.readUInt32BE(2);
    const p = this.#buf.subarray(0, len);
    this.#buf = this.#buf.subarray(len);
    return p;
  }
}

type Expectation =
  | { kind: 'error'; code: string; reason: number }
  | { kind: 'incomplete' }
  | { kind: 'valid' };

/**
 * What a byte stream is to the server: the first error its framer and decoder raise (the codec's own
 * unit tests pin those against the table), or a stream the server must wait on, or valid PDUs.
 * Over a socket, "bytes after the PDU" are the start of the next PDU, and length limits are the server's.
 */
function expectationFor(bytes: Buffer): Expectation {
  try {
    const raws = new PduFramer({ maxPduLength: SERVER_FRAME_LIMIT }).push(bytes);
    if (raws.length === 0) return { kind: 'incomplete' };
    for (const raw of raws) decodePdu(raw.bytes);
    return { kind: 'valid' };
  } catch (err) {
    const e = err as PduError;
    return { kind: 'error', code: e.code, reason: e.abort.reason };
  }
}

async function invalidPduEvent(
  before: Set<string>,
): Promise<{ id: string; params: Record<string, unknown> }> {
  await waitFor(
    () => s.sink.events.some((e) => !before.has(e.association.id) && e.type === 'EVT_INVALID_PDU'),
    5000,
    'EVT_INVALID_PDU',
  );
  const e = s.sink.events.find((x) => !before.has(x.association.id) && x.type === 'EVT_INVALID_PDU')!;
  return { id: e.association.id, params: e.params };
}

function expectAbort(p: Buffer, source: number, reason: number): void {
  assert.equal(p[0], 0x07, `an A-ABORT PDU (got type ${p[0]})`);
  assert.equal(p[8], source, 'abort source');
  assert.equal(p[9], reason, 'abort reason');
}

const complete = malformedCases
  .map((c) => ({ ...c, expect: expectationFor(c.bytes) }))
  .filter(
    (c): c is MalformedCase & { expect: { kind: 'error'; code: string; reason: number } } =>
      c.expect.kind === 'error',
  )
  .map((c) => ({
    ...c,
    code: c.expect.code as MalformedCase['code'],
    reason: c.expect.reason as MalformedCase['reason'],
  }));
const truncated = malformedCases.filter((c) => expectationFor(c.bytes).kind === 'incomplete');

/** Extra streams: PDUs valid in themselves but not in this state, and the size limit. */
const tooLarge: MalformedCase = {
  name: 'P-DATA-TF over the 256 KiB frame limit',
  bytes: Buffer.concat([Buffer.from([0x04, 0x00]), Buffer.from([0x00, 0x04, 0x00, 0x01])]),
  via: 'framer',
  code: 'DT_ERR_PDU_TOO_LARGE',
  reason: 6,
};

describe('malformed PDU as the first PDU (Sta2): AA-1, A-ABORT source 0, EVT_INVALID_PDU with the cause', () => {
  for (const c of [...complete, tooLarge]) {
    test(c.name, async () => {
      const known = new Set(s.sink.associationIds());
      const peer = new RawPeer(s.port);
      await peer.ready();
      peer.socket.write(c.bytes);
      expectAbort(await peer.nextPdu(), 0, 0);
      const evt = await invalidPduEvent(known);
      assert.equal(evt.params['code'], c.code);
      assert.equal(evt.params['state'], 'Sta2');
      assert.deepEqual((evt.params['abort'] as { source: number }).source, 0);
      peer.socket.end();
      await waitFor(() => peer.closed, 5000, 'server to close');
      await waitFor(() => s.sink.of(evt.id).some((e) => e.type === 'EVT_ABORTED'), 5000, 'EVT_ABORTED');
      assertValidAndGapFree(s.sink.of(evt.id));
    });
  }
});

describe('malformed PDU on an established association (Sta6): AA-8, A-P-ABORT with the reason', () => {
  for (const c of [...complete, tooLarge]) {
    test(c.name, async () => {
      const known = new Set(s.sink.associationIds());
      const peer = new RawPeer(s.port);
      await peer.ready();
      peer.socket.write(validAssociateRqFor('DICOMTRAIL'));
      const ac = await peer.nextPdu();
      assert.equal(ac[0], 0x02, 'A-ASSOCIATE-AC');
      peer.socket.write(c.bytes);
      expectAbort(await peer.nextPdu(), 2, c.reason);
      const evt = await invalidPduEvent(known);
      assert.equal(evt.params['code'], c.code);
      assert.equal(evt.params['state'], 'Sta6');
      peer.socket.end();
      await waitFor(
        () =>
          s.sink.of(evt.id).some((e) => e.type === 'EVT_FSM_TRANSITION' && e.params['next_state'] === 'Sta1'),
        5000,
        'Sta1',
      );
      const aborted = s.sink.of(evt.id).find((e) => e.type === 'EVT_ABORTED')!;
      const cause = aborted.params['cause'] as Record<string, unknown>;
      assert.equal(cause['source'], 2);
      assert.equal(cause['reason'], c.reason);
      assert.equal(cause['initiator'], 'dul');
      assertValidAndGapFree(s.sink.of(evt.id));
    });
  }
});

describe('PDUs invalid for the state', () => {
  const cases: {
    name: string;
    setup: boolean;
    bytes: Buffer;
    source: number;
    reason: number;
    fsm: string;
  }[] = [
    {
      name: 'P-DATA-TF before any association (Sta2 + Evt10)',
      setup: false,
      bytes: pdu(0x04, Buffer.from('0000000601031234', 'hex')),
      source: 0,
      reason: 0,
      fsm: 'AA-1',
    },
    {
      name: 'A-RELEASE-RQ before any association (Sta2 + Evt12)',
      setup: false,
      bytes: pdu(0x05, Buffer.alloc(4)),
      source: 0,
      reason: 0,
      fsm: 'AA-1',
    },
    {
      name: 'A-ASSOCIATE-AC sent to an acceptor (Sta2 + Evt3)',
      setup: false,
      bytes: pdu(0x02, validAssociateRq.subarray(6)),
      source: 0,
      reason: 0,
      fsm: 'AA-1',
    },
    {
      name: 'a second A-ASSOCIATE-RQ once established (Sta6 + Evt6)',
      setup: true,
      bytes: validAssociateRq,
      source: 2,
      reason: 2,
      fsm: 'AA-8',
    },
    {
      name: 'A-RELEASE-RP while established (Sta6 + Evt13)',
      setup: true,
      bytes: pdu(0x06, Buffer.alloc(4)),
      source: 2,
      reason: 2,
      fsm: 'AA-8',
    },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const known = new Set(s.sink.associationIds());
      const peer = new RawPeer(s.port);
      await peer.ready();
      if (c.setup) {
        peer.socket.write(validAssociateRqFor('DICOMTRAIL'));
        assert.equal((await peer.nextPdu())[0], 0x02);
      }
      peer.socket.write(c.bytes);
      expectAbort(await peer.nextPdu(), c.source, c.reason);
      await waitFor(() => s.sink.associationIds().some((id) => !known.has(id)), 5000, 'events');
      const id = s.sink.associationIds().find((x) => !known.has(x))!;
      await waitFor(() => s.sink.of(id).some((e) => e.type === 'EVT_ABORTED'), 5000, 'EVT_ABORTED');
      const actions = s.sink
        .of(id)
        .filter((e) => e.type === 'EVT_FSM_TRANSITION')
        .map((e) => e.params['action']);
      assert.ok(actions.includes(c.fsm), `${c.fsm} in ${actions.join(',')}`);
      assert.ok(
        s.sink.of(id).some((e) => e.type === 'EVT_INVALID_PDU'),
        'EVT_INVALID_PDU names the unexpected PDU',
      );
      peer.socket.end();
    });
  }
});

describe('truncated streams: the server waits for the rest, then the ARTIM timer (Sta2) or the close (Sta6) ends it', () => {
  for (const c of truncated) {
    test(c.name, async () => {
      const known = new Set(s.sink.associationIds());
      const peer = new RawPeer(s.port);
      await peer.ready();
      peer.socket.write(c.bytes);
      // Sta2: ARTIM (1 s in this test) expires: AA-2 closes the transport without an A-ABORT.
      await waitFor(() => peer.closed, 5000, 'the ARTIM timer to close the connection');
      const id = s.sink.associationIds().find((x) => !known.has(x))!;
      const actions = s.sink
        .of(id)
        .filter((e) => e.type === 'EVT_FSM_TRANSITION')
        .map((e) => `${e.params['fsm_event']}>${e.params['action']}`);
      assert.deepEqual(actions, ['Evt5>AE-5', 'Evt18>AA-2']);
      const aborted = s.sink.of(id).find((e) => e.type === 'EVT_ABORTED')!;
      assert.match(String((aborted.params['cause'] as Record<string, unknown>)['detail']), /ARTIM/);
      assertValidAndGapFree(s.sink.of(id));
    });
  }
});

test('a bare connect and close is recorded (CONN_OPEN, AE-5, CONN_CLOSE, AA-5)', async () => {
  const known = new Set(s.sink.associationIds());
  const peer = new RawPeer(s.port);
  await peer.ready();
  peer.socket.end();
  await waitFor(
    () => s.sink.associationIds().some((id) => !known.has(id) && s.sink.of(id).length >= 4),
    5000,
    'events',
  );
  const id = s.sink.associationIds().find((x) => !known.has(x))!;
  assert.deepEqual(
    s.sink.of(id).map((e) => e.type),
    ['EVT_CONN_OPEN', 'EVT_FSM_TRANSITION', 'EVT_CONN_CLOSE', 'EVT_FSM_TRANSITION'],
  );
  assert.equal(s.sink.of(id)[3]!.params['action'], 'AA-5');
});

test('after every broken stream the server still serves: echoscu succeeds', async () => {
  const r = await runDcmtk('echoscu', ['-aec', 'DICOMTRAIL', '127.0.0.1', String(s.port)]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(complete.length + truncated.length + 6 >= 30, 'at least 30 broken streams were sent');
});

/** The codec table's valid RQ calls "CALLED"; our server requires its own AE title. */
function validAssociateRqFor(called: string): Buffer {
  const b = Buffer.from(validAssociateRq);
  b.write(called.padEnd(16, ' '), 10, 'latin1');
  return b;
}
