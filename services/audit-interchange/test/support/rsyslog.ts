/**
 * A real Audit Record Repository for the tests: Debian's rsyslogd (with rsyslog-openssl) in the foreground, owned
 * by the test, listening for RFC 5425 syslog over TLS (imtcp with the ossl stream driver, client certificates
 * required: x509/certvalid against the test CA) and RFC 5426 over UDP, on unprivileged ports, writing every
 * message it receives as one line (%rawmsg%) to a file the test parses back; with `receivedTimes`, also to a second
 * file (`<output>.received`) each line prefixed by the time rsyslogd received it (%timegenerated%, microseconds):
 * what the benchmark measures end-to-end lag with.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import type { Pki } from './certs.js';

export interface Rsyslog {
  tlsPort: number;
  udpPort: number;
  output: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  lines(): string[];
}

export function rsyslogConfig(
  dir: string,
  pki: Pki,
  tlsPort: number,
  udpPort: number,
  output: string,
  receivedTimes = false,
): string {
  return `
global(
  workDirectory="${dir}/work"
  maxMessageSize="256k"
  defaultNetstreamDriver="ossl"
  defaultNetstreamDriverCAFile="${pki.ca}"
  defaultNetstreamDriverCertFile="${pki.serverCert}"
  defaultNetstreamDriverKeyFile="${pki.serverKey}"
)
module(load="imtcp" streamDriver.name="ossl" streamDriver.mode="1" streamDriver.authMode="x509/certvalid")
module(load="imudp")
input(type="imtcp" port="${tlsPort}" address="127.0.0.1" ruleset="arr")
input(type="imudp" port="${udpPort}" address="127.0.0.1" ruleset="arr")
template(name="raw" type="string" string="%rawmsg%\\n")
template(name="received" type="string" string="%timegenerated:::date-rfc3339% %rawmsg%\\n")
ruleset(name="arr") {
  action(type="omfile" file="${output}" template="raw" flushOnTXEnd="on" asyncWriting="off")
${
  receivedTimes
    ? `  action(type="omfile" file="${output}.received" template="received" flushOnTXEnd="on" asyncWriting="off")
`
    : ''
}}
`;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

export function rsyslog(
  dir: string,
  pki: Pki,
  tlsPort: number,
  udpPort: number,
  receivedTimes = false,
): Rsyslog {
  mkdirSync(path.join(dir, 'work'), { recursive: true });
  const output = path.join(dir, 'arr.log');
  const conf = path.join(dir, 'rsyslog.conf');
  writeFileSync(conf, rsyslogConfig(dir, pki, tlsPort, udpPort, output, receivedTimes));
  let child: ChildProcess | undefined;
  let log = '';
  return {
    tlsPort,
    udpPort,
    output,
    async start() {
      log = '';
      child = spawn('rsyslogd', ['-n', '-f', conf, '-i', path.join(dir, 'rsyslogd.pid')], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
      child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
      const t0 = Date.now();
      while (!(await portOpen(tlsPort))) {
        if (child.exitCode !== null || Date.now() - t0 > 15_000)
          throw new Error(`rsyslogd did not start (exit ${child.exitCode}): ${log}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async stop() {
      const c = child;
      child = undefined;
      if (!c || c.exitCode !== null) return;
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      await exited;
    },
    lines() {
      if (!existsSync(output)) return [];
      return readFileSync(output, 'utf8')
        .split('\n')
        .filter((l) => l.length > 0);
    },
  };
}

export interface ReceivedMessage {
  pri: number;
  timestamp: string;
  hostname: string;
  appName: string;
  procId: string;
  msgId: string;
  id: string;
  traceparent?: string;
  bom: boolean;
  xml: string;
}

/** An RFC 5424 message as the receiver wrote it (its %rawmsg%), parsed back. */
export function parseSyslogLine(line: string): ReceivedMessage {
  const m = /^<(\d+)>1 (\S+) (\S+) (\S+) (\S+) (\S+) (\[.*?[^\\]\]) (.*)$/s.exec(line);
  if (!m) throw new Error(`not an RFC 5424 message: ${line.slice(0, 200)}`);
  const sd = m[7] as string;
  const id = /\bid="([^"]+)"/.exec(sd)?.[1];
  if (!id) throw new Error(`no dicomtrail id in ${sd}`);
  const traceparent = /\btraceparent="([^"]+)"/.exec(sd)?.[1];
  const msg = m[8] as string;
  const bom = msg.startsWith('\ufeff');
  return {
    pri: Number(m[1]),
    timestamp: m[2] as string,
    hostname: m[3] as string,
    appName: m[4] as string,
    procId: m[5] as string,
    msgId: m[6] as string,
    id,
    ...(traceparent ? { traceparent } : {}),
    bom,
    xml: bom ? msg.slice(1) : msg,
  };
}

/** The service's variables for syslog over TLS to this receiver, with the test PKI's client certificate. */
export function tlsDestinationEnv(arr: Rsyslog, pki: Pki): Record<string, string> {
  return {
    AUDIT_SYSLOG_TRANSPORT: 'tls',
    AUDIT_SYSLOG_PORT: String(arr.tlsPort),
    AUDIT_SYSLOG_SERVERNAME: 'localhost',
    AUDIT_SYSLOG_CA_FILE: pki.ca,
    AUDIT_SYSLOG_CERT_FILE: pki.clientCert,
    AUDIT_SYSLOG_KEY_FILE: pki.clientKey,
  };
}
