/**
 * How every dicomtrail Kafka client (the adapter's publisher on kafkajs or @platformatic/kafka, the audit writer's
 * and the trace exporter's consumers) authenticates the brokers and itself: TLS with our CA and an optional
 * client certificate, and SASL (SCRAM-SHA-512 recommended). The variables are declared once here and spread into
 * each service's config spec; `kafkaSecurityFromConfig` reads and checks the files once (key and secret files must
 * be 0600 or stricter) into a plain, cloneable `KafkaSecurity` that crosses into the producer thread, and
 * `kafkajsSecurity` / `platformaticSecurity` turn it into each library's options.
 * `kafkaLinkProblem` names why a connection failed (credentials, trust) without ever repeating a secret.
 */

import { isIP } from 'node:net';
import { type ConnectionOptions as TlsOptions, connect as tlsConnect } from 'node:tls';
import {
  ConfigError,
  type ConfigOf,
  type ConfigSpec,
  DicomtrailError,
  describeTlsFailure,
  errorChain,
  oneLine,
  problemCollectingReader,
  readKeyFile,
  readPublicFile,
  readSecretFile,
  tlsFailureOf,
} from '@dicomtrail/runtime';
import type { SASLOptions as PlatformaticSasl } from '@platformatic/kafka';
import type { KafkaConfig } from 'kafkajs';

export const SASL_MECHANISMS = ['none', 'scram-sha-512', 'scram-sha-256', 'plain'] as const;
export type SaslMechanism = Exclude<(typeof SASL_MECHANISMS)[number], 'none'>;

export const kafkaSecurityConfigSpec = {
  KAFKA_SSL: {
    type: 'bool',
    default: false,
    description:
      "Connect to the brokers over TLS, verifying their certificates (implied by KAFKA_SSL_CA or KAFKA_SSL_CERT; without KAFKA_SSL_CA the system's CAs are trusted)",
  },
  KAFKA_SSL_CA: {
    type: 'string',
    description: "PEM file of the CA certificate(s) that sign the brokers' certificates",
  },
  KAFKA_SSL_CERT: {
    type: 'string',
    description:
      'PEM file of our client certificate (chain), for brokers that require TLS client authentication',
  },
  KAFKA_SSL_KEY: {
    type: 'string',
    description: 'PEM file of the private key of KAFKA_SSL_CERT; refused unless mode 0600 or stricter',
  },
  KAFKA_SSL_KEY_PASSPHRASE: {
    type: 'string',
    description: 'Passphrase of an encrypted KAFKA_SSL_KEY (prefer KAFKA_SSL_KEY_PASSPHRASE_FILE)',
  },
  KAFKA_SSL_KEY_PASSPHRASE_FILE: {
    type: 'string',
    description: 'File holding the passphrase of KAFKA_SSL_KEY; refused unless mode 0600 or stricter',
  },
  KAFKA_SASL_MECHANISM: {
    type: 'enum',
    values: SASL_MECHANISMS,
    default: 'none',
    description:
      'SASL authentication to the brokers: scram-sha-512 (recommended), scram-sha-256, plain (only with TLS), or none',
  },
  KAFKA_SASL_USERNAME: {
    type: 'string',
    description: 'SASL user name (with KAFKA_SASL_MECHANISM)',
  },
  KAFKA_SASL_PASSWORD: {
    type: 'string',
    description:
      'SASL password (prefer KAFKA_SASL_PASSWORD_FILE: the environment is visible to the same user)',
  },
  KAFKA_SASL_PASSWORD_FILE: {
    type: 'string',
    description: 'File holding the SASL password; refused unless mode 0600 or stricter',
  },
} as const satisfies ConfigSpec;

export type KafkaSecurityConfig = ConfigOf<typeof kafkaSecurityConfigSpec>;

/** What a Kafka client needs to connect securely: plain strings only (it crosses worker threads). */
export interface KafkaSecurity {
  tls?: { ca?: string; cert?: string; key?: string; passphrase?: string };
  sasl?: { mechanism: SaslMechanism; username: string; password: string };
}

/** A secret given inline or in a file (not both); the file is checked like a key file. */
function secret(
  inline: string | undefined,
  file: string | undefined,
  name: string,
  problems: string[],
): string | undefined {
  if (inline !== undefined && file !== undefined) {
    problems.push(`${name} and ${name}_FILE are both set; set one`);
    return undefined;
  }
  if (file === undefined) return inline;
  try {
    return readSecretFile(file, `${name}_FILE`);
  } catch (err) {
    problems.push((err as Error).message);
    return undefined;
  }
}

/**
 * The security options from the KAFKA_SSL_* and KAFKA_SASL_* variables: files read, permissions and combinations
 * checked. Throws a ConfigError listing every problem (file names and variable names, never their contents).
 */
