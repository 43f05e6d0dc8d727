/**
 * Salted scrypt password hashes (RFC 7914), as kept in the users file:
 *   scrypt$<N>$<r>$<p>$<salt, base64>$<hash, base64>
 * N = 2^15, r = 8, p = 1 and a 16-byte salt by default (OWASP's minimum for scrypt); the parameters travel with
 * each hash, so stronger ones can be chosen later without invalidating the file.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { DicomtrailError } from '@dicomtrail/runtime';

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

export const DEFAULT_SCRYPT: ScryptParams = { N: 2 ** 15, r: 8, p: 1 };
const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer, params: ScryptParams, keyLength: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(
      password.normalize('NFC'),
      salt,
      keyLength,
      { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r },
      (err, key) => (err ? reject(err) : resolve(key)),
    );
  });
}

export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<string> {
  const salt = randomBytes(16);
  const hash = await derive(password, salt, params, KEY_LENGTH);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64'), hash.toString('base64')].join('$');
}

export interface ParsedHash {
  params: ScryptParams;
  salt: Buffer;
  hash: Buffer;
}

/** Parses a stored hash; throws DT_ERR_PASSWORD_HASH naming what is wrong (never the hash itself). */
export function parsePasswordHash(text: string): ParsedHash {
  const parts = text.split('$');
  const [scheme, n, r, p, salt, hash] = parts;
  if (parts.length !== 6 || scheme !== 'scrypt') {
    throw new DicomtrailError('DT_ERR_PASSWORD_HASH', 'not a scrypt$N$r$p$salt$hash password hash');
  }
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  const powerOfTwo = Number.isInteger(params.N) && params.N > 1 && (params.N & (params.N - 1)) === 0;
  if (
    !powerOfTwo ||
    !Number.isInteger(params.r) ||
    params.r < 1 ||
    !Number.isInteger(params.p) ||
    params.p < 1
  ) {
    throw new DicomtrailError(
      'DT_ERR_PASSWORD_HASH',
      'scrypt parameters out of range (N a power of two, r and p >= 1)',
    );
  }
  const saltBytes = Buffer.from(salt as string, 'base64');
  const hashBytes = Buffer.from(hash as string, 'base64');
  if (saltBytes.length < 8 || hashBytes.length < 16) {
    throw new DicomtrailError('DT_ERR_PASSWORD_HASH', 'scrypt salt or hash too short');
  }
  return { params, salt: saltBytes, hash: hashBytes };
}

/** True when `password` matches; compares in constant time. */
export async function verifyPassword(password: string, stored: ParsedHash): Promise<boolean> {
  const candidate = await derive(password, stored.salt, stored.params, stored.hash.length);
  return timingSafeEqual(candidate, stored.hash);
}
