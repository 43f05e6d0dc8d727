// Test helper (not shipped): captures PDUs from DCMTK on 127.0.0.1 and writes them as hex.
//
//   node capture.mjs scu <out.hex> -- <command with PORT placeholder...>
//     Listens on 127.0.0.1, runs the DCMTK SCU with PORT replaced by the port,
//     saves the first PDU it sends (the A-ASSOCIATE-RQ), answers with A-ABORT and closes.
//
//   node capture.mjs scp <rq.hex> <outdir> [storescp args...]
//     Starts `storescp [args] PORT`, sends the A-ASSOCIATE-RQ from rq.hex, saves every PDU
//     the SCP sends back: the A-ASSOCIATE-AC (or -RJ), then, if accepted, the P-DATA-TF answering
//     a C-ECHO-RQ on context 1, then the A-RELEASE-RP answering an A-RELEASE-RQ.
//     With AFTER_AC=<hex>, sends those bytes after the AC instead (a bad PDU makes the SCP send A-ABORT).
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';

const HOST = '127.0.0.1';

/** Splits a byte stream into whole PDUs (6-byte header: type, reserved, u32 length). */
function framer(onPdu) {
  let buf = Buffer.alloc(0);
  return (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    while (buf.length >= 6) {
      const len = buf.readUInt32BE(2);
      if (buf.length < 6 + len) break;
      onPdu(Buffer.from(buf.subarray(0, 6 + len)));
      buf = buf.subarray(6 + len);
    }
  };
}

const toHex = (b) =>
  `${b
    .toString('hex')
    .replace(/(.{64})/g, '$1\n')
    .trim()}\n`;
const abortPdu = Buffer.from('07000000000400000000', 'hex');

function captureScu(out, cmd) {
  const server = net.createServer((sock) => {
    sock.on(
      'data',
      framer((pdu) => {
        writeFileSync(out, toHex(pdu));
        console.log(`wrote ${out} (${pdu.length} bytes, type ${pdu[0]})`);
        sock.end(abortPdu);
        server.close();
      }),
    );
  });
  server.listen(0, HOST, () => {
    const port = String(server.address().port);
    const args = cmd.map((a) => (a === 'PORT' ? port : a));
    const child = spawn(args[0], args.slice(1), {
      stdio: 'inherit',
      env: { ...process.env, TCP_NODELAY: '1' },
    });
    child.on('exit', () => server.close());
  });
}

/** C-ECHO-RQ command set, implicit VR little endian (PS3.7 Table 9.3-12). */
function echoCommand() {
  const el = (group, elem, value) => {
    const h = Buffer.alloc(8);
    h.writeUInt16LE(group, 0);
    h.writeUInt16LE(elem, 2);
    h.writeUInt32LE(value.length, 4);
    return Buffer.concat([h, value]);
  };
  const us = (v) => {
    const b = Buffer.alloc(2);
    b.writeUInt16LE(v);
    return b;
  };
  const body = Buffer.concat([
    el(0, 0x0002, Buffer.from('1.2.840.10008.1.1\0', 'latin1')),
    el(0, 0x0100, us(0x0030)),
    el(0, 0x0110, us(1)),
    el(0, 0x0800, us(0x0101)),
  ]);
  const gl = Buffer.alloc(4);
  gl.writeUInt32LE(body.length);
  return Buffer.concat([el(0, 0, gl), body]);
}

function pDataTf(contextId, header, data) {
  const pdu = Buffer.alloc(6 + 6 + data.length);
  pdu.writeUInt8(0x04, 0);
  pdu.writeUInt32BE(6 + data.length, 2);
  pdu.writeUInt32BE(2 + data.length, 6);
  pdu.writeUInt8(contextId, 10);
  pdu.writeUInt8(header, 11);
  data.copy(pdu, 12);
  return pdu;
}

async function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, HOST, () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function captureScp(rqHex, outdir, scpArgs) {
  // AFTER_AC=<hex> sends these bytes instead of the C-ECHO-RQ (e.g. a broken PDU, to capture an A-ABORT).
  const afterAc = process.env.AFTER_AC ? Buffer.from(process.env.AFTER_AC, 'hex') : undefined;
  mkdirSync(outdir, { recursive: true });
  const rq = Buffer.from(readFileSync(rqHex, 'utf8').replace(/\s+/g, ''), 'hex');
  const port = await freePort();
  const scp = spawn('storescp', [...scpArgs, String(port)], {
    stdio: 'inherit',
    env: { ...process.env, TCP_NODELAY: '1' },
  });
  await new Promise((r) => setTimeout(r, 500));
  const sock = net.connect(port, HOST);
  const names = { 2: 'associate-ac', 3: 'associate-rj', 4: 'p-data-tf', 6: 'release-rp', 7: 'abort' };
  sock.on(
    'data',
    framer((pdu) => {
      const file = join(outdir, `${names[pdu[0]] ?? `type-${pdu[0]}`}.hex`);
      writeFileSync(file, toHex(pdu));
      console.log(`wrote ${file} (${pdu.length} bytes)`);
      if (pdu[0] === 2) sock.write(afterAc ?? pDataTf(1, 0x03, echoCommand()));
      else if (pdu[0] === 4) sock.write(Buffer.from('05000000000400000000', 'hex'));
      else sock.end();
    }),
  );
  sock.on('close', () => scp.kill());
  sock.write(rq);
}

const [mode, ...rest] = process.argv.slice(2);
if (mode === 'scu') {
  const sep = rest.indexOf('--');
  captureScu(rest[0], rest.slice(sep + 1));
} else if (mode === 'scp') {
  await captureScp(rest[0], rest[1], rest.slice(2));
} else {
  console.error('usage: capture.mjs scu <out.hex> -- cmd... PORT | scp <rq.hex> <outdir> [storescp args]');
  process.exit(2);
}
