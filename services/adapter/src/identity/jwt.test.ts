import assert from 'node:assert/strict';
import { constants, createHmac, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { type JwtPolicy, loadJwtKeys, verifyJwt } from './jwt.js';

const NOW = 1_800_000_000;
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

function token(
  alg: string,
  key: KeyObject | null,
  claims: Record<string, unknown>,
  header: Record<string, unknown> = {},
) {
  const input = `${b64({ alg, typ: 'JWT', ...header })}.${b64(claims)}`;
  let sig: Buffer;
  if (alg === 'none') sig = Buffer.alloc(0);
  else if (alg === 'EdDSA') sig = sign(null, Buffer.from(input), key as KeyObject);
  else if (alg.startsWith('ES'))
    sig = sign('sha256', Buffer.from(input), { key: key as KeyObject, dsaEncoding: 'ieee-p1363' });
  else if (alg.startsWith('PS'))
    sig = sign('sha256', Buffer.from(input), {
      key: key as KeyObject,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
    });
  else sig = sign('sha256', Buffer.from(input), key as KeyObject);
  return `${input}.${sig.toString('base64url')}`;
}

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ed = generateKeyPairSync('ed25519');
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
const claims = { sub: 'alice', iss: 'https://idp.example', aud: 'dicomtrail', exp: NOW + 300, nbf: NOW - 10 };
const policy: JwtPolicy = {
  keys: [{ key: rsa.publicKey, kid: 'rsa-1' }, { key: ec.publicKey }, { key: ed.publicKey }],
  issuer: 'https://idp.example',
  audience: 'dicomtrail',
  clockSkewSeconds: 60,
};

test('verifyJwt: RS256, PS256, ES256 and EdDSA tokens from the configured keys verify, with their claims', () => {
  for (const [alg, key] of [
    ['RS256', rsa.privateKey],
    ['PS256', rsa.privateKey],
    ['ES256', ec.privateKey],
    ['EdDSA', ed.privateKey],
  ] as const) {
    const r = verifyJwt(token(alg, key, claims), policy, NOW);
    assert.equal(r.ok, true, `${alg}: ${JSON.stringify(r)}`);
    assert.equal(r.ok && r.claims['sub'], 'alice');
  }
});

test('verifyJwt: each way a token can be wrong is refused with its reason', () => {
  const cases: [string, string, RegExp][] = [
    ['another key', token('RS256', other.privateKey, claims), /signature does not verify/],
    ['expired', token('RS256', rsa.privateKey, { ...claims, exp: NOW - 61 }), /expired/],
    ['no exp', token('RS256', rsa.privateKey, { ...claims, exp: undefined }), /no exp/],
    ['not yet valid', token('RS256', rsa.privateKey, { ...claims, nbf: NOW + 61 }), /not yet valid/],
    ['issuer', token('RS256', rsa.privateKey, { ...claims, iss: 'https://evil.example' }), /issuer/],
    ['audience', token('RS256', rsa.privateKey, { ...claims, aud: ['other'] }), /audience/],
    ['alg none', token('none', null, claims), /algorithm "none" is not accepted/],
    [
      'unknown kid',
      token('RS256', rsa.privateKey, claims, { kid: 'rsa-2' }),
      /no configured rsa key with kid rsa-2/,
    ],
    ['not a JWS', 'abc.def', /three base64url parts/],
    ['garbage header', `%%%.${b64(claims)}.abc`, /header is not base64url/],
  ];
  const hs = `${b64({ alg: 'HS256' })}.${b64(claims)}`;
  cases.push([
    'HMAC',
    `${hs}.${createHmac('sha256', 'secret').update(hs).digest('base64url')}`,
    /"HS256" is not accepted/,
  ]);
  const good = token('RS256', rsa.privateKey, claims).split('.');
  cases.push([
    'tampered payload',
    `${good[0]}.${b64({ ...claims, sub: 'mallory' })}.${good[2]}`,
    /signature does not verify/,
  ]);
  for (const [what, t, reason] of cases) {
    const r = verifyJwt(t, policy, NOW);
    assert.equal(r.ok, false, what);
    assert.match((r as { reason: string }).reason, reason, what);
  }
  assert.equal(
    verifyJwt(token('RS256', rsa.privateKey, { ...claims, exp: NOW - 30 }), policy, NOW).ok,
    true,
    'within skew',
  );
});

test('loadJwtKeys: a JWKS, one JWK or PEM public keys; private keys refused', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'dt-jwks-'));
  try {
    const jwks = path.join(dir, 'jwks.json');
    writeFileSync(
      jwks,
      JSON.stringify({
        keys: [
          { ...rsa.publicKey.export({ format: 'jwk' }), kid: 'rsa-1' },
          ec.publicKey.export({ format: 'jwk' }),
        ],
      }),
    );
    const keys = loadJwtKeys(jwks);
    assert.deepEqual(
      keys.map((k) => [k.key.asymmetricKeyType, k.kid]),
      [
        ['rsa', 'rsa-1'],
        ['ec', undefined],
      ],
    );
    const pem = path.join(dir, 'keys.pem');
    writeFileSync(
      pem,
      `${ed.publicKey.export({ format: 'pem', type: 'spki' })}${rsa.publicKey.export({ format: 'pem', type: 'spki' })}`,
    );
    assert.equal(loadJwtKeys(pem).length, 2);
    const priv = path.join(dir, 'private.pem');
    writeFileSync(priv, rsa.privateKey.export({ format: 'pem', type: 'pkcs8' }));
    assert.throws(() => loadJwtKeys(priv), /holds a private key/);
    const privJwk = path.join(dir, 'private.json');
    writeFileSync(privJwk, JSON.stringify(rsa.privateKey.export({ format: 'jwk' })));
    assert.throws(() => loadJwtKeys(privJwk), /holds a private key/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
