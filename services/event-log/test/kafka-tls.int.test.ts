/**
 * Every Kafka client dicomtrail runs, against a private broker with an SSL listener (client certificates
 * required) and a SASL_SSL listener (SCRAM-SHA-512 users made by the broker's storage tool): kafkajs and
 * @platformatic/kafka, on the calling thread and in the producer thread, publish; the consumer reads everything
 * back over SASL_SSL. Refused, with a KafkaLinkError naming the cause and never the secret: a wrong password, a
 * CA that did not sign the broker's certificate, no client certificate where one is required. Everything the
 * clients logged (debug level) is searched for the password, the key passphrase and the private key bytes.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { createLogger } from '@dicomtrail/runtime';
import { type CertFiles, makeCa, makeCert, SecureKafka } from '@dicomtrail/testing';
import {
  type ConsumedRecord,
  createKafka,
  type EventProducer,
  ensureTopics,
  type KafkaClientName,
  KafkaEventConsumer,
  KafkaEventProducer,
  KafkaLinkError,
  type KafkaSecurity,
  kafkaSecurityFromConfig,
  PlatformaticEventProducer,
  ThreadedEventProducer,
} from '../src/index.js';

const PASSWORD = `scram-${randomBytes(9).toString('hex')}`;
const PASSPHRASE = `pass-${randomBytes(9).toString('hex')}`;
let dir: string;
let logFile: string;
let broker: SecureKafka;
let ca: CertFiles;
let otherCa: CertFiles;
let client: CertFiles;
let log: ReturnType<typeof createLogger>;

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'dt-kafka-tls-'));
  logFile = path.join(dir, 'clients.log');
  log = createLogger('kafka-tls-test', { level: 'debug', destination: logFile, format: 'json' });
  ca = makeCa(dir, 'kafka-ca');
  otherCa = makeCa(dir, 'other-ca');
  client = makeCert(dir, ca, 'client', { cn: 'dicomtrail-adapter', passphrase: PASSPHRASE });
  broker = await SecureKafka.start(dir, ca, [{ name: 'dicomtrail', password: PASSWORD }]);
});
after(async () => {
  await broker?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const sasl = (password = PASSWORD, caFile = ca.cert): KafkaSecurity =>
  kafkaSecurityFromConfig({
    KAFKA_SSL_CA: caFile,
    KAFKA_SASL_MECHANISM: 'scram-sha-512',
    KAFKA_SASL_USERNAME: 'dicomtrail',
    KAFKA_SASL_PASSWORD: password,
  });
const mtls = (): KafkaSecurity =>
  kafkaSecurityFromConfig({
    KAFKA_SSL_CA: ca.cert,
    KAFKA_SSL_CERT: client.cert,
    KAFKA_SSL_KEY: client.key,
    KAFKA_SSL_KEY_PASSPHRASE: PASSPHRASE,
  });

type Make = (topic: string, brokers: string[], security: KafkaSecurity) => EventProducer;
const producers: { name: string; make: Make }[] = [
  {
    name: 'kafkajs',
    make: (topic, brokers, security) =>
      new KafkaEventProducer({
        topic,
        brokers,
        log,
        security,
        clientRetry: { retries: 1, initialRetryTime: 100 },
      }),
  },
  {
    name: 'platformatic',
    make: (topic, brokers, security) =>
      new PlatformaticEventProducer({
        topic,
        brokers,
        clientId: 'tls-test',
        log,
        security,
        retries: 2, // 0 or 1 would be infinite for an idempotent @platformatic/kafka producer
        retryDelayMs: 100,
      }),
  },
  ...(['kafkajs', 'platformatic'] as KafkaClientName[]).map((c) => ({
    name: `${c} in the producer thread`,
    make: ((topic, brokers, security) =>
      new ThreadedEventProducer({
        client: c,
        topic,
        brokers,
        clientId: `tls-test-${c}`,
        log,
        security,
        clientRetry: { retries: 1, initialRetryTime: 100 },
      })) as Make,
  })),
];

async function newTopic(): Promise<string> {
  const topic = `tls.${randomBytes(4).toString('hex')}`;
  await ensureTopics(
    createKafka({ clientId: 'tls-admin', brokers: [broker.saslBroker], log, security: sasl() }),
    [{ topic, numPartitions: 1, replicationFactor: 1 }],
  );
  return topic;
}

async function consumeAll(topic: string, n: number): Promise<ConsumedRecord[]> {
  const consumer = new KafkaEventConsumer({
    brokers: [broker.saslBroker],
    groupId: `tls-${randomBytes(4).toString('hex')}`,
    log,
    security: sasl(),
    maxWaitTimeMs: 50,
  });
  const got: ConsumedRecord[] = [];
  await consumer.connect();
  const done = new Promise<void>((resolve) => {
    void consumer.run({
      topics: [topic],
      handler: async (batch) => {
        got.push(...batch.records);
        if (got.length >= n) resolve();
      },
    });
  });
  const timeout = new Promise((_, reject) =>
    setTimeout(() => reject(new Error(`only ${got.length}/${n}`)), 30_000),
  );
  try {
    await Promise.race([done, timeout]);
  } finally {
    await consumer.disconnect();
  }
  return got;
}

const records = (label: string) =>
  Array.from({ length: 20 }, (_, i) => ({
    key: `assoc-${label}`,
    value: Buffer.from(JSON.stringify({ label, i })),
    headers: { type: 'EVT_TEST', schema: 'dicomtrail.event/1' },
  }));

for (const p of producers) {
  test(`${p.name}: publishes over SASL_SSL (SCRAM-SHA-512) and over SSL with a client certificate; read back over SASL_SSL`, async () => {
    const topic = await newTopic();
    for (const [label, brokers, security] of [
      ['sasl', [broker.saslBroker], sasl()],
      ['mtls', [broker.sslBroker], mtls()],
    ] as const) {
      const producer = p.make(topic, [...brokers], security);
      await producer.connect();
      await producer.send(records(label));
      await producer.disconnect();
    }
    const got = await consumeAll(topic, 40);
    assert.deepEqual(
      got.map((r) => JSON.parse(String(r.value))),
      [...records('sasl'), ...records('mtls')].map((r) => JSON.parse(String(r.value))),
    );
  });

  // The thread boundary only forwards the error (name and message): one threaded client shows it.
  if (p.name === 'platformatic in the producer thread') continue;
  test(`${p.name}: a wrong password, an untrusted CA and a missing client certificate are refused, each named`, async () => {
    const topic = await newTopic();
    const cases: [string, string[], KafkaSecurity, RegExp][] = [
      [
        'wrong password',
        [broker.saslBroker],
        sasl('not-the-password'),
        /refused our SASL credentials.*KAFKA_SASL_PASSWORD/,
      ],
      [
        'untrusted CA',
        [broker.saslBroker],
        sasl(PASSWORD, otherCa.cert),
        /TLS certificate not trusted.*KAFKA_SSL_CA/,
      ],
      [
        'no client certificate',
        [broker.sslBroker],
        kafkaSecurityFromConfig({ KAFKA_SSL_CA: ca.cert }),
        /refused our TLS handshake.*KAFKA_SSL_CERT|closed every connection right after the TLS handshake.*KAFKA_SSL_CERT/,
      ],
    ];
    for (const [what, brokers, security, expected] of cases) {
      const producer = p.make(topic, brokers, security);
      const err = await producer.connect().then(
        () =>
          producer.send(records(what)).then(
            () => undefined,
            (e: unknown) => e,
          ),
        (e: unknown) => e,
      );
      await producer.disconnect().catch(() => undefined);
      assert.ok(err instanceof Error, `${what}: connect and send succeeded`);
      if (!(p.make === producers[2]?.make || p.make === producers[3]?.make))
        assert.ok(
          err instanceof KafkaLinkError,
          `${what}: ${(err as Error).name}: ${(err as Error).message}`,
        );
      assert.match((err as Error).message, expected, what);
      assert.ok(
        !(err as Error).message.includes(PASSWORD) && !(err as Error).message.includes('not-the-password'),
      );
    }
  });
}

test('consumer: a wrong password fails connect with a KafkaLinkError', async () => {
  const consumer = new KafkaEventConsumer({
    brokers: [broker.saslBroker],
    groupId: 'tls-wrong',
    log,
    security: sasl('not-the-password'),
    clientRetry: { retries: 1, initialRetryTime: 100 },
  });
  await assert.rejects(
    consumer.connect(),
    (e: unknown) => e instanceof KafkaLinkError && /SASL credentials/.test(e.message),
  );
});

test('nothing the clients logged holds the password, the key passphrase or private key bytes', () => {
  const logged = readFileSync(logFile, 'utf8');
  assert.ok(logged.length > 0, 'the clients logged nothing at debug level');
  const keyBody = readFileSync(client.key, 'utf8').split('\n')[1] ?? '';
  for (const secret of [PASSWORD, 'not-the-password', PASSPHRASE, keyBody, 'PRIVATE KEY'])
    assert.ok(!logged.includes(secret), `a secret appears in the client logs: ${secret.slice(0, 8)}…`);
});
