/**
 * Certificates for TLS tests, made with openssl in a test's own directory: a CA, and leaf certificates it signs
 * (server: subject alternative names for host names and IP addresses; client: CN = the user name). Keys are
 * EC P-256, PKCS#8, unencrypted unless a passphrase is given, written 0600.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface CertFiles {
  /** PEM certificate. */
  cert: string;
  /** PEM private key (0600). */
  key: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** EC P-256 (the default), or RSA 2048 for peers whose suites are RSA only (dcmtk's BCP 195 profiles). */
export type KeyType = 'ec' | 'rsa';

function newKey(file: string, cwd: string, passphrase?: string, keyType: KeyType = 'ec'): void {
  openssl(
    [
      'genpkey',
      ...(keyType === 'rsa'
        ? ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048']
        : ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']),
      ...(passphrase ? ['-aes-256-cbc', '-pass', `pass:${passphrase}`] : []),
      '-out',
      file,
    ],
    cwd,
  );
  chmodSync(path.join(cwd, file), 0o600);
}

/** A self-signed CA named `name` in `dir` (`<name>.pem`, `<name>.key`). */
export function makeCa(dir: string, name: string, keyType: KeyType = 'ec'): CertFiles {
  newKey(`${name}.key`, dir, undefined, keyType);
  openssl(
    [
      'req',
      '-x509',
      '-new',
      '-key',
      `${name}.key`,
      '-out',
      `${name}.pem`,
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
  return { cert: path.join(dir, `${name}.pem`), key: path.join(dir, `${name}.key`) };
}

/**
 * A certificate `name` signed by `ca`: CN `cn`, SANs from `dns` and `ips` (server), extended key usage for a
 * server and a client; the key encrypted with `passphrase` when given; valid `days` days (default 2; -1: expired).
 */
export function makeCert(
  dir: string,
  ca: CertFiles,
  name: string,
  opts: { cn: string; dns?: string[]; ips?: string[]; passphrase?: string; days?: number; keyType?: KeyType },
): CertFiles {
  newKey(`${name}.key`, dir, opts.passphrase, opts.keyType);
  const sans = [...(opts.dns ?? []).map((d) => `DNS:${d}`), ...(opts.ips ?? []).map((i) => `IP:${i}`)];
  writeFileSync(
    path.join(dir, `${name}.ext`),
    [
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth,clientAuth',
      ...(sans.length > 0 ? [`subjectAltName=${sans.join(',')}`] : []),
    ].join('\n'),
  );
  openssl(
    [
      'req',
      '-new',
      '-key',
      `${name}.key`,
      ...(opts.passphrase ? ['-passin', `pass:${opts.passphrase}`] : []),
      '-subj',
      `/CN=${opts.cn}`,
      '-out',
      `${name}.csr`,
    ],
    dir,
  );
  openssl(
    [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      ca.cert,
      '-CAkey',
      ca.key,
      '-CAcreateserial',
      '-days',
      // A negative number of days makes a certificate that has already expired.
      String(opts.days ?? 2),
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.pem`,
    ],
    dir,
  );
  return { cert: path.join(dir, `${name}.pem`), key: path.join(dir, `${name}.key`) };
}
