/**
 * DICOM TLS configuration (PS3.15 Annex B): the listener's certificate and key, the CAs its clients' certificates
 * must chain to, whether a client certificate is required, the AE-title bindings, and the defaults of our own
 * outgoing TLS legs (proxy upstreams, C-MOVE and storage commitment destinations). Files are read once at start-up;
 * the key (and its passphrase file) must be 0600 or stricter. The variables are declared here and spread into the
 * adapter's config spec.
 */
import { createSecureContext, type SecureContext, type SecureContextOptions } from 'node:tls';
import {
  ConfigError,
  type ConfigOf,
  type ConfigSpec,
  problemCollectingReader,
  readKeyFile,
  readPublicFile,
  readSecretFile,
} from '@dicomtrail/runtime';
import { type AeBindings, loadAeBindings } from './ae-bindings.js';
import { BCP195_CONTEXT } from './bcp195-profile.js';

export const CLIENT_AUTH_MODES = ['require', 'optional', 'off'] as const;
export type ClientAuth = (typeof CLIENT_AUTH_MODES)[number];

export const dicomTlsConfigSpec = {
  DICOM_TLS_CERT: {
    type: 'string',
    description:
      'PEM certificate (chain) of the DICOM listener; with DICOM_TLS_KEY the listener speaks only TLS 1.2/1.3 (BCP 195 non-downgrading profile), and it is also our client certificate on outgoing tls:// legs unless a route names another',
  },
  DICOM_TLS_KEY: {
    type: 'string',
    description: 'PEM private key of DICOM_TLS_CERT; refused unless mode 0600 or stricter',
  },
  DICOM_TLS_KEY_PASSPHRASE_FILE: {
    type: 'string',
    description:
      'File holding the passphrase of an encrypted DICOM_TLS_KEY; refused unless mode 0600 or stricter',
  },
  DICOM_TLS_CA: {
    type: 'string',
    description:
      "PEM CA certificate(s) that client certificates must chain to (and, unless a route names another, that sign the upstreams' and move destinations' certificates)",
  },
  DICOM_TLS_CLIENT_AUTH: {
    type: 'enum',
    values: CLIENT_AUTH_MODES,
    description:
      'Client certificates on the TLS listener: require (the default when DICOM_TLS_CA is set), optional (verified when presented), off (the default without DICOM_TLS_CA)',
  },
  DICOM_TLS_AE_BINDINGS: {
    type: 'string',
    description:
      'Which calling AE titles a client certificate may use: CN=NAME:AE1|AE2;SAN=NAME:AE3 (or a file of such lines when the value starts with / or ./); a mismatch is an A-ASSOCIATE-RJ (calling AE title not recognized). See docs/security.md',
  },
  DICOM_PLAIN_PORT: {
    type: 'int',
    min: 0,
    max: 65535,
    description:
      'With DICOM TLS on: also listen in plaintext on this port (for peers without TLS); unset: TLS only',
  },
} as const satisfies ConfigSpec;

export type DicomTlsConfig = ConfigOf<typeof dicomTlsConfigSpec>;

/** Our TLS files, read: PEM strings (the key and passphrase are secrets and never logged). */
export interface TlsMaterial {
  ca?: string;
  cert?: string;
  key?: string;
  passphrase?: string;
}

/** The listener's TLS: what `TlsGate` (tls-gate.ts) needs. */
export interface ListenerTls {
  /** The certificate, key and client CAs (secrets: never logged). */
  material: TlsMaterial;
  clientAuth: ClientAuth;
  bindings?: AeBindings;
  plainPort?: number;
}

export interface DicomTls {
  /** Undefined: the listener is plaintext. */
  listener?: ListenerTls;
  /** What an outgoing tls:// leg uses unless it names its own files. */
  outboundDefaults: TlsMaterial;
}

/** Secure context options of the BCP 195 profile with PEM material. */
export function bcp195Options(m: TlsMaterial): SecureContextOptions {
  return {
    ...BCP195_CONTEXT,
    ...(m.ca ? { ca: m.ca } : {}),
    ...(m.cert ? { cert: m.cert } : {}),
    ...(m.key ? { key: m.key } : {}),
    ...(m.passphrase !== undefined ? { passphrase: m.passphrase } : {}),
  };
}

