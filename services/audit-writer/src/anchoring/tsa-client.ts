/**
 * Asks an RFC 3161 Time-Stamp Authority over HTTP (RFC 3161 §3.4: POST application/timestamp-query, answer
 * application/timestamp-reply) to timestamp a SHA-256 digest, and checks the answer before it is kept: the
 * token's imprint is the digest asked for, its nonce ours, its signature valid (and, with trusted CA
 * certificates, issued by one of them).
 */
import { randomBytes, type X509Certificate } from 'node:crypto';
import { DicomtrailError } from '@dicomtrail/runtime';
import { encodeTimestampRequest } from './timestamp-request.js';
import { checkTimestampToken, type TimestampInfo, tokenOfResponse } from './timestamp-token.js';

export interface TsaOptions {
  url: string;
  timeoutMs: number;
  trusted?: readonly X509Certificate[];
}

export async function requestTimestamp(
  imprint: Buffer,
  opts: TsaOptions,
): Promise<{ token: Buffer; info: TimestampInfo }> {
  const nonce = randomBytes(8);
  let body: Buffer;
  try {
    const res = await fetch(opts.url, {
      method: 'POST',
      headers: { 'content-type': 'application/timestamp-query' },
      body: encodeTimestampRequest({ imprint, nonce }),
      signal: AbortSignal.timeout(opts.timeoutMs),
    });
    body = Buffer.from(await res.arrayBuffer());
    if (!res.ok) {
      throw new DicomtrailError('DT_ERR_TSA_HTTP', `the TSA answered HTTP ${res.status}`, {
        status: res.status,
      });
    }
  } catch (err) {
    if (err instanceof DicomtrailError) throw err;
    throw new DicomtrailError(
      'DT_ERR_TSA_UNREACHABLE',
      `the TSA did not answer: ${(err as Error).message}`,
      {},
      err,
    );
  }
  const token = tokenOfResponse(body);
  const info = checkTimestampToken(token, imprint, {
    nonce,
    ...(opts.trusted ? { trusted: opts.trusted } : {}),
  });
  return { token, info };
}
