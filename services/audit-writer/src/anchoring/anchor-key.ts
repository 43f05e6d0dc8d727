/**
 * The anchoring key: an Ed25519 key pair the database never sees. The private key (PKCS#8 PEM) is readable by
 * its owner only, the anchoring process refuses a key file any group or other user may read or write; the
 * public key (SPKI PEM, `<key>.pub`) is what auditors verify anchors with. The key id is the SHA-256 of the
 * public key's DER, so an anchor names the key that signed it.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DicomtrailError } from '@dicomtrail/runtime';

export interface AnchorSigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  keyId: string;
}

export const publicKeyPathOf = (keyPath: string): string => `${keyPath}.pub`;

export function keyIdOf(publicKey: KeyObject): string {
  return `sha256:${createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex')}`;
}

/** Creates a key pair: the private key 0600 (in a folder created 0700 when missing), the public key beside it. */
export function generateAnchorKey(keyPath: string): {
  keyPath: string;
  publicKeyPath: string;
  keyId: string;
} {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  mkdirSync(path.dirname(keyPath), { recursive: true, mode: 0o700 });
  try {
    writeFileSync(keyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new DicomtrailError('DT_ERR_ANCHOR_KEY_EXISTS', `${keyPath} exists already; not overwritten`, {
        path: keyPath,
      });
    }
    throw err;
  }
  const publicKeyPath = publicKeyPathOf(keyPath);
  writeFileSync(publicKeyPath, publicKey.export({ type: 'spki', format: 'pem' }), { mode: 0o644 });
  return { keyPath, publicKeyPath, keyId: keyIdOf(publicKey) };
}

/** The private key, after checking that only its owner may read or write the file. */
export function loadAnchorSigningKey(keyPath: string): AnchorSigningKey {
  let mode: number;
  try {
    mode = statSync(keyPath).mode & 0o777;
  } catch (err) {
    throw new DicomtrailError(
      'DT_ERR_ANCHOR_KEY_MISSING',
      `anchor key file ${keyPath} cannot be read: ${(err as Error).message} (create one with: dicomtrail audit anchor-keygen --out ${keyPath})`,
      { path: keyPath },
      err,
    );
  }
  if ((mode & 0o077) !== 0) {
    throw new DicomtrailError(
      'DT_ERR_ANCHOR_KEY_MODE',
      `anchor key file ${keyPath} has mode 0${mode.toString(8)}: it must be readable by its owner only (chmod 600 ${keyPath})`,
      { path: keyPath, mode: `0${mode.toString(8)}` },
    );
  }
  const privateKey = createPrivateKey(readFileSync(keyPath));
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new DicomtrailError('DT_ERR_ANCHOR_KEY_TYPE', `anchor key file ${keyPath} is not an Ed25519 key`, {
      path: keyPath,
      type: privateKey.asymmetricKeyType,
    });
  }
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, keyId: keyIdOf(publicKey) };
}

export function loadAnchorPublicKey(publicKeyPath: string): KeyObject {
  try {
    const key = createPublicKey(readFileSync(publicKeyPath));
    if (key.asymmetricKeyType === 'ed25519') return key;
  } catch (err) {
    throw new DicomtrailError(
      'DT_ERR_ANCHOR_PUBLIC_KEY',
      `anchor public key ${publicKeyPath} cannot be read: ${(err as Error).message}`,
      { path: publicKeyPath },
      err,
    );
  }
  throw new DicomtrailError('DT_ERR_ANCHOR_PUBLIC_KEY', `${publicKeyPath} is not an Ed25519 public key`, {
    path: publicKeyPath,
  });
}
