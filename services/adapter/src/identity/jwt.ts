/**
 * JSON Web Token verification (RFC 7519, compact JWS per RFC 7515) for User Identity type 5 (PS3.7 D.3.3.7).
 * Asymmetric signatures only, checked against the configured public keys: RS256/384/512, PS256/384/512,
 * ES256/384/512 and EdDSA. `none` and the HMAC algorithms are refused (a shared secret would have to live on every
 * DICOM node). Then the claims: `iss` and `aud` when configured, `exp` (required) and `nbf`, with a clock skew.
 */
import { constants, createPublicKey, type KeyObject, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DicomtrailError } from '@dicomtrail/runtime';

export interface JwtKey {
  key: KeyObject;
  /** The JWK's `kid`, when it has one: a token naming a kid is checked against that key only. */
  kid?: string;
}

export interface JwtPolicy {
  keys: readonly JwtKey[];
  issuer?: string;
  audience?: string;
  clockSkewSeconds: number;
}

export type JwtResult =
  | { ok: true; claims: Record<string, unknown>; header: Record<string, unknown> }
  | { ok: false; reason: string };

interface Algorithm {
  hash: string | null;
  keyType: string;
  pss?: boolean;
  ecdsa?: boolean;
}

const ALGORITHMS: Record<string, Algorithm> = {
  RS256: { hash: 'sha256', keyType: 'rsa' },
  RS384: { hash: 'sha384', keyType: 'rsa' },
  RS512: { hash: 'sha512', keyType: 'rsa' },
  PS256: { hash: 'sha256', keyType: 'rsa', pss: true },
  PS384: { hash: 'sha384', keyType: 'rsa', pss: true },
  PS512: { hash: 'sha512', keyType: 'rsa', pss: true },
  ES256: { hash: 'sha256', keyType: 'ec', ecdsa: true },
  ES384: { hash: 'sha384', keyType: 'ec', ecdsa: true },
  ES512: { hash: 'sha512', keyType: 'ec', ecdsa: true },
  EdDSA: { hash: null, keyType: 'ed25519' },
};

const B64URL = /^[A-Za-z0-9_-]*$/;

function decodeJson(part: string, what: string): Record<string, unknown> | string {
  if (!B64URL.test(part)) return `${what} is not base64url`;
  try {
    const value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      return `${what} is not a JSON object`;
    return value as Record<string, unknown>;
  } catch {
    return `${what} is not JSON`;
  }
}

function audiences(aud: unknown): string[] {
  if (typeof aud === 'string') return [aud];
  if (Array.isArray(aud)) return aud.filter((a): a is string => typeof a === 'string');
  return [];
}

/** Verifies `token` (the primary field of a type 5 identity) at `nowSeconds`. Never throws for a bad token. */
export function verifyJwt(token: string, policy: JwtPolicy, nowSeconds = Date.now() / 1000): JwtResult {
  const parts = token.trim().split('.');
  if (parts.length !== 3) return { ok: false, reason: 'not a compact JWS (three base64url parts)' };
  const [h, p, s] = parts as [string, string, string];
  const header = decodeJson(h, 'header');
  if (typeof header === 'string') return { ok: false, reason: header };
  const claims = decodeJson(p, 'payload');
  if (typeof claims === 'string') return { ok: false, reason: claims };
  const alg = typeof header['alg'] === 'string' ? header['alg'] : '';
  const algorithm = Object.hasOwn(ALGORITHMS, alg) ? ALGORITHMS[alg] : undefined;
  if (!algorithm) return { ok: false, reason: `algorithm ${JSON.stringify(alg)} is not accepted` };
  if (header['crit'] !== undefined)
    return { ok: false, reason: 'critical header parameters are not supported' };
  const kid = typeof header['kid'] === 'string' ? header['kid'] : undefined;
  const candidates = policy.keys.filter(
    (k) =>
      k.key.asymmetricKeyType === algorithm.keyType &&
      (kid === undefined || k.kid === undefined || k.kid === kid),
  );
  if (candidates.length === 0)
    return { ok: false, reason: `no configured ${algorithm.keyType} key${kid ? ` with kid ${kid}` : ''}` };
  const data = Buffer.from(`${h}.${p}`, 'ascii');
  const signature = Buffer.from(s, 'base64url');
  const signed = candidates.some((k) => {
    try {
      return verify(
        algorithm.hash,
        data,
        algorithm.pss
          ? {
              key: k.key,
              padding: constants.RSA_PKCS1_PSS_PADDING,
              saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
            }
          : algorithm.ecdsa
            ? { key: k.key, dsaEncoding: 'ieee-p1363' }
            : k.key,
        signature,
      );
    } catch {
      return false;
    }
  });
  if (!signed) return { ok: false, reason: 'signature does not verify with the configured keys' };
  const skew = policy.clockSkewSeconds;
  if (typeof claims['exp'] !== 'number') return { ok: false, reason: 'no exp claim' };
  if (nowSeconds > claims['exp'] + skew) return { ok: false, reason: 'expired (exp)' };
  if (claims['nbf'] !== undefined) {
    if (typeof claims['nbf'] !== 'number') return { ok: false, reason: 'nbf is not a number' };
    if (nowSeconds + skew < claims['nbf']) return { ok: false, reason: 'not yet valid (nbf)' };
  }
  if (policy.issuer !== undefined && claims['iss'] !== policy.issuer) {
    return { ok: false, reason: `issuer ${JSON.stringify(claims['iss'] ?? null)} is not the configured one` };
  }
  if (policy.audience !== undefined && !audiences(claims['aud']).includes(policy.audience)) {
    return { ok: false, reason: 'the configured audience is not in aud' };
  }
  return { ok: true, claims, header };
}

/**
 * The public keys in `file`: a JWKS (`{"keys": [...]}`), one JWK, or PEM public keys / certificates.
 * Private key material in the file is refused: this file is for verifying only.
 */
export function loadJwtKeys(file: string): JwtKey[] {
  const text = readFileSync(file, 'utf8');
  const keys: JwtKey[] = [];
  if (text.trimStart().startsWith('{')) {
    const json = JSON.parse(text) as { keys?: unknown[] } & Record<string, unknown>;
    const jwks = Array.isArray(json.keys) ? json.keys : [json];
    for (const jwk of jwks as Record<string, unknown>[]) {
      if (jwk['d'] !== undefined) {
        throw new DicomtrailError('DT_ERR_JWT_KEYS', `${file} holds a private key; give only public keys`, {
          file,
        });
      }
      const key = createPublicKey({ key: jwk as never, format: 'jwk' });
      keys.push(typeof jwk['kid'] === 'string' ? { key, kid: jwk['kid'] } : { key });
    }
  } else {
    if (/PRIVATE KEY-----/.test(text)) {
      throw new DicomtrailError('DT_ERR_JWT_KEYS', `${file} holds a private key; give only public keys`, {
        file,
      });
    }
    const blocks = text.match(/-----BEGIN (PUBLIC KEY|CERTIFICATE)-----[\s\S]+?-----END \1-----/g) ?? [];
    for (const pem of blocks) keys.push({ key: createPublicKey(pem) });
  }
  if (keys.length === 0)
    throw new DicomtrailError('DT_ERR_JWT_KEYS', `${file} holds no public key`, { file });
  return keys;
}
