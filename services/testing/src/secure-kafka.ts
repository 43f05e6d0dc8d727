/**
 * A private Apache Kafka broker (KRaft, single node, the jars infra/kafka fetched) with two secured client
 * listeners on free loopback ports: SSL (TLS with required client certificates) and SASL_SSL (TLS + SCRAM-SHA-512).
 * Its certificate is signed by the CA the test gives; SCRAM users are created with the broker's own storage tool
 * when the storage is formatted (`--add-scram`). Controller and inter-broker traffic stay on loopback-only
 * plaintext listeners that no client is given. The shared broker is never touched.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './dcmtk.js';
import { type CertFiles, makeCert } from './tls-certs.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

function libsDir(): string {
  const libs = path.join(process.env['KAFKA_STATE_DIR'] ?? path.join(ROOT, 'infra/kafka/.kafka'), 'libs');
  // The shared broker may run from elsewhere (KAFKA_BROKERS): fetch the jars here then (cached by Maven).
  if (!existsSync(path.join(libs, '.complete')))
    execFileSync('bash', [path.join(ROOT, 'infra/kafka/kafka.sh'), 'fetch'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  return libs;
}

function javaOpts(logDir: string): string[] {
  return [
    '-Xms128m',
    '-Xmx384m',
    '-XX:+UseG1GC',
    '-XX:TieredStopAtLevel=1',
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${path.join(ROOT, 'infra/kafka/log4j2.properties')}`,
    `-Dkafka.logs.dir=${logDir}`,
  ];
}

function run(cmd: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 1 << 22 }, (err, stdout, stderr) =>
      err
        ? reject(new Error(`${cmd} ${args.slice(-6).join(' ')}: ${err.message}\n${stderr}`))
        : resolve(stdout),
    ),
  );
}

export interface ScramUser {
  name: string;
  password: string;
}

export class SecureKafka {
  private constructor(
    readonly dir: string,
    /** host:port of the SSL listener (client certificate required). */
    readonly sslBroker: string,
    /** host:port of the SASL_SSL listener (SCRAM-SHA-512). */
    readonly saslBroker: string,
    readonly logDir: string,
    private readonly proc: ChildProcess,
  ) {}

  /** Formats and starts a broker in `dir` with a certificate from `ca` (SANs 127.0.0.1 and localhost). */
  static async start(dir: string, ca: CertFiles, users: ScramUser[]): Promise<SecureKafka> {
    const libs = libsDir();
    const server = makeCert(dir, ca, 'kafka-broker', {
      cn: 'kafka-broker',
      dns: ['localhost'],
      ips: ['127.0.0.1'],
    });
    // Kafka's PEM key store: the private key (PKCS#8) followed by the certificate chain, in one file.
    const keystore = path.join(dir, 'kafka-broker-keystore.pem');
    writeFileSync(keystore, readFileSync(server.key, 'utf8') + readFileSync(server.cert, 'utf8'), {
      mode: 0o600,
    });
    const [internal, controller, ssl, sasl] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    const data = path.join(dir, 'kafka-data');
    const logDir = path.join(dir, 'kafka-logs');
    mkdirSync(data, { recursive: true });
    mkdirSync(logDir, { recursive: true });
    const props = path.join(dir, 'kafka-server.properties');
    writeFileSync(
      props,
      [
        'process.roles=broker,controller',
        'node.id=1',
        `controller.quorum.voters=1@127.0.0.1:${controller}`,
        `listeners=INTERNAL://127.0.0.1:${internal},CONTROLLER://127.0.0.1:${controller},SSL://127.0.0.1:${ssl},SASL_SSL://127.0.0.1:${sasl}`,
        `advertised.listeners=INTERNAL://127.0.0.1:${internal},SSL://127.0.0.1:${ssl},SASL_SSL://127.0.0.1:${sasl}`,
        'controller.listener.names=CONTROLLER',
        'inter.broker.listener.name=INTERNAL',
        'listener.security.protocol.map=CONTROLLER:PLAINTEXT,INTERNAL:PLAINTEXT,SSL:SSL,SASL_SSL:SASL_SSL',
        'ssl.keystore.type=PEM',
        `ssl.keystore.location=${keystore}`,
        'ssl.truststore.type=PEM',
        `ssl.truststore.location=${ca.cert}`,
        'ssl.enabled.protocols=TLSv1.3,TLSv1.2',
        'listener.name.ssl.ssl.client.auth=required',
        'sasl.enabled.mechanisms=SCRAM-SHA-512',
        'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
        `log.dirs=${data}`,
        'num.partitions=1',
        'offsets.topic.replication.factor=1',
        'offsets.topic.num.partitions=1',
        'transaction.state.log.replication.factor=1',
        'transaction.state.log.min.isr=1',
        'transaction.state.log.num.partitions=1',
        'share.coordinator.state.topic.replication.factor=1',
        'share.coordinator.state.topic.min.isr=1',
        'group.initial.rebalance.delay.ms=0',
        'auto.create.topics.enable=false',
      ].join('\n'),
    );
    let clusterId: string;
    do clusterId = randomBytes(16).toString('base64url');
    while (clusterId.startsWith('-'));
    await run(
      'java',
      [
        ...javaOpts(logDir),
        '-cp',
        `${libs}/*`,
        'kafka.tools.StorageTool',
        'format',
        '-t',
        clusterId,
        '-c',
        props,
        ...users.flatMap((u) => ['--add-scram', `SCRAM-SHA-512=[name=${u.name},password=${u.password}]`]),
      ],
      60_000,
    );
    const proc = spawn('java', [...javaOpts(logDir), '-cp', `${libs}/*`, 'kafka.Kafka', props], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    proc.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const broker = new SecureKafka(dir, `127.0.0.1:${ssl}`, `127.0.0.1:${sasl}`, logDir, proc);
    const serverLog = path.join(logDir, 'server.log');
    const t0 = Date.now();
    while (!(existsSync(serverLog) && readFileSync(serverLog, 'utf8').includes('Kafka Server started'))) {
      if (proc.exitCode !== null)
        throw new Error(`secure Kafka exited (${proc.exitCode}): ${stderr.slice(-2000)}`);
      if (Date.now() - t0 > 90_000) {
        await broker.stop();
        throw new Error('secure Kafka did not start within 90 s');
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    return broker;
  }

  /** SIGTERM, then SIGKILL after 20 s. */
  async stop(): Promise<void> {
    const p = this.proc;
    if (p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise<void>((r) => p.once('exit', () => r()));
    p.kill('SIGTERM');
    const timer = setTimeout(() => p.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  }
}
