/**
 * A local RFC 3161 Time-Stamp Authority for tests: `openssl ts -reply` behind a small HTTP server on
 * 127.0.0.1, with a CA and a TSA certificate (extendedKeyUsage=critical,timeStamping) made by openssl. One
 * request at a time (openssl keeps the serial number in a file).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface LocalTsa {
  url: string;
  /** PEM of the CA that issued the TSA certificate. */
  caFile: string;
  /** Requests answered. */
  answered: () => number;
  /** false: every request is answered HTTP 503 (a TSA outage). */
  setAvailable(up: boolean): void;
  close(): Promise<void>;
}

/** A self-signed CA (P-256) in `dir` as <name>.crt/<name>.key. */
export async function makeCa(dir: string, name: string): Promise<string> {
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    path.join(dir, `${name}.key`),
    '-out',
    path.join(dir, `${name}.crt`),
    '-subj',
    `/CN=${name}`,
    '-days',
    '2',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  return path.join(dir, `${name}.crt`);
}

async function makeTsaCertificate(dir: string, serial?: string): Promise<void> {
  await run('openssl', [
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    path.join(dir, 'tsa.key'),
    '-out',
    path.join(dir, 'tsa.csr'),
    '-subj',
    '/CN=dicomtrail test TSA',
  ]);
  writeFileSync(
    path.join(dir, 'tsa.ext'),
    'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=critical,timeStamping\n',
  );
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    path.join(dir, 'tsa.csr'),
    '-CA',
    path.join(dir, 'ca.crt'),
    '-CAkey',
    path.join(dir, 'ca.key'),
    ...(serial ? ['-set_serial', serial] : ['-CAcreateserial']),
    '-out',
    path.join(dir, 'tsa.crt'),
    '-days',
    '2',
    '-extfile',
    path.join(dir, 'tsa.ext'),
  ]);
  writeFileSync(path.join(dir, 'serial'), '01\n');
  writeFileSync(
    path.join(dir, 'tsa.cnf'),
    [
      '[ tsa ]',
      'default_tsa = local',
      '[ local ]',
      `serial = ${path.join(dir, 'serial')}`,
      'crypto_device = builtin',
      `signer_cert = ${path.join(dir, 'tsa.crt')}`,
      `certs = ${path.join(dir, 'ca.crt')}`,
      `signer_key = ${path.join(dir, 'tsa.key')}`,
      'signer_digest = sha256',
      'default_policy = 1.3.6.1.4.1.99999.1',
      'digests = sha256, sha384, sha512',
      'accuracy = secs:1',
      'ordering = no',
      'tsa_name = yes',
      'ess_cert_id_chain = no',
      'ess_cert_id_alg = sha256',
      '',
    ].join('\n'),
  );
}

/** `tsaSerial`: the TSA certificate's serial number (e.g. 0x0a3f5c), random when absent. */
export async function startLocalTsa(opts: { tsaSerial?: string } = {}): Promise<LocalTsa> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dt-tsa-'));
  const caFile = await makeCa(dir, 'ca');
  await makeTsaCertificate(dir, opts.tsaSerial);
  let queue: Promise<unknown> = Promise.resolve();
  let answered = 0;
  let available = true;
  let n = 0;
  const reply = async (query: Buffer): Promise<Buffer> => {
    const id = ++n;
    const q = path.join(dir, `q${id}.tsq`);
    const r = path.join(dir, `r${id}.tsr`);
    writeFileSync(q, query);
    await run('openssl', ['ts', '-reply', '-config', path.join(dir, 'tsa.cnf'), '-queryfile', q, '-out', r]);
    return readFileSync(r);
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (!available || req.method !== 'POST') {
        res.writeHead(503).end();
        return;
      }
      const answer = queue.then(() => reply(Buffer.concat(chunks)));
      queue = answer.catch(() => undefined);
      answer.then(
        (body) => {
          answered += 1;
          res.writeHead(200, { 'content-type': 'application/timestamp-reply' }).end(body);
        },
        (err: Error) => res.writeHead(500).end(err.message),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/tsa`,
    caFile,
    answered: () => answered,
    setAvailable(up) {
      available = up;
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