export function kafkaSecurityFromConfig(cfg: Partial<KafkaSecurityConfig>): KafkaSecurity {
  const problems: string[] = [];
  const read = problemCollectingReader(problems);
  const out: KafkaSecurity = {};
  const tlsOn = cfg.KAFKA_SSL === true || cfg.KAFKA_SSL_CA !== undefined || cfg.KAFKA_SSL_CERT !== undefined;
  if ((cfg.KAFKA_SSL_CERT === undefined) !== (cfg.KAFKA_SSL_KEY === undefined))
    problems.push('KAFKA_SSL_CERT and KAFKA_SSL_KEY go together (a client certificate and its key)');
  const passphrase = secret(
    cfg.KAFKA_SSL_KEY_PASSPHRASE,
    cfg.KAFKA_SSL_KEY_PASSPHRASE_FILE,
    'KAFKA_SSL_KEY_PASSPHRASE',
    problems,
  );
  if (passphrase !== undefined && cfg.KAFKA_SSL_KEY === undefined)
    problems.push('KAFKA_SSL_KEY_PASSPHRASE is set without KAFKA_SSL_KEY');
  if (tlsOn) {
    const ca = read(cfg.KAFKA_SSL_CA, 'KAFKA_SSL_CA', readPublicFile);
    const cert = read(cfg.KAFKA_SSL_CERT, 'KAFKA_SSL_CERT', readPublicFile);
    const key = read(cfg.KAFKA_SSL_KEY, 'KAFKA_SSL_KEY', readKeyFile);
    out.tls = {
      ...(ca !== undefined ? { ca } : {}),
      ...(cert !== undefined ? { cert } : {}),
      ...(key !== undefined ? { key } : {}),
      ...(passphrase !== undefined ? { passphrase } : {}),
    };
  } else if (cfg.KAFKA_SSL_KEY !== undefined) {
    problems.push('KAFKA_SSL_KEY is set but TLS is off (set KAFKA_SSL_CERT with it)');
  }
  const mechanism = cfg.KAFKA_SASL_MECHANISM ?? 'none';
  const password = secret(
    cfg.KAFKA_SASL_PASSWORD,
    cfg.KAFKA_SASL_PASSWORD_FILE,
    'KAFKA_SASL_PASSWORD',
    problems,
  );
  if (mechanism === 'none') {
    if (cfg.KAFKA_SASL_USERNAME !== undefined || password !== undefined)
      problems.push('KAFKA_SASL_USERNAME/KAFKA_SASL_PASSWORD are set but KAFKA_SASL_MECHANISM is none');
  } else {
    if (!cfg.KAFKA_SASL_USERNAME)
      problems.push(`KAFKA_SASL_USERNAME is required with KAFKA_SASL_MECHANISM=${mechanism}`);
    if (password === undefined || password === '')
      problems.push(
        `KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE is required with KAFKA_SASL_MECHANISM=${mechanism}`,
      );
    if (mechanism === 'plain' && !tlsOn)
      problems.push('KAFKA_SASL_MECHANISM=plain sends the password in clear: only with TLS (KAFKA_SSL=true)');
    if (cfg.KAFKA_SASL_USERNAME && password)
      out.sasl = { mechanism: mechanism as SaslMechanism, username: cfg.KAFKA_SASL_USERNAME, password };
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return out;
}

/** A description for logs: which protections are on, with file names and the user, never a secret. */
export function describeKafkaSecurity(
  cfg: Partial<KafkaSecurityConfig>,
  sec: KafkaSecurity,
): Record<string, unknown> {
  return {
    tls: sec.tls !== undefined,
    ...(cfg.KAFKA_SSL_CA ? { ca: cfg.KAFKA_SSL_CA } : {}),
    ...(sec.tls?.cert ? { client_cert: cfg.KAFKA_SSL_CERT } : {}),
    sasl: sec.sasl ? sec.sasl.mechanism : 'none',
    ...(sec.sasl ? { sasl_user: sec.sasl.username } : {}),
  };
}

function tlsOptions(tls: NonNullable<KafkaSecurity['tls']>): TlsOptions {
  return {
    rejectUnauthorized: true,
    minVersion: 'TLSv1.2',
    ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
    ...(tls.cert !== undefined ? { cert: tls.cert } : {}),
    ...(tls.key !== undefined ? { key: tls.key } : {}),
    ...(tls.passphrase !== undefined ? { passphrase: tls.passphrase } : {}),
  };
}

/** kafkajs `ssl` and `sasl` options. */
export function kafkajsSecurity(sec: KafkaSecurity | undefined): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  if (!sec) return {};
  return {
    ...(sec.tls ? { ssl: tlsOptions(sec.tls) } : {}),
    ...(sec.sasl
      ? {
          sasl: {
            mechanism: sec.sasl.mechanism,
            username: sec.sasl.username,
            password: sec.sasl.password,
          } as KafkaConfig['sasl'],
        }
      : {}),
  };
}

