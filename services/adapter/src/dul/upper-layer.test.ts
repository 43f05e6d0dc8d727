/**
 * The upper layer's sending over a real loopback socket: the PDUs sent in one tick leave in one write (the
 * socket is corked until the tick ends), and a lone large PDV goes out as its 12-byte head and the fragment
 * itself, byte for byte what encodePDataTf gives; a burst past the socket's high-water mark is written at once.
 */
import assert from 'node:assert/strict';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import type { AssociateRq } from '../pdu/associate-rq.js';
import { encodePdu } from '../pdu/encode.js';
import { emptyUserInformation } from '../pdu/items/user-information.js';
import { encodePDataTf, type Pdv } from '../pdu/p-data-tf.js';
import { UpperLayer, type UpperLayerUser } from './upper-layer.js';

const RQ: AssociateRq = {
  type: 'A-ASSOCIATE-RQ',
  protocolVersion: 1,
  calledAeTitle: 'PEER',
  callingAeTitle: 'US',
  applicationContextName: '1.2.840.10008.3.1.1.1',
  presentationContexts: [
    { id: 1, abstractSyntax: '1.2.840.10008.1.1', transferSyntaxes: ['1.2.840.10008.1.2'] },
  ],
  userInformation: emptyUserInformation(),
};

let server: Server;
let peer: Promise<Socket>;

before(async () => {
  let accepted!: (s: Socket) => void;
  peer = new Promise((resolve) => (accepted = resolve));
  server = createServer((s) => accepted(s));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});

after(() => server.close());

function user(confirmed: () => void): UpperLayerUser {
  return {
    emit: () => undefined,
    onClosed: () => undefined,
    log: { warn: () => undefined, error: () => undefined },
    onAssociateIndication: () => undefined,
    onAssociateConfirm: confirmed,
    onPData: () => undefined,
    onReleaseIndication: () => undefined,
    onReleaseConfirm: () => undefined,
    onAbort: () => undefined,
  };
}

/** Reads from `s` until `n` bytes came; the chunks as they were read. */
function readBytes(s: Socket, n: number): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  let got = 0;
  return new Promise((resolve) => {
    const on = (d: Buffer): void => {
      chunks.push(d);
      got += d.length;
      if (got >= n) {
        s.off('data', on);
        resolve(chunks);
      }
    };
    s.on('data', on);
  });
}

test('P-DATA sent in one tick leave in one write; a lone large PDV is its head and the fragment as it is', async () => {
  const socket = connect({ host: '127.0.0.1', port: (server.address() as { port: number }).port });
  let confirmed!: () => void;
  const established = new Promise<void>((resolve) => (confirmed = resolve));
  const ul = new UpperLayer(
    socket,
    user(() => confirmed()),
    {
      role: 'requestor',
      maxPduReceive: 16384,
      artimTimeoutMs: 5000,
    },
  );
  ul.associateRequest(RQ, new Promise((resolve) => socket.once('connect', () => resolve())));
  const pacs = await peer;
  const rqLength = encodePdu(RQ).length;
  await readBytes(pacs, rqLength);
  pacs.write(
    encodePdu({
      type: 'A-ASSOCIATE-AC',
      protocolVersion: 1,
      calledAeTitle: 'PEER',
      callingAeTitle: 'US',
      applicationContextName: RQ.applicationContextName,
      presentationContexts: [{ id: 1, result: 0, transferSyntax: '1.2.840.10008.1.2' }],
      userInformation: emptyUserInformation(),
    }),
  );
  await established;

  const command: Pdv = { contextId: 1, isCommand: true, isLast: true, data: Buffer.from('a command set') };
  const fragment: Pdv = {
    contextId: 1,
    isCommand: false,
    isLast: true,
    data: Buffer.alloc(10_000, 0x5a).subarray(100),
  };
  const expected = Buffer.concat([encodePDataTf([command]), encodePDataTf([fragment])]);
  const received = readBytes(pacs, expected.length);
  try {
    assert.equal(ul.sendPData([command]), true);
    assert.equal(ul.sendPData([fragment]), true);
    // Both are held in the socket until the tick ends, then written together.
    assert.equal(socket.writableCorked, 1);
    assert.equal(socket.writableLength, expected.length);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(socket.writableCorked, 0);
    assert.ok(Buffer.concat(await received).equals(expected));

    // A burst past the high-water mark is written at once, not held until the tick ends.
    const big: Pdv = {
      contextId: 1,
      isCommand: false,
      isLast: false,
      data: Buffer.alloc(socket.writableHighWaterMark, 1),
    };
    const bigBytes = encodePDataTf([big]);
    const bigReceived = readBytes(pacs, bigBytes.length);
    ul.sendPData([big]);
    assert.equal(socket.writableCorked, 0);
    assert.ok(Buffer.concat(await bigReceived).equals(bigBytes));
  } finally {
    socket.destroy();
    pacs.destroy();
  }
});
