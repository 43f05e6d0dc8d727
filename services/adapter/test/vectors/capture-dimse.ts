/**
 * Capture helper for DIMSE vectors (not a test): a one-shot TCP server on 127.0.0.1 that accepts any
 * A-ASSOCIATE-RQ with a handcrafted A-ASSOCIATE-AC (every context accepted with its first proposed
 * transfer syntax, max PDU 16384), then records the P-DATA-TF PDVs of the first DIMSE message,
 * writes the reassembled command set (and data set, if any) as hex, and aborts the association.
 *
 *   node dist/test/vectors/capture-dimse.js <port> <out-prefix>
 *   TCP_NODELAY=1 echoscu -aec ANY 127.0.0.1 <port>
 *
 * Deliberately independent of src/pdu (PS3.8 Tables 9-11, 9-17, 9-18, 9-22 handled inline).
 */
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';

const [portArg, prefix] = process.argv.slice(2);
if (!portArg || !prefix) throw new TypeError('usage: capture-dimse <port> <out-prefix>');

function item(type: number, body: Buffer): Buffer {
  const h = Buffer.alloc(4);
  h.writeUInt8(type, 0);
  h.writeUInt16BE(body.length, 2);
  return Buffer.concat([h, body]);
}

function associateAc(rq: Buffer): Buffer {
  const contexts: Buffer[] = [];
  let off = 74;
  while (off < rq.length) {
    const type = rq.readUInt8(off);
    const len = rq.readUInt16BE(off + 2);
    if (type === 0x20) {
      const id = rq.readUInt8(off + 4);
      let sub = off + 8;
      let ts: Buffer | undefined;
      while (sub < off + 4 + len) {
        const sl = rq.readUInt16BE(sub + 2);
        if (rq.readUInt8(sub) === 0x40 && !ts) ts = rq.subarray(sub + 4, sub + 4 + sl);
        sub += 4 + sl;
      }
      contexts.push(
        item(0x21, Buffer.concat([Buffer.from([id, 0, 0, 0]), item(0x40, ts ?? Buffer.alloc(0))])),
      );
    }
    off += 4 + len;
  }
  const maxLen = Buffer.alloc(4);
  maxLen.writeUInt32BE(16384);
  const userInfo = item(
    0x50,
    Buffer.concat([item(0x51, maxLen), item(0x52, Buffer.from('1.2.826.0.1.3680043.10.1337.1'))]),
  );
  const body = Buffer.concat([
    rq.subarray(6, 74), // protocol version, reserved, called AE, calling AE, reserved (echoed)
    item(0x10, Buffer.from('1.2.840.10008.3.1.1.1')),
    ...contexts,
    userInfo,
  ]);
  const h = Buffer.alloc(6);
  h.writeUInt8(0x02, 0);
  h.writeUInt32BE(body.length, 2);
  return Buffer.concat([h, body]);
}

const server = createServer((socket) => {
  socket.setNoDelay(true);
  let buf = Buffer.alloc(0);
  const command: Buffer[] = [];
  const dataset: Buffer[] = [];
  let done = false;
  socket.on('data', (d) => {
    buf = Buffer.concat([buf, d]);
    while (buf.length >= 6 && buf.length >= 6 + buf.readUInt32BE(2)) {
      const pdu = buf.subarray(0, 6 + buf.readUInt32BE(2));
      buf = buf.subarray(pdu.length);
      if (pdu.readUInt8(0) === 0x01) socket.write(associateAc(pdu));
      if (pdu.readUInt8(0) !== 0x04 || done) continue;
      for (let off = 6; off < pdu.length; ) {
        const len = pdu.readUInt32BE(off);
        const control = pdu.readUInt8(off + 5);
        const data = pdu.subarray(off + 6, off + 4 + len);
        (control & 1 ? command : dataset).push(Buffer.from(data));
        if (control === 0x02 || (control === 0x03 && noDataset(Buffer.concat(command)))) finish();
        off += 4 + len;
      }
    }
  });
  function finish(): void {
    done = true;
    writeFileSync(`${prefix}.hex`, `${Buffer.concat(command).toString('hex')}\n`);
    if (dataset.length > 0)
      writeFileSync(`${prefix}.dataset.hex`, `${Buffer.concat(dataset).toString('hex')}\n`);
    socket.end(Buffer.from([0x07, 0, 0, 0, 0, 4, 0, 0, 0, 0]));
    server.close();
  }
});

/** CommandDataSetType (0000,0800) = 0x0101 in an implicit VR LE command set. */
function noDataset(cs: Buffer): boolean {
  for (let off = 0; off + 8 <= cs.length; off += 8 + cs.readUInt32LE(off + 4))
    if (cs.readUInt16LE(off + 2) === 0x0800) return cs.readUInt16LE(off + 8) === 0x0101;
  return false;
}

server.listen(Number(portArg), '127.0.0.1');
