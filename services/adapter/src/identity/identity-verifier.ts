/**
 * The verifier behind EVT_USER_ID (PS3.7 D.3.3.7) when identities are configured:
 *   type 1 (username): the user is in the users file;
 *   type 2 (username and passcode): the passcode matches the user's scrypt hash;
 *   type 5 (JWT): the token verifies against the configured public keys and claims (jwt.ts);
 *   types 3 and 4 (Kerberos, SAML): refused, no verifier for them;
 *   a type with nothing configured for it: refused.
 * A refusal carries its reason (recorded in EVT_USER_ID and the reject); never the secret.
 */
import { createHash } from 'node:crypto';
import type { UserIdentityResult, UserIdentityVerifier } from '../acse/user-identity.js';
import { type JwtPolicy, verifyJwt } from './jwt.js';
import { DEFAULT_SCRYPT, type ParsedHash, verifyPassword } from './password-hash.js';

export interface IdentityVerifierOptions {
  users?: ReadonlyMap<string, ParsedHash>;
  jwt?: JwtPolicy;
  now?: () => number;
}

/** Spent on an unknown user, so that the answer takes as long as for a known one. */
const DECOY: ParsedHash = {
  params: DEFAULT_SCRYPT,
  salt: Buffer.alloc(16, 1),
  hash: Buffer.alloc(32, 2),
};

function refused(reason: string): UserIdentityResult {
  return { verified: false, accepted: false, reason };
}

export function createIdentityVerifier(opts: IdentityVerifierOptions): UserIdentityVerifier {
  return async (identity) => {
    switch (identity.type) {
      case 1:
      case 2: {
        if (!opts.users) return refused('no users file is configured (DICOM_USERS_FILE)');
        const name = identity.primaryField.toString('utf8');
        const stored = opts.users.get(name);
        if (identity.type === 1) return stored ? { verified: true, accepted: true } : refused('unknown user');
        const matches = await verifyPassword(identity.secondaryField.toString('utf8'), stored ?? DECOY);
        if (!stored) return refused('unknown user');
        if (!matches) return refused('wrong passcode');
        return { verified: true, accepted: true, response: Buffer.alloc(0) };
      }
      case 5: {
        if (!opts.jwt) return refused('no JWT keys are configured (DICOM_JWT_KEYS_FILE)');
        const now = (opts.now?.() ?? Date.now()) / 1000;
        const r = verifyJwt(identity.primaryField.toString('utf8'), opts.jwt, now);
        if (!r.ok) return refused(`JWT: ${r.reason}`);
        // The server response confirms which token was accepted: its sha256, never the token itself.
        const digest = createHash('sha256').update(identity.primaryField).digest('hex');
        return { verified: true, accepted: true, response: Buffer.from(digest, 'ascii') };
      }
      case 3:
        return refused('Kerberos identities are not verified by this node (no verifier configured)');
      case 4:
        return refused('SAML identities are not verified by this node (no verifier configured)');
    }
  };
}
