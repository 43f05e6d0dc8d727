import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { ConfigError } from '@dicomtrail/runtime';
import {
  kafkajsSecurity,
  kafkaLinkProblem,
  kafkaSecurityFromConfig,
  platformaticSecurity,
} from './kafka-security.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'dt-kafka-security-'));
after(() => rmSync(dir, { recursive: true, force: true }));
function file(name: string, content: string, mode = 0o600): string {
  const f = path.join(dir, name);
  writeFileSync(f, content);
  chmodSync(f, mode);
  return f;
}
const ca = file('ca.pem', 'CA-PEM', 0o644);
const cert = file('client.pem', 'CERT-PEM', 0o644);
const key = file('client.key', 'KEY-PEM');
const passwordFile = file('password', 'pw-from-file\n');

test('given no variables, then plaintext and no options for either client', () => {
  assert.deepEqual(kafkaSecurityFromConfig({ KAFKA_SASL_MECHANISM: 'none' }), {});
  assert.deepEqual(kafkajsSecurity(undefined), {});
  assert.deepEqual(platformaticSecurity({}), {});
});

test('given TLS with a client certificate and SCRAM-SHA-512 from a file, then both clients get the same trust and credentials', () => {
  const sec = kafkaSecurityFromConfig({
    KAFKA_SSL_CA: ca,
    KAFKA_SSL_CERT: cert,
    KAFKA_SSL_KEY: key,
    KAFKA_SSL_KEY_PASSPHRASE: 'phrase',
    KAFKA_SASL_MECHANISM: 'scram-sha-512',
    KAFKA_SASL_USERNAME: 'dicomtrail',
    KAFKA_SASL_PASSWORD_FILE: passwordFile,
  });
  assert.deepEqual(sec, {
    tls: { ca: 'CA-PEM', cert: 'CERT-PEM', key: 'KEY-PEM', passphrase: 'phrase' },
    sasl: { mechanism: 'scram-sha-512', username: 'dicomtrail', password: 'pw-from-file' },
  });
  const tls = {
    rejectUnauthorized: true,
    minVersion: 'TLSv1.2',
    ca: 'CA-PEM',
    cert: 'CERT-PEM',
    key: 'KEY-PEM',
    passphrase: 'phrase',
  };
  assert.deepEqual(kafkajsSecurity(sec), {
    ssl: tls,
    sasl: { mechanism: 'scram-sha-512', username: 'dicomtrail', password: 'pw-from-file' },
  });
  assert.deepEqual(platformaticSecurity(sec), {
    tls,
    sasl: { mechanism: 'SCRAM-SHA-512', username: 'dicomtrail', password: 'pw-from-file' },
  });
  assert.deepEqual(kafkaSecurityFromConfig({ KAFKA_SSL: true }), { tls: {} });
});

test('given inconsistent or unsafe variables, then every problem at once, never a secret', () => {
  const loose = file('loose', 'TOPSECRET', 0o644);
  assert.throws(
    () =>
      kafkaSecurityFromConfig({
        KAFKA_SSL_CERT: cert,
        KAFKA_SASL_MECHANISM: 'plain',
        KAFKA_SASL_PASSWORD: 'inline-secret',
        KAFKA_SASL_PASSWORD_FILE: loose,
      }),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      const all = e.problems.join('\n');
      assert.match(all, /KAFKA_SSL_CERT and KAFKA_SSL_KEY go together/);
      assert.match(all, /KAFKA_SASL_PASSWORD and KAFKA_SASL_PASSWORD_FILE are both set/);
      assert.match(all, /KAFKA_SASL_USERNAME is required/);
      assert.ok(!all.includes('inline-secret') && !all.includes('TOPSECRET'));
      return true;
    },
  );
  assert.throws(
    () =>
      kafkaSecurityFromConfig({
        KAFKA_SASL_MECHANISM: 'scram-sha-512',
        KAFKA_SASL_USERNAME: 'u',
        KAFKA_SASL_PASSWORD_FILE: loose,
      }),
    new RegExp(`KAFKA_SASL_PASSWORD_FILE: ${loose} has mode 0644`),
  );
  assert.throws(
    () =>
      kafkaSecurityFromConfig({
        KAFKA_SASL_MECHANISM: 'plain',
        KAFKA_SASL_USERNAME: 'u',
        KAFKA_SASL_PASSWORD: 'p',
      }),
    /plain sends the password in clear/,
  );
  assert.throws(() => kafkaSecurityFromConfig({ KAFKA_SASL_USERNAME: 'u' }), /KAFKA_SASL_MECHANISM is none/);
});

test('kafkaLinkProblem: credentials and trust named through wrapped errors; other failures are not guessed', () => {
  const sasl = Object.assign(new Error('SASL SCRAM SHA512 authentication failed: invalid credentials'), {
    name: 'KafkaJSSASLAuthenticationError',
  });
  assert.match(
    kafkaLinkProblem(new Error('retries exceeded', { cause: sasl })) ?? '',
    /refused our SASL credentials/,
  );
  const untrusted = Object.assign(new Error('self-signed certificate in certificate chain'), {
    code: 'SELF_SIGNED_CERT_IN_CHAIN',
  });
  assert.match(
    kafkaLinkProblem(new AggregateError([new Error('x', { cause: untrusted })], 'metadata failed')) ?? '',
    /Kafka: TLS certificate not trusted .*KAFKA_SSL_CA/,
  );
  const closed = new AggregateError([new Error('Connection closed')], 'metadata failed 3 times.');
  assert.match(kafkaLinkProblem(closed, { tls: {} }) ?? '', /closed every connection .*KAFKA_SSL_CERT/);
  assert.equal(kafkaLinkProblem(closed, { tls: { cert: 'C' } }), undefined);
  assert.equal(kafkaLinkProblem(new Error('connect ECONNREFUSED 127.0.0.1:9092')), undefined);
});