const PLATFORMATIC_MECHANISM = {
  'scram-sha-512': 'SCRAM-SHA-512',
  'scram-sha-256': 'SCRAM-SHA-256',
  plain: 'PLAIN',
} as const;

/** @platformatic/kafka `tls` and `sasl` options. */
export function platformaticSecurity(sec: KafkaSecurity | undefined): {
  tls?: TlsOptions;
  sasl?: PlatformaticSasl;
} {
  if (!sec) return {};
  return {
    ...(sec.tls ? { tls: tlsOptions(sec.tls) } : {}),
    ...(sec.sasl
      ? {
          sasl: {
            mechanism: PLATFORMATIC_MECHANISM[sec.sasl.mechanism],
            username: sec.sasl.username,
            password: sec.sasl.password,
          },
        }
      : {}),
  };
}

/**
 * Why a Kafka connection failed, when the cause is the link's security: the broker refused our SASL credentials,
 * or its certificate is not trusted (or ours not accepted). One sentence naming the variables to check.
 * With `security`, one more case: TLS without a client certificate and every connection closed right after the
 * handshake, which is how a broker that requires one answers a client (@platformatic/kafka) that never reads
 * the TLS 1.3 alert.
 */
export function kafkaLinkProblem(err: unknown, security?: KafkaSecurity): string | undefined {
  for (const e of errorChain(err)) {
    const name = e.name;
    const msg = oneLine(e.message);
    if (
      name === 'KafkaJSSASLAuthenticationError' ||
      name === 'AuthenticationError' ||
      /SASL .*authentication failed|Authentication failed during authentication|invalid credentials/i.test(
        msg,
      )
    )
      return `Kafka: the broker refused our SASL credentials (${msg}); check KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD/KAFKA_SASL_PASSWORD_FILE`;
    if (/Unsupported SASL mechanism|Cannot find a suitable SASL mechanism/i.test(msg))
      return `Kafka: the broker does not offer our SASL mechanism (${msg}); check KAFKA_SASL_MECHANISM`;
  }
  const tls = tlsFailureOf(err);
  if (tls)
    return describeTlsFailure(tls, 'Kafka', { caVariable: 'KAFKA_SSL_CA', certVariable: 'KAFKA_SSL_CERT' });
  if (security?.tls && security.tls.cert === undefined) {
    const leaves = errorChain(err).filter(
      (e) => e.cause === undefined && !Array.isArray((e as { errors?: unknown }).errors),
    );
    if (leaves.length > 0 && leaves.every((e) => /^Connection closed\.?$/i.test(e.message)))
      return 'Kafka: the broker closed every connection right after the TLS handshake, as a broker that requires a client certificate does; set KAFKA_SSL_CERT and KAFKA_SSL_KEY (or see the broker log)';
  }
  return undefined;
}

/** A Kafka connection refused for a security reason; `message` says which and what to check. */
export class KafkaLinkError extends DicomtrailError {}

/** `work`'s result; a failure caused by the link's security is rethrown as a KafkaLinkError that says so. */
export async function diagnosed<T>(work: Promise<T>, security?: KafkaSecurity): Promise<T> {
  try {
    return await work;
  } catch (err) {
    const problem = kafkaLinkProblem(err, security);
    if (problem === undefined) throw err;
    throw new KafkaLinkError('DT_ERR_KAFKA_LINK', problem, {}, err);
  }
}

/**
 * At start-up, before a client that retries for a long while: one TLS handshake with the first broker, with our
 * trust settings. A certificate we do not trust (or that names another host, or has expired) is a KafkaLinkError
 * at once; anything else (refused, timed out, a handshake the broker ends) is left to the client and its retries.
 */
export async function checkKafkaTls(
  brokers: readonly string[],
  security: KafkaSecurity | undefined,
  timeoutMs = 10_000,
): Promise<void> {
  const first = brokers[0];
  if (!security?.tls || first === undefined) return;
  const at = first.lastIndexOf(':');
  const host = first.slice(0, at).replace(/^\[|\]$/g, '');
  const port = Number(first.slice(at + 1));
  await new Promise<void>((resolve, reject) => {
    const socket = tlsConnect({
      host,
      port,
      ...(isIP(host) === 0 ? { servername: host } : {}),
      ...tlsOptions(security.tls ?? {}),
    });
    const done = (err?: unknown): void => {
      socket.destroy();
      const failure = err === undefined ? undefined : tlsFailureOf(err);
      if (failure && failure.kind !== 'peer-refused')
        reject(
          new KafkaLinkError(
            'DT_ERR_KAFKA_LINK',
            describeTlsFailure(failure, 'Kafka', {
              caVariable: 'KAFKA_SSL_CA',
              certVariable: 'KAFKA_SSL_CERT',
            }),
            { broker: first },
            err,
          ),
        );
      else resolve();
    };
    socket.once('secureConnect', () => done());
    socket.once('error', done);
    socket.setTimeout(timeoutMs, () => done());
  });
}
