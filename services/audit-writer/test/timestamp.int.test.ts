/**
 * Our RFC 3161 code against openssl: our TimeStampReq is answered by `openssl ts -reply` (the local TSA) and
 * the pair passes `openssl ts -verify`; our token check accepts the answer and refuses it once a byte of the
 * TSTInfo, the imprint or the trusted CA is wrong; a refusal is reported with the TSA's reason.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { encode, octetString, sequence, smallInteger } from '../src/anchoring/der.js';
import { encodeTimestampRequest } from '../src/anchoring/timestamp-request.js';
import { certificatesOfPem, checkTimestampToken, tokenOfResponse } from '../src/anchoring/timestamp-token.js';
import { requestTimestamp } from '../src/anchoring/tsa-client.js';
import { type LocalTsa, makeCa, startLocalTsa } from './support/local-tsa.js';

let tsa: LocalTsa;
let tmp: string;
const imprint = createHash('sha256').update('an anchor signature').digest();

before(async () => {
  tsa = await startLocalTsa();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'dt-ts-'));
});
after(async () => {
  await tsa?.close();
  rmSync(tmp, { recursive: true, force: true });
});

const trusted = () => certificatesOfPem(readFileSync(tsa.caFile, 'utf8'));

test('our request, answered by openssl ts -reply, passes openssl ts -verify and our check', async () => {
  const nonce = randomBytes(8);
  const query = encodeTimestampRequest({ imprint, nonce });
  const res = await fetch(tsa.url, { method: 'POST', body: query });
  const reply = Buffer.from(await res.arrayBuffer());
  writeFileSync(path.join(tmp, 'q.tsq'), query);
  writeFileSync(path.join(tmp, 'r.tsr'), reply);
  const { stdout } = await promisify(execFile)('openssl', [
    'ts',
    '-verify',
    '-queryfile',
    path.join(tmp, 'q.tsq'),
    '-in',
    path.join(tmp, 'r.tsr'),
    '-CAfile',
    tsa.caFile,
  ]);
  assert.match(stdout, /Verification: OK/);

  const t0 = Date.now();
  const info = checkTimestampToken(tokenOfResponse(reply), imprint, { trusted: trusted(), nonce });
  assert.equal(info.policy, '1.3.6.1.4.1.99999.1');
  assert.equal(info.tsa, 'CN=dicomtrail test TSA');
  assert.equal(info.trusted, true);
  assert.ok(Math.abs(info.genTime.getTime() - t0) < 60_000, info.genTime.toISOString());
  assert.throws(
    () => checkTimestampToken(tokenOfResponse(reply), imprint, { nonce: Buffer.from('0102', 'hex') }),
    /does not echo our nonce/,
  );
});

test('a token is refused when its TSTInfo, the imprint or the trusted CA is not the one expected', async () => {
  const { token } = await requestTimestamp(imprint, { url: tsa.url, timeoutMs: 30_000, trusted: trusted() });
  // the genTime's year, inside the signed TSTInfo, changed by one digit
  const at = token.indexOf(Buffer.from(String(new Date().getUTCFullYear())));
  assert.ok(at > 0);
  const edited = Buffer.from(token);
  edited[at] = edited[at]! ^ 1;
  assert.throws(() => checkTimestampToken(edited, imprint), /messageDigest is not the digest of the TSTInfo/);
  assert.throws(
    () => checkTimestampToken(token, createHash('sha256').update('another').digest()),
    /imprint does not match/,
  );
  const other = certificatesOfPem(readFileSync(await makeCa(tmp, 'other'), 'utf8'));
  assert.throws(() => checkTimestampToken(token, imprint, { trusted: other }), /not issued by a trusted CA/);
});

test('a TSA certificate whose serial starts with a zero digit (0x0a3f5c) is found (regression: 1 CA in 16)', async () => {
  const other = await startLocalTsa({ tsaSerial: '0x0a3f5c' });
  try {
    const { info } = await requestTimestamp(imprint, {
      url: other.url,
      timeoutMs: 30_000,
      trusted: certificatesOfPem(readFileSync(other.caFile, 'utf8')),
    });
    assert.equal(info.tsa, 'CN=dicomtrail test TSA');
  } finally {
    await other.close();
  }
});

test("a TSA's refusal is reported with its status and text; garbage is a DER error", () => {
  const refusal = sequence(
    sequence(smallInteger(2), sequence(encode(0x0c, Buffer.from('unsupported policy')))),
  );
  assert.throws(
    () => tokenOfResponse(refusal),
    /the TSA refused the request: status 2 \(unsupported policy\)/,
  );
  assert.throws(() => tokenOfResponse(Buffer.from('<html>')), /DT_ERR_DER|malformed DER/);
  assert.throws(() => tokenOfResponse(octetString(Buffer.alloc(3))), /tag 0x4, expected 0x30/);
});

test('an unreachable TSA and an HTTP error are typed errors, not hangs', async () => {
  await assert.rejects(
    requestTimestamp(imprint, { url: 'http://127.0.0.1:9/tsa', timeoutMs: 2000 }),
    /the TSA did not answer/,
  );
  tsa.setAvailable(false);
  try {
    await assert.rejects(
      requestTimestamp(imprint, { url: tsa.url, timeoutMs: 2000 }),
      /the TSA answered HTTP 503/,
    );
  } finally {
    tsa.setAvailable(true);
  }
});