/** A secure context of the BCP 195 profile from PEM material (throws when the key does not fit, ...). */
export function bcp195Context(m: TlsMaterial): SecureContext {
  return createSecureContext(bcp195Options(m));
}

/** A TLS library error in words that never carry a secret (OpenSSL's reason, without the key). */
export function tlsErrorWords(err: unknown): string {
  const e = err as { reason?: string; code?: string; message?: string };
  return e.reason ?? e.code ?? e.message ?? String(err);
}

/**
 * Reads and checks the DICOM_TLS_* variables; throws a ConfigError listing every problem (variable and file names,
 * never contents).
 */
export function dicomTlsFromConfig(cfg: Partial<DicomTlsConfig>): DicomTls {
  const problems: string[] = [];
  const read = problemCollectingReader(problems);
  if ((cfg.DICOM_TLS_CERT === undefined) !== (cfg.DICOM_TLS_KEY === undefined))
    problems.push('DICOM_TLS_CERT and DICOM_TLS_KEY go together (the listener certificate and its key)');
  if (cfg.DICOM_TLS_KEY_PASSPHRASE_FILE !== undefined && cfg.DICOM_TLS_KEY === undefined)
    problems.push('DICOM_TLS_KEY_PASSPHRASE_FILE is set without DICOM_TLS_KEY');
  const material: TlsMaterial = {};
  const ca = read(cfg.DICOM_TLS_CA, 'DICOM_TLS_CA', readPublicFile);
  const cert = read(cfg.DICOM_TLS_CERT, 'DICOM_TLS_CERT', readPublicFile);
  const key = read(cfg.DICOM_TLS_KEY, 'DICOM_TLS_KEY', readKeyFile);
  const passphrase = read(cfg.DICOM_TLS_KEY_PASSPHRASE_FILE, 'DICOM_TLS_KEY_PASSPHRASE_FILE', readSecretFile);
  if (ca !== undefined) material.ca = ca;
  if (cert !== undefined) material.cert = cert;
  if (key !== undefined) material.key = key;
  if (passphrase !== undefined) material.passphrase = passphrase;

  const listenerOn = cfg.DICOM_TLS_CERT !== undefined && cfg.DICOM_TLS_KEY !== undefined;
  const clientAuth = (cfg.DICOM_TLS_CLIENT_AUTH ?? (ca !== undefined ? 'require' : 'off')) as ClientAuth;
  if (clientAuth !== 'off' && cfg.DICOM_TLS_CA === undefined)
    problems.push(
      `DICOM_TLS_CLIENT_AUTH=${clientAuth} needs DICOM_TLS_CA (the CAs client certificates chain to)`,
    );
  if (!listenerOn) {
    for (const v of ['DICOM_TLS_CLIENT_AUTH', 'DICOM_TLS_AE_BINDINGS', 'DICOM_PLAIN_PORT'] as const)
      if (cfg[v] !== undefined) problems.push(`${v} is set without DICOM_TLS_CERT and DICOM_TLS_KEY`);
  }
  let bindings: AeBindings | undefined;
  if (cfg.DICOM_TLS_AE_BINDINGS !== undefined) {
    try {
      bindings = loadAeBindings(cfg.DICOM_TLS_AE_BINDINGS);
    } catch (err) {
      problems.push((err as Error).message);
    }
    if (clientAuth === 'off')
      problems.push('DICOM_TLS_AE_BINDINGS needs client certificates (DICOM_TLS_CA, DICOM_TLS_CLIENT_AUTH)');
  }
  if (listenerOn && problems.length === 0) {
    try {
      bcp195Context(material);
    } catch (err) {
      problems.push(`DICOM_TLS_CERT / DICOM_TLS_KEY: ${tlsErrorWords(err)}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    ...(listenerOn
      ? {
          listener: {
            material,
            clientAuth,
            ...(bindings ? { bindings } : {}),
            ...(cfg.DICOM_PLAIN_PORT !== undefined ? { plainPort: cfg.DICOM_PLAIN_PORT } : {}),
          },
        }
      : {}),
    outboundDefaults: material,
  };
}
